"""The nightly purge removes what has lapsed — shared-store entries kept in the database (rate
counters, dedupe keys) and mini-program logins — and keeps what is still good."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from bot.clock import FixedClock
from bot.db.engine import transaction
from bot.models import KvEntry, MiniSession, MiniUser
from bot.scheduling import jobs
from bot.services import Services


def test_lapsed_entries_and_logins_go_and_live_ones_stay(services: Services, clock: FixedClock) -> None:
    now = clock.now()
    services.store.set("live", "1", ttl=600)  # ten minutes: lapsed by the time the job runs
    services.store.set("kept", "1", ttl=10 * 86400)
    services.store.count("api-rate:address:203.0.113.5", ttl=60)
    with transaction(services.sessions) as session:
        user = MiniUser(openid="o_mini", created_at=now, last_login_at=now)
        session.add(user)
        session.flush()
        session.add_all([MiniSession(token_hash="old", user_id=user.id, session_key="k", created_at=now,
                                     expires_at=now + timedelta(days=1)),
                         MiniSession(token_hash="new", user_id=user.id, session_key="k", created_at=now,
                                     expires_at=now + timedelta(days=30))])
    clock.advance(days=2)
    jobs.run_daily(services, "purge_expired")
    with services.sessions() as session:
        keys = set(session.scalars(sa.select(KvEntry.key)))
        logins = [s.token_hash for s in session.scalars(sa.select(MiniSession))]
    assert "live" not in keys and "api-rate:address:203.0.113.5" not in keys  # both lapsed by now
    assert "kept" in keys
    assert logins == ["new"]
