"""Where everything is kept: the database engines (SQLite's writers queued on a file lock,
PostgreSQL's pool), the message's two round trips on PostgreSQL, migrations, and the store every
worker shares (the database, or Redis when configured).

Imports only config, clock and models' base: everything above it may use it.
"""
