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
from bot.policies.topics import ASKED_FILE, NOT_OURS, read_asked, read_topics, with_asked


def export_changes(session: Session, content_dir: Path, *, actor: str, now: datetime) -> list[str]:
    """Write every change not yet exported into content/; one line per file changed."""
    pending = list(session.scalars(sa.select(PolicyOverride).where(PolicyOverride.exported_at.is_(None))
                                   .order_by(PolicyOverride.id)))
    files = {t.id: t.path for t in read_topics(content_dir / "policies")[0]}
    # A topic whose file is gone: left pending, shown so. NOT_OURS: marked not the office's.
    kept = [c for c in pending if c.topic in files or (c.topic == NOT_OURS and c.kind == "example")]
    written = []
    if taught := [(c.topic, c.text) for c in kept if c.kind == "example"]:  # in the order taught
        written.append(_write_asked(content_dir / "policies" / ASKED_FILE, taught, set(files)))
    answers: dict[str, PolicyOverride] = {c.topic: c for c in kept if c.kind == "answer"}  # the last
    written += [_write_answer(files[topic], change.text) for topic, change in answers.items()]
    for change in kept:
        change.exported_at = now
    if written:
        audit.record(session, actor=actor, action="policy.export", at=now, target=str(content_dir),
                     rows=len(kept))
    return written


class ExportError(ValueError):
    """content/ would not read back after the export: nothing is written, nothing marked."""


def _write_asked(path: Path, taught: list[tuple[str, str]], topics: set[str]) -> str:
    """The taught questions written into asked.tsv (a correction changes its line's topic); the
    new file is read back as content check reads it before it replaces the old one."""
    text, changed = with_asked(path.read_text(encoding="utf-8") if path.exists() else "", taught)
    staged = _staged(path, text)
    if problems := read_asked(staged, topics)[1]:
        staged.unlink()
        raise ExportError(f"{path.name} 导出后读不回来，没有写入：{problems[0]}")
    os.replace(staged, path)
    return f"{path.name}：问法 +{changed}"


def _write_answer(path: Path, answer: str) -> str:
    document = tomlkit.parse(path.read_text(encoding="utf-8"))
    document["answer"] = tomlkit.string("\n" + answer + "\n", multiline=True)
    os.replace(_staged(path, tomlkit.dumps(document)), path)
    return f"{path.name}：新回答"


def _staged(path: Path, text: str) -> Path:
    """text in a file beside path, to replace it whole or not at all: workers read these files."""
    staged = path.with_name(f".{path.name}.new")
    staged.write_text(text, encoding="utf-8")
    return staged
