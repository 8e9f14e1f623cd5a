"""The console's private folder ([console] upload_dir, readable by its owner only): uploads wait
there for their confirmation and exports are written there, then streamed and removed; anything
left over a day is cleared."""

from __future__ import annotations

import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

from flask import Response, stream_with_context

from bot.console.web import services

KEPT_FOR = 86400  # seconds an upload waits for its confirmation
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def folder() -> Path:
    """The private folder; what waited there over a day is removed."""
    found = Path(services().settings.console.upload_dir)
    found.mkdir(mode=0o700, parents=True, exist_ok=True)
    for old in found.iterdir():
        if time.time() - old.stat().st_mtime > KEPT_FOR:
            shutil.rmtree(old, ignore_errors=True)
    return found


def download(name: str, write: Callable[[Path], object]) -> Response:
    """A spreadsheet named name, written by write(path) in a folder of its own, streamed to the
    browser and removed once sent (the caller's write audit-logs it)."""
    place = folder() / f"export-{secrets.token_hex(8)}"
    place.mkdir(mode=0o700)
    path = place / name.replace("/", "-").replace("\\", "-")  # an activity may be 「书法/绘画展」
    write(path)
    return Response(stream_with_context(_chunks(path)), mimetype=XLSX, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}",
        "Cache-Control": "no-store"})


def _chunks(path: Path) -> Iterator[bytes]:
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(64 * 1024):
                yield chunk
    finally:
        shutil.rmtree(path.parent, ignore_errors=True)
