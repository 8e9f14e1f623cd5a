"""Every dialogue in tests/dialogues/*.toml, played through /wechat, its outcome checked."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bot import create_app
from bot.clock import FixedClock
from bot.config import Settings, StaffSettings
from bot.models import Binding, CareReport, Follower, OutboxMessage, Retiree, Signup, StudyReading, Ticket
from bot.sandbox.wechat_side import WeChatSide
from bot.services import Services, build_services
from tests.dialogues.world import SPEAKERS, STAFF, build_world
from tests.helpers import Chat

HERE = Path(__file__).parent
SPEAKS_FOR = {"self": "林秀英", "family": "王德明"}
APOLOGY = "刚才没有处理好"  # replies.error: what a retiree sees when a handler raised


def _dialogues() -> list[Any]:
    found = []
    for path in sorted(HERE.glob("*.toml")):
        for dialogue in tomllib.loads(path.read_text(encoding="utf-8"))["dialogue"]:
            found.append(pytest.param(dialogue, id=f"{path.stem}:{dialogue['name']}"))
    return found


DIALOGUES = _dialogues()


def test_the_corpus_is_large_and_every_name_unique() -> None:
    names = [p.values[0]["name"] for p in DIALOGUES]
    assert len(names) >= 150 and len(set(names)) == len(names)


@pytest.fixture
def world(settings: Settings, clock: FixedClock, tmp_path: Path) -> Iterator[tuple[Services, dict[str, int]]]:
    staffed = replace(settings, staff=StaffSettings(openids=(STAFF,)))
    services = build_services(staffed, clock=clock)
    ids = build_world(services, tmp_path)
    yield services, ids
    services.close()


@pytest.mark.parametrize("dialogue", DIALOGUES)
def test_dialogue(dialogue: dict[str, Any], world: tuple[Services, dict[str, int]], wechat: WeChatSide,
                  clock: FixedClock) -> None:
    services, ids = world
    chat = Chat(create_app(services=services).test_client(), wechat)
    openid = SPEAKERS.get(dialogue["who"], "o_someone_new")
    transcript: list[str] = []
    for number, turn in enumerate(dialogue["turns"], start=1):
        if turn["say"].startswith("@+"):  # 「@+35m」: time passes, nothing is said
            clock.advance(minutes=int(turn["say"].removeprefix("@+").removesuffix("m")))
            continue
        clock.advance(minutes=1)
        reply = _play(chat, wechat, openid, turn["say"]) or ""
        transcript += [f"{number}> {turn['say']}", f"{number}< {reply}"]
        _check_reply(turn, reply, "\n".join(transcript))
    _check_outcome(dialogue.get("outcome", {}), services, ids, openid, dialogue["who"], "\n".join(transcript))


def _play(chat: Chat, wechat: WeChatSide, openid: str, said: str) -> str | None:
    if said.startswith("语音:"):
        return chat.reply_to(wechat.voice(openid, said.removeprefix("语音:")))
    if said.startswith("点击:"):
        return chat.reply_to(wechat.event(openid, "CLICK", key=said.removeprefix("点击:")))
    if said == "关注":
        return chat.reply_to(wechat.event(openid, "subscribe"))
    return chat.say(said, openid=openid)


def _check_reply(turn: dict[str, Any], reply: str, transcript: str) -> None:
    assert reply, f"no reply at all\n{transcript}"
    assert APOLOGY not in reply, f"a handler failed\n{transcript}"
    for word in turn.get("has", []):
        assert word in reply, f"expected {word!r} in the reply\n{transcript}"
    if turn.get("has_any"):
        assert any(w in reply for w in turn["has_any"]), f"expected one of {turn['has_any']}\n{transcript}"
    for word in turn.get("lacks", []):
        assert word not in reply, f"did not expect {word!r} in the reply\n{transcript}"


def _check_outcome(outcome: dict[str, Any], services: Services, ids: dict[str, int], openid: str,
                   who: str, transcript: str) -> None:
    with services.sessions() as session:
        facts = _facts(session, ids, openid, who)
    for key, wanted in outcome.items():
        got = facts[key]
        if key == "ticket" and wanted != "none":  # words the 留言 must contain
            assert got != "none" and wanted in got, f"ticket: {got!r}, wanted {wanted!r}\n{transcript}"
        else:
            assert got == wanted, f"outcome {key}: {got!r}, wanted {wanted!r}\n{transcript}"


def _facts(session, ids: dict[str, int], openid: str, who: str) -> dict[str, Any]:
    """Every outcome key's value as the database has it."""
    reports = list(session.scalars(sa.select(CareReport).where(CareReport.openid == openid)))
    retiree_id = ids.get(SPEAKS_FOR.get(who, ""))
    binding = session.scalar(sa.select(Binding).where(Binding.openid == openid, Binding.unbound_at.is_(None)))
    if binding is not None:
        retiree_id = binding.retiree_id
    signup = session.scalar(sa.select(Signup).where(
        Signup.retiree_id == retiree_id, Signup.status != "cancelled").order_by(Signup.id.desc())) \
        if retiree_id else None
    tickets = list(session.scalars(sa.select(Ticket).where(Ticket.openid == openid)))
    reading = session.scalar(sa.select(StudyReading.month).where(StudyReading.retiree_id == retiree_id)
                             .order_by(StudyReading.id.desc())) if retiree_id else None
    follower = session.get(Follower, openid)
    alerts = session.scalars(sa.select(OutboxMessage.dedupe_key).where(OutboxMessage.recipient == STAFF))
    return {
        "care": (reports[0].kind if len(reports) == 1 else f"{len(reports)} reports") if reports else "none",
        "care_subject": reports[0].subject if reports else None,
        "staff_alerted": any(k.startswith(("care:", "ticket:")) for k in alerts),
        "signup": signup.status if signup else "none",
        "signup_activity": signup.activity.title if signup else None,
        "companion": bool(signup and signup.companion),
        "ticket": "none" if not tickets else _ticket_text(tickets),
        "bound_to": session.get(Retiree, binding.retiree_id).name if binding else "none",
        "bound_as": None if binding is None else "family" if binding.role == "agent" else "self",
        "relation": binding.relation if binding else None,
        "bind_failures": follower.bind_failures if follower else 0,
        "bind_locked": bool(follower and follower.bind_locked_until is not None),
        "reading": reading or "none",
    }


def _ticket_text(tickets: list[Ticket]) -> str:
    return "\n".join(t.text for t in tickets)
