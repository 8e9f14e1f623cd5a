"""Writing the audit log: who did what to personal data, and when."""

from __future__ import annotations

import getpass
import os
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.models import AuditEntry


def cli_actor() -> str:
    """The staff member behind a command: the login that ran it (through sudo, the real one)."""
    return "cli:" + (os.environ.get("SUDO_USER") or getpass.getuser())


def record(session: Session, *, actor: str, action: str, at: datetime, target: str | None = None,
           **detail: Any) -> None:
    """Add one entry to the audit log, in the same transaction as the action itself."""
    session.add(AuditEntry(at=at, actor=actor, action=action, target=target, detail=detail))
