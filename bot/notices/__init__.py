"""Staff notices (群发通知): planning whom one reaches and by which channel (forecast), what it
may point to (links: a study month or an activity), sending it through delivery, cancelling what
is not sent, and the staff commands for them.

A feature: imports study, activities, delivery, accounts, language, audit, command_support,
services, db, models, config, clock; faces use it.
"""
