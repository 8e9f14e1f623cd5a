"""The scheduler's job store table, as APScheduler's SQLAlchemyJobStore defines it.

Declared here (and created by a migration) so the schema has one owner and the migration check
covers it; the job store finds the table present and leaves it alone.
"""

from __future__ import annotations

import sqlalchemy as sa

from bot.db.engine import Base

scheduler_jobs = sa.Table(
    "apscheduler_jobs", Base.metadata,
    sa.Column("id", sa.Unicode(191), primary_key=True),
    sa.Column("next_run_time", sa.Float(25), index=True),
    sa.Column("job_state", sa.LargeBinary, nullable=False),
)
