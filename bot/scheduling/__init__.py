"""The scheduler process: APScheduler jobs that only enqueue into the outbox or drain it."""
