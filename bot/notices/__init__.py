"""Staff notices (群发通知): planning whom one reaches, sending it through delivery, cancelling
what is not sent, and the staff commands for them.

A feature: imports delivery, accounts, language, audit, command_support, services, db, models,
config, clock; faces use it.
"""
