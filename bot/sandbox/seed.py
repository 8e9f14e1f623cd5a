"""Sample data for the sandbox: the fictional office's groups, its 200-person roster, one
activity two weeks ahead to sign up for, and a 管理员 account for the console."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.clock import SHANGHAI
from bot.config import PROJECT_ROOT
from bot.models import Activity, ActivityStatus, StaffAccount
from bot.roster.groups import ensure_groups
from bot.roster.importer import ImportPlan, import_file
from bot.sandbox.sample_roster import AREAS, BRANCHES, CLASSES
from bot.services import Services
from bot.staff.accounts import add_account
from bot.staff.passwords import hash_password, matches, one_time_password

SAMPLE_ROSTER = PROJECT_ROOT / "content" / "sample" / "roster.csv"
SAMPLE_GROUPS = {"党支部": BRANCHES, "老年大学班级": CLASSES, "居住片区": AREAS}
SANDBOX_ADMIN = "admin"


def seed(services: Services) -> ImportPlan:
    """Create the sample groups that are missing and import the sample roster (idempotent)."""
    with services.sessions() as session:
        ensure_groups(session, SAMPLE_GROUPS)
        plan = import_file(session, SAMPLE_ROSTER, actor="sandbox", now=services.clock.now())
        if not plan.ok:
            raise RuntimeError(f"the sample roster does not import: {plan.problems[:3]}")
        ensure_sample_activity(session, services.clock.now())
        session.commit()
    return plan


def ensure_sample_activity(session: Session, now: datetime) -> None:
    """A tea party for everyone two weeks from now, unless an activity is already coming up."""
    if session.scalar(sa.select(Activity.id).where(Activity.starts_at > now)) is not None:
        return
    day = (now.astimezone(SHANGHAI) + timedelta(days=14)).date()
    starts = datetime.combine(day, time(14, 30), tzinfo=SHANGHAI)
    session.add(Activity(title="茶话会", kind="茶话会", starts_at=starts, place="活动中心二楼多功能厅",
                         meeting_point="活动中心一楼大厅", transport="自行前往", capacity=30,
                         deadline=starts - timedelta(days=3), cancel_until=starts - timedelta(days=1),
                         groups=["all"], companion_seats=1, notes="有茶点，不用带东西",
                         contact="值班室 0000-12345678", status=ActivityStatus.OPEN,
                         created_at=now, updated_at=now))


def ensure_console_admin(services: Services, password_file: Path) -> str | None:
    """The sandbox's 管理员 (made on the first start, its password kept in password_file so
    every start can print it); the password, or None once someone has changed it."""
    now = services.clock.now()
    with services.sessions() as session:
        account = session.scalar(sa.select(StaffAccount).where(StaffAccount.username == SANDBOX_ADMIN))
        if account is None:
            account, _ = add_account(session, SANDBOX_ADMIN, "admin", display_name="沙盒管理员",
                                     actor="sandbox", now=now)
            password = one_time_password()
            # A trial on one's own machine: the printed password goes on working, unchanged.
            account.password_hash, account.must_change_password = hash_password(password), False
            password_file.touch(mode=0o600)
            password_file.write_text(password, encoding="utf-8")
            session.commit()
            return password
        kept = password_file.read_text(encoding="utf-8").strip() if password_file.exists() else ""
        return kept if kept and matches(account.password_hash, kept) else None
