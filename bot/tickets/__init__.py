"""留言: the messages retirees leave for staff — leaving one, which wait for an answer,
answering one (queued once to whoever left it) — and the staff commands for them.

A feature: imports delivery, language, audit, command_support, services, db, models, config,
clock; faces use it.
"""
