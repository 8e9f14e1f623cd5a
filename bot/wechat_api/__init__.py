"""WeChat's servers as the bot calls them: the client (wechatpy over a pooled HTTP session, one
access_token for every worker), the pace of its send calls, WeChat's own numbers, the store
every worker shares (the database, or Redis when configured) for the tokens and locks, and the
mini-program's own app: login, phone numbers and content checks, on a token of its own
(miniprogram).

Imports db, models, config and clock; services, delivery and the faces use it.
"""
