"""`python -m bot content export`: staff's changes from the console written into content/ (new
examples appended, new answers in place, comments and layout kept), then marked exported so
the database no longer adds them on top."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
import tomlkit
from sqlalchemy.orm import Session
from tomlkit.items import Array

from bot import audit
from bot.models import PolicyOverride
from bot.policies.topics import read_topics


def export_changes(session: Session, content_dir: Path, *, actor: str, now: datetime) -> list[str]:
    """Write every change not yet exported into its topic's file; one line per file changed."""
    pending = list(session.scalars(sa.select(PolicyOverride).where(PolicyOverride.exported_at.is_(None))
                                   .order_by(PolicyOverride.id)))
    files = {t.id: t.path for t in read_topics(content_dir / "policies")[0]}
    by_topic: dict[str, list[PolicyOverride]] = {}
    for change in pending:
        by_topic.setdefault(change.topic, []).append(change)
    written = []
    for topic, changes in by_topic.items():
        if topic not in files:
            continue  # its file is gone: left pending, and shown as such
        written.append(_write(files[topic], changes))
        for change in changes:
            change.exported_at = now
    if written:
        audit.record(session, actor=actor, action="policy.export", at=now, target=str(content_dir),
                     rows=len(pending))
    return written


def _write(path: Path, changes: list[PolicyOverride]) -> str:
    document = tomlkit.parse(path.read_text(encoding="utf-8"))
    examples = document.setdefault("examples", tomlkit.array())
    added = [c.text for c in changes if c.kind == "example" and c.text not in examples]
    for text in added:
        examples.append(text)
    if isinstance(examples, Array):
        examples.multiline(True)  # one example a line, as the files are written
    answers = [c.text for c in changes if c.kind == "answer"]
    if answers:
        document["answer"] = tomlkit.string("\n" + answers[-1] + "\n", multiline=True)
    written = path.with_name(f".{path.name}.new")  # whole or not at all: workers read these files
    written.write_text(tomlkit.dumps(document), encoding="utf-8")
    os.replace(written, path)
    said = [f"例句 +{len(added)}"] if added else []
    return f"{path.name}：{'、'.join([*said, *(['新回答'] if answers else [])]) or '无变化'}"
