"""学习 material edited in the browser: the month's article in Markdown with a preview as the
retiree's reading page shows it, its audio and pictures uploaded (checked to be what they say),
3 to 5 quiz questions; saved by the study feature (bot.study.editing) only when it passes
`content check`'s rules, where the pushes and the reading page read it."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from bot import audit
from bot.clock import SHANGHAI
from bot.console.web import (
    BODY_LIMITS,
    actor,
    console,
    db,
    now,
    page,
    requires,
    saving,
    services,
    whole_office,
)
from bot.roster.groups import group_names
from bot.staff.roles import Can
from bot.study.editing import MAX_AUDIO, MAX_IMAGE, Draft, Upload, check_upload, draft_problems, save
from bot.study.material import ALL, LETTERS, MONTH, QUIZ_SIZE, MaterialError, usable

IMAGES_AT_ONCE = 6
# The article and its uploads, larger than the app's 64 KB (deploy/nginx/yinling-proxy.conf too).
BODY_LIMITS[f"{console.name}.study_edit"] = MAX_AUDIO + IMAGES_AT_ONCE * MAX_IMAGE + 1024 * 1024
BODY_LIMITS[f"{console.name}.study_preview"] = 1024 * 1024


@console.route("/study/edit", methods=["GET", "POST"])
@requires(Can.EDIT)
def study_edit() -> Response | tuple[str, int]:
    """A month's material: the form (the month's file read into it), saved when it passes
    `content check`'s rules; the pushes and the reading page use it from then on."""
    whole_office()
    if request.method == "GET":
        month = request.args.get("month") or _next_month()
        on_file = usable(services().settings.content_dir, month) if MONTH.match(month) else None
        return _edit_page(Draft.of(on_file) if on_file else Draft(month))
    draft, uploads, problems = _read_draft()
    if problems:  # an upload refused: the rest of the form is checked too, all said at once
        problems += draft_problems(services().settings.content_dir, draft, uploads)
    else:
        try:
            with saving() as session:
                material = save(services().settings.content_dir, draft, uploads)
                audit.record(session, actor=actor(), action="study.edit", at=now(),
                             target=f"study:{draft.month}", title=material.title,
                             uploads=[u.name for u in uploads])
        except MaterialError as exc:
            problems += exc.problems
        else:
            flash(f"{material.month}《{material.title}》已保存，学习推送和阅读页从现在起用这一版。")
            return redirect(url_for("console.study"))
    if uploads:
        problems.append("刚才选的文件没有保存，请改好后重新选择。")
    return _edit_page(draft, problems, 400)


@console.post("/study/preview")
@requires(Can.EDIT)
def study_preview() -> str:
    """The reading page as a retiree would see it with what the form holds now (in a frame)."""
    whole_office()
    draft, _, _ = _read_draft(uploads=False)
    material = draft.preview()
    html = render_template("study.html", material=material, body=material.html(), name=None,
                           already=False, token="")
    if request.headers.get("HX-Request"):
        return render_template("console/study_preview.html", html=html)
    return html


def _read_draft(uploads: bool = True) -> tuple[Draft, list[Upload], list[str]]:
    """The form as a draft, the uploads it carries (checked), and what is wrong with them."""
    form = request.form
    chosen = [name for name in form.getlist("groups") if name]
    draft = Draft(form.get("month", "").strip(), form.get("title", "").strip(),
                  [ALL, *chosen] if form.get("everyone") else chosen or [ALL],  # both: the check asks
                  [line.strip() for line in form.getlist("summary") if line.strip()],
                  form.get("body", "").replace("\r\n", "\n"),
                  "" if form.get("remove_audio") else form.get("audio", ""), form.getlist("keep_images"),
                  [_question(n) for n in range(1, QUIZ_SIZE[1] + 1)
                   if form.get(f"q{n}_question", "").strip()])
    kept: list[Upload] = []
    problems: list[str] = []
    sent = [(f, True) for f in request.files.getlist("audio_file")] + \
        [(f, False) for f in request.files.getlist("image_files")] if uploads else []
    for upload, audio in sent:
        if not upload.filename:
            continue
        stream = upload.stream
        stream.seek(0, 2)
        size = stream.tell()
        stream.seek(0)
        try:
            name = check_upload(upload.filename, stream.read(16), size, audio=audio)
        except MaterialError as exc:
            problems.append(str(exc))
            continue
        stream.seek(0)
        kept.append(Upload(name, stream, audio))
    return draft, kept, problems


def _question(number: int) -> dict[str, object]:
    form = request.form
    choices = [form.get(f"q{number}_{letter}", "").strip() for letter in LETTERS]
    return {"question": form.get(f"q{number}_question", "").strip(), "choices": [c for c in choices if c],
            "answer": form.get(f"q{number}_answer", ""),
            "explain": form.get(f"q{number}_explain", "").strip()}


def _edit_page(draft: Draft, problems: list[str] | None = None, status: int = 200) -> tuple[str, int]:
    groups = group_names(db())
    return page("study_edit.html", status, draft=draft, problems=problems or [], groups=groups,
                letters=LETTERS, quiz_size=QUIZ_SIZE, all=ALL)


def _next_month() -> str:
    today = now().astimezone(SHANGHAI).date()
    return f"{today.year + today.month // 12}-{today.month % 12 + 1:02d}"
