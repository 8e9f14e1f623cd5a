"""Sample data for the sandbox: the fictional office's groups and its 200-person roster."""

from __future__ import annotations

from bot.config import PROJECT_ROOT
from bot.roster.groups import ensure_groups
from bot.roster.importer import ImportPlan, import_file
from bot.sandbox.sample_roster import AREAS, BRANCHES, CLASSES
from bot.services import Services

SAMPLE_ROSTER = PROJECT_ROOT / "content" / "sample" / "roster.csv"
SAMPLE_GROUPS = {"党支部": BRANCHES, "老年大学班级": CLASSES, "居住片区": AREAS}


def seed(services: Services) -> ImportPlan:
    """Create the sample groups that are missing and import the sample roster (idempotent)."""
    with services.sessions() as session:
        ensure_groups(session, SAMPLE_GROUPS)
        plan = import_file(session, SAMPLE_ROSTER, actor="sandbox", now=services.clock.now())
        if not plan.ok:
            raise RuntimeError(f"the sample roster does not import: {plan.problems[:3]}")
        session.commit()
    return plan
