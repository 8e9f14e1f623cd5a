"""Writing the audit log: who did what to personal data, and when."""

from __future__ import annotations

import os
import pwd
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.models import AuditEntry


def cli_actor() -> str:
    """The staff member behind a command: the operating system's account that runs it (its real
    user id, not what the environment claims). Run by root through sudo, the account sudo names
    is added as sudo's own record of it."""
    user = pwd.getpwuid(os.getuid()).pw_name
    via = os.environ.get("SUDO_USER") if os.getuid() == 0 else None
    return f"cli:{user}" + (f"（sudo：{via}）" if via else "")


def record(session: Session, *, actor: str, action: str, at: datetime, target: str | None = None,
           **detail: Any) -> None:
    """Add one entry to the audit log, in the same transaction as the action itself."""
    session.add(AuditEntry(at=at, actor=actor, action=action, target=target, detail=detail))
