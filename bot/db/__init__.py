"""Where everything is kept: the database engines (SQLite's writers queued on a file lock,
PostgreSQL's pool), the message's two round trips on PostgreSQL, and migrations.

Imports only config and clock: everything above it may use it (models build on its Base).
"""
