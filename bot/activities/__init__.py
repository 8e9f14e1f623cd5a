"""Activities and sign-ups (报名): the catalogue staff keep, exact seats with a fair waitlist,
the roster of who comes, and the messages (confirmations, moves up, reminders, cancellations)
that reach everyone once; with the staff commands for them.

A feature: imports delivery, roster (spreadsheets), language, audit, command_support, services, models,
clock, config (staff are alerted about a place no WeChat can tell of); faces use it (handlers,
commands, the scheduler).
"""
