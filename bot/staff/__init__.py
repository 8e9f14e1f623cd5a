"""Staff accounts for the console: adding and disabling them, passwords (argon2) with a
lockout kept in the database, roles and a data scope, and linking an account to its WeChat
so alerts reach it; with the staff commands for them.

A feature: imports audit, command_support, services, models, db, config; the console and the
commands use it (delivery reads linked accounts through the model's own rule, on_duty).
"""
