"""`python -m bot content export`: staff's changes from the console written into content/ (the
questions they taught appended to policies/asked.tsv, new answers in place in the topics' files,
comments and layout kept), then marked exported so the database no longer adds them on top."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
import tomlkit
from sqlalchemy.orm import Session

from bot import audit
from bot.models import PolicyOverride
from bot.policies.topics import ASKED_FILE, read_asked, read_topics


def export_changes(session: Session, content_dir: Path, *, actor: str, now: datetime) -> list[str]:
    """Write every change not yet exported into content/; one line per file changed."""
    pending = list(session.scalars(sa.select(PolicyOverride).where(PolicyOverride.exported_at.is_(None))
                                   .order_by(PolicyOverride.id)))
    files = {t.id: t.path for t in read_topics(content_dir / "policies")[0]}
    kept = [c for c in pending if c.topic in files]  # a topic whose file is gone: left pending, shown so
    written = []
    if taught := [c for c in kept if c.kind == "example"]:
        written.append(_append_asked(content_dir / "policies" / ASKED_FILE, taught, set(files)))
    answers: dict[str, PolicyOverride] = {c.topic: c for c in kept if c.kind == "answer"}  # the last
    written += [_write_answer(files[topic], change.text) for topic, change in answers.items()]
    for change in kept:
        change.exported_at = now
    if written:
        audit.record(session, actor=actor, action="policy.export", at=now, target=str(content_dir),
                     rows=len(kept))
    return written


def _append_asked(path: Path, taught: list[PolicyOverride], topics: set[str]) -> str:
    """The taught questions added to asked.tsv (those not in it yet), the file written whole."""
    known = {q for questions in read_asked(path, topics)[0].values() for q in questions}
    lines = [f"{c.text}\t{c.topic}\n" for c in taught if c.text not in known and "\t" not in c.text]
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    _replace(path, old + ("" if not old or old.endswith("\n") else "\n") + "".join(dict.fromkeys(lines)))
    return f"{path.name}：问法 +{len(dict.fromkeys(lines))}"


def _write_answer(path: Path, answer: str) -> str:
    document = tomlkit.parse(path.read_text(encoding="utf-8"))
    document["answer"] = tomlkit.string("\n" + answer + "\n", multiline=True)
    _replace(path, tomlkit.dumps(document))
    return f"{path.name}：新回答"


def _replace(path: Path, text: str) -> None:
    """Whole or not at all: workers read these files."""
    written = path.with_name(f".{path.name}.new")
    written.write_text(text, encoding="utf-8")
    os.replace(written, path)
