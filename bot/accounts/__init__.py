"""Who writes to the account: followers (created on first contact, never deleted) and their
bindings to retirees, themselves or as family (代办), with what families say when binding; and
the mini-program's users and their login sessions (miniprogram); subscription grants either
app's users gave, spent by the delivery engine (grants).

Imports db, models, language, config and audit (the office ending a binding is logged); the
conversation and the features use it.
"""
