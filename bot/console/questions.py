"""没答上的问题: what the chat could not answer, grouped (the same question in other words is one
row, the most asked first); staff teach a group to a topic in one click (it becomes an example
when the rule for examples holds) or mark it as not the office's to answer; and rewrite a
topic's answer with a preview of what a retiree reads. Changes reach every worker within
seconds, without a restart (bot.questions)."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from werkzeug.wrappers import Response

from bot.console.web import (
    actor,
    allowed,
    console,
    db,
    now,
    page,
    record_ids,
    requires,
    saving,
    services,
    whole_office,
)
from bot.language.office import office_values
from bot.models import OUTCOME_NAMES
from bot.policies import PolicyEngine
from bot.policies.topics import NOT_OURS
from bot.questions import teaching
from bot.questions.grouping import open_groups
from bot.questions.knowledge import knowledge_for
from bot.staff.roles import Can

ALSO_SHOWN = 3  # other wordings shown under a group's first


def _engine() -> PolicyEngine:
    return knowledge_for(services()).engine(db().connection())


def _changed() -> None:
    knowledge_for(services()).changed()


@console.get("/questions")
def questions() -> tuple[str, int]:
    """The open questions, grouped, each with the topics the bot would guess (the whole
    office's: a branch's account neither reads them nor changes what every retiree is told)."""
    whole_office()
    engine = _engine()
    return page("questions.html", groups=open_groups(db(), engine), topics=engine.topics,
                outcomes=OUTCOME_NAMES, also=ALSO_SHOWN, marks=teaching.pending(db()),
                not_ours=NOT_OURS)


@console.post("/questions/assign")
@requires(Can.EDIT)
def assign() -> Response:
    """Teach a group of questions to the chosen topic."""
    whole_office()
    topic, ids = request.form.get("topic", ""), _ids()
    try:
        with saving() as session:
            taught = teaching.assign(session, _engine(), ids, topic, actor=actor(), now=now())
    except teaching.TeachingError as exc:
        flash(str(exc), "error")
        return redirect(url_for("console.questions"))
    _changed()
    if taught.added:
        title = _engine().topics[topic].title
        flash(f"已把 {len(taught.added)} 个问题归入「{title}」，以后这样问会答这个话题。")
    for question, why in taught.refused:
        flash(f"「{question.text}」没有归入：{why}", "error")
    return redirect(url_for("console.questions"))


@console.post("/questions/out-of-scope")
@requires(Can.EDIT)
def out_of_scope() -> Response:
    """Mark a group as not the office's to answer."""
    whole_office()
    with saving() as session:
        marked = teaching.out_of_scope(session, _ids(), actor=actor(), now=now())
    _changed()
    flash(f"已把 {marked} 个问题标为不属于政策问答，以后同样的话不再答，也不再列在这里。")
    return redirect(url_for("console.questions"))


@console.post("/questions/taught/<int:mark>/undo")
@requires(Can.EDIT)
def undo(mark: int) -> Response:
    """Undo a question taught to a topic, or marked 不属于政策问答, that is not exported yet."""
    whole_office()
    try:
        with saving() as session:
            reopened = teaching.undo(session, mark, actor=actor(), now=now())
    except teaching.TeachingError as exc:
        flash(str(exc), "error")
        return redirect(url_for("console.questions"))
    _changed()
    flash(f"已撤销：这样问的又会照原来回答，{reopened} 个问题回到待处理。")
    return redirect(url_for("console.questions"))


@console.route("/questions/topics/<topic>", methods=["GET", "POST"])
def topic_answer(topic: str) -> Response | tuple[str, int]:
    """A topic's answer: edit, preview as a retiree reads it, save."""
    whole_office()
    engine = _engine()
    if topic not in engine.topics:
        abort(404)
    answer = request.form.get("answer", engine.topics[topic].answer)
    texts, office = services().texts, office_values(services().settings)
    problems = teaching.answer_problems(engine, texts, office, topic, answer)
    if request.method == "POST" and request.form.get("do") == "save" and not problems:
        if not allowed(Can.EDIT):
            abort(403)
        with saving() as session:
            teaching.rewrite_answer(session, engine, texts, office, topic, answer, actor=actor(), now=now())
        _changed()
        flash(f"「{engine.topics[topic].title}」的回答已保存，几秒内所有人都会收到新回答。")
        return redirect(url_for("console.topic_answer", topic=topic))
    shown = teaching.preview(engine, texts, topic, answer) if not problems else ""
    return page("topic_answer.html", 400 if problems and request.method == "POST" else 200,
                topic=engine.topics[topic], answer=answer, preview=shown, problems=problems)


def _ids() -> list[int]:
    """The question numbers a form names (ignoring anything that is not one)."""
    return record_ids([part.strip() for part in request.form.get("ids", "").split(",")])
