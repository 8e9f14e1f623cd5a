"""Where everything is kept: the database engines (SQLite's writers queued on a file lock,
PostgreSQL's pool), the message's two round trips on PostgreSQL, the statements every message
runs on SQLite's driver directly, and migrations.

Imports only config and clock: everything above it may use it (models build on its Base).
"""
