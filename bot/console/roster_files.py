"""名册 files: import an upload (checked row by row and shown before anything is written, then
confirmed — both with a progress bar) and export the roster as Excel, streamed from a file.

The import is the command's importer (all or nothing, the same report); the upload waits in
[console] upload_dir, readable by its owner only, until it is imported or a day has passed.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from flask import Response, abort, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from bot.care.deaths import after_import
from bot.console import background, files
from bot.console.web import BODY_LIMITS, actor, console, now, page, requires, services, staff, whole_office
from bot.models import GROUP_KINDS
from bot.roster.export import export_file
from bot.roster.importer import ImportPlan, cleared_text, import_file, new_line
from bot.roster.sheets import MAX_FILE
from bot.services import Services
from bot.staff.roles import Can

SUFFIXES = (".xlsx", ".xlsm", ".csv")
# The roster file's own limit, not a form's (the app's is 64 KB: /wechat's messages are small).
BODY_LIMITS[f"{console.name}.roster_import"] = MAX_FILE
SHOWN = 200      # problems or changes listed on the page; the rest are counted


@console.route("/roster/import", methods=["GET", "POST"])
@requires(Can.EDIT)
def roster_import() -> BaseResponse | tuple[str, int]:
    """The upload form; an upload is saved and checked in the background."""
    whole_office()  # the roster file is everyone's
    if request.method == "GET":
        return page("roster_import.html")
    upload = request.files.get("file")
    name = Path((upload.filename or "") if upload else "").name[:100]
    if upload is None or not name:
        return page("roster_import.html", 400, problem="请选择要导入的名册文件（.xlsx 或 .csv）。")
    if not name.lower().endswith(SUFFIXES):
        return page("roster_import.html", 400,
                    problem=f"“{name}”不是名册文件：请另存为 .xlsx 或 .csv 后再导入。")
    token = secrets.token_urlsafe(12)
    path = _save(upload, token, name)
    _run(token, "check", partial(_check, path))
    return redirect(url_for("console.roster_import_status", token=token))


@console.get("/roster/import/<token>")
@requires(Can.EDIT)
def roster_import_status(token: str) -> tuple[str, int]:
    """Where the check or the import is; htmx polls it while it runs."""
    task, phase = _task(token)
    template = "roster_import_status.html" if request.headers.get("HX-Request") else "roster_import_page.html"
    return page(template, task=task, phase=phase, token=token, shown=SHOWN, group_kinds=GROUP_KINDS)


@console.post("/roster/import/<token>/confirm")
@requires(Can.EDIT)
def roster_import_confirm(token: str) -> BaseResponse:
    """Import the checked file: all or nothing, exactly as checked unless the roster changed since."""
    whole_office()  # the roster file is everyone's
    task, phase = _task(token)
    if phase != "check" or task.state != "done" or not task.result.get("ok"):
        abort(400)
    if not services().store.add(f"{_key(token)}:confirmed", "1", background.KEEP):
        abort(400)  # confirmed already (a second click): one import
    path = _upload(token)
    _run(token, "apply", partial(_apply, path))
    return redirect(url_for("console.roster_import_status", token=token))


@console.get("/roster/export")
@requires(Can.EXPORT)
def roster_export() -> Response:
    """The whole roster as an .xlsx download (audit-logged), streamed from a private file."""
    whole_office()  # the roster file is everyone's
    name = f"名册-{now():%Y%m%d}.xlsx"
    return files.download(name, lambda path: export_file(services().sessions, path, actor=actor(), now=now(),
                                                         target=f"下载 {name}"))


Report = Callable[[str, int, int], None]
Step = Callable[[Services, str, Report], dict[str, Any]]


def _run(token: str, phase: str, step: Step) -> None:
    """Start step in the background with what it needs from this request (the thread has none)."""
    held, who = services(), actor()

    def work(report: Report) -> dict[str, Any]:
        return {"phase": phase, **step(held, who, report)}
    background.start(held.store, _key(token), staff().id, work)


def _check(path: Path, held: Services, who: str, report: Report) -> dict[str, Any]:
    """Plan the import, then undo it: what it would do, or every problem."""
    with held.sessions() as session:
        plan = import_file(session, path, actor=who, now=held.clock.now(), target=path.name, progress=report,
                           after_deaths=after_import(held.settings, held.texts))
        session.rollback()
    return _summary(plan)


def _apply(path: Path, held: Services, who: str, report: Report) -> dict[str, Any]:
    """Import for real: all or nothing; the upload is removed once it is in."""
    with held.sessions() as session:
        plan = import_file(session, path, actor=who, now=held.clock.now(), target=f"上传 {path.name}",
                           progress=report, after_deaths=after_import(held.settings, held.texts))
        if plan.ok:
            session.commit()
    if plan.ok:
        shutil.rmtree(path.parent, ignore_errors=True)
    return _summary(plan)


def _summary(plan: ImportPlan) -> dict[str, Any]:
    return {"ok": plan.ok, "rows": plan.rows, "created": len(plan.creates), "updated": plan.updated,
            "unchanged": plan.unchanged,
            "problems": [(p.row, p.column, p.message) for p in plan.problems[:SHOWN]],
            "problem_count": len(plan.problems), "changes": plan.changes[:SHOWN],
            "change_count": len(plan.changes), "ignored": plan.ignored,
            "new": [new_line(r) for r in plan.creates[:SHOWN]], "after_deaths": plan.after_deaths,
            "cleared": cleared_text(plan)}


def _task(token: str) -> tuple[background.Task, str]:
    task = background.read(services().store, _key(token), staff().id)
    if task is None:
        abort(404)
    return task, task.result.get("phase", "")


def _key(token: str) -> str:
    return f"console:import:{token}"


def _save(upload: Any, token: str, name: str) -> Path:
    folder = files.folder() / token
    folder.mkdir(mode=0o700)
    path = folder / name
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as fh:
        shutil.copyfileobj(upload.stream, fh)
    return path


def _upload(token: str) -> Path:
    safe = token.replace("-", "").replace("_", "").isalnum()
    waiting = list((files.folder() / token).glob("*")) if safe else []
    if not waiting:
        abort(404)
    return waiting[0]
