"""留言: the messages retirees leave for staff — leaving one (leaving), which wait for an answer,
answering one (queued once to whoever left it) — and the staff commands for them.

A feature: imports delivery, language, audit, command_support, services, db, models, config,
clock, logs, policies (the routes of a policy answer, which a 留言 right after may mean); faces
use it.
"""
