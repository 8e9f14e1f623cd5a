"""Anonymising a retiree on request: nothing identifying left, counts kept, audited."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from bot.models import AuditEntry, Binding, InboundMessage, Retiree
from bot.roster.export import export_file
from bot.roster.privacy import ForgetError, forget
from bot.sandbox.seed import SAMPLE_ROSTER
from bot.services import Services
from tests.roster.helpers import ACTOR, run_import


def test_forget_clears_identity_keeps_counts_and_ends_bindings(with_groups: Services,
                                                               tmp_path) -> None:
    run_import(with_groups, SAMPLE_ROSTER)
    now = with_groups.clock.now()
    with with_groups.sessions.begin() as session:
        person = session.scalar(sa.select(Retiree).where(Retiree.number == "LT00002"))
        groups_before = {g.name for g in person.groups if g.kind != "居住片区"}
        session.add(Binding(openid="o_family_01", retiree=person, role="agent", relation="女儿",
                            bound_at=now))
        session.add(InboundMessage(dedupe_key="msg:1", openid="o_family_01", msg_type="text",
                                   text=f"我爸{person.name}住院了", sent_at=now, received_at=now,
                                   route="fallback", reply_text="收到", retiree_id=person.id))
        pid, born, name, phone = person.id, person.birth_date, person.name, person.phone
    with with_groups.sessions.begin() as session:
        forget(session, pid, actor=ACTOR, now=now)
    with with_groups.sessions() as session:
        person = session.get(Retiree, pid)
        assert person.name == f"已匿名{pid}" and person.phone is None and person.number is None
        assert person.address is None and person.contacts == [] and person.health is None
        assert (person.birth_date, person.birth_precision) == (date(born.year, 1, 1), "year")
        assert {g.name for g in person.groups} == groups_before  # still counted in its branch
        assert not person.hardship and not person.lives_alone
        said = session.scalars(sa.select(InboundMessage)).one()
        assert (said.text, said.reply_text) == (None, None)
        assert session.scalar(sa.select(sa.func.count()).select_from(Retiree)) == 200
        assert session.scalars(sa.select(Binding)).one().unbound_at is not None
        assert session.scalars(sa.select(AuditEntry).where(
            AuditEntry.action == "roster.forget")).one().target == f"retiree:{pid}"
    export_file(with_groups.sessions, tmp_path / "out.csv", actor=ACTOR, now=now)
    exported = (tmp_path / "out.csv").read_text(encoding="utf-8-sig")
    assert name not in exported and phone not in exported
    with with_groups.sessions() as session, pytest.raises(ForgetError):
        forget(session, pid, actor=ACTOR, now=now)
    again = run_import(with_groups, SAMPLE_ROSTER)  # the office's file still lists them
    assert [(p.row, "匿名化" in p.message) for p in again.problems] == [(3, True)]


def test_forgetting_nobody_is_a_clear_error(services: Services) -> None:
    with services.sessions() as session, pytest.raises(ForgetError, match="没有这个人"):
        forget(session, 999, actor=ACTOR, now=services.clock.now())


def test_forget_also_erases_the_questions_kept_for_staff(office: Services, branch) -> None:
    from bot.db.engine import transaction
    from bot.models import PolicyQuestion
    from bot.questions import keeping

    with transaction(office.sessions) as session:
        for openid in ("o_zhang", "o_li"):
            keeping.keep(session, openid=openid, via="chat", text="我腿疼走不了路社区的事找谁",
                         outcome="unanswered", now=office.clock.now())
    with transaction(office.sessions) as session:
        forget(session, branch.ids["张明"], actor="cli:test", now=office.clock.now())
    with office.sessions() as session:
        assert list(session.scalars(sa.select(PolicyQuestion.openid))) == ["o_li"]
