"""学习 from the mini-program: the months, a month's material (summary, the article as HTML and
as Markdown, audio, pictures), 「我已学习」 for oneself or as family, and the quiz one question
at a time with its explanation. The same material, reading record and answers as the chat and
the reading page (bot.study)."""

from __future__ import annotations

import unicodedata
from typing import Any
from urllib.parse import urljoin

from flask import abort, request
from pydantic import BaseModel, Field, field_validator
from sqlalchemy.orm import Session

from bot.api.spec import (
    NEEDS_LOGIN,
    Error,
    Refused,
    Request,
    acting,
    api,
    blueprint,
    bound,
    documented,
    services,
    signed_in,
)
from bot.models import MiniUser
from bot.study import material as materials
from bot.study.page import media_url
from bot.study.readings import may_study, quiz_answered, read_months, record_reading


class MonthRef(BaseModel):
    """A month with material."""

    month: str = Field(description="如 2026-12")
    label: str = Field(description="说给老同志听的月份，如「12 月」")
    title: str = Field(description="这个月学习材料的标题")
    read: bool | None = Field(description="这位老同志学过了吗；还没绑定时为空")


class Months(BaseModel):
    """The months with material, newest first, and the one being studied now."""

    current: str | None = Field(description="现在学的月份")
    months: list[MonthRef] = Field(description="有学习材料的月份，新的在前")


class StudyMaterial(MonthRef):
    """One month's material."""

    summary: list[str] = Field(description="要点，一句一条")
    html: str = Field(description="文章，HTML")
    markdown: str = Field(description="文章，Markdown 原文")
    audio: str | None = Field(description="朗读音频的地址")
    images: list[str] = Field(description="图片的地址")
    quiz_count: int = Field(description="答题有几道")


class Reading(BaseModel):
    """The reading as recorded."""

    first: bool = Field(description="这次才记下（false：以前已经记过）")
    by_family: bool = Field(description="家属代办记下的")


class QuizQuestion(BaseModel):
    """One question of the month's quiz, without its answer."""

    number: int = Field(description="第几题（从 1 起）")
    count: int = Field(description="一共几题")
    question: str = Field(description="题目")
    choices: dict[str, str] = Field(description="选项，字母到内容，如 {\"A\": \"……\"}")


class QuizAnswer(Request):
    """An answer to one question."""

    choice: str = Field(pattern="^[A-Da-dＡ-Ｄａ-ｄ1-4]$", description=(
        "选的字母，A 到 D（题有几个选项，就到第几个字母）；"
        "和聊天里一样，全角字母（Ｂ）和选项的序号（2）也行"))

    @field_validator("choice", mode="before")
    @classmethod
    def _as_the_chat_reads_it(cls, value: Any) -> Any:
        """「Ｂ」 is B and 「2」 is B, as the chat takes them."""
        if not isinstance(value, str):
            return value
        plain = unicodedata.normalize("NFKC", value).strip()
        places = [str(n) for n in range(1, len(materials.LETTERS) + 1)]
        return materials.LETTERS[places.index(plain)] if plain in places else plain


class Verdict(BaseModel):
    """Whether the answer was right, the right one, why, and the next question's number."""

    right: bool = Field(description="答对了")
    answer: str = Field(description="正确的选项，带字母")
    explain: str = Field(description="讲解")
    next: int | None = Field(description="下一题的题号；答完了为空")


@blueprint.get("/study/months")
@api.validate(resp=documented(HTTP_200=Months, HTTP_401=Error), tags=["学习"], security=NEEDS_LOGIN)
def months() -> Any:
    """有学习材料的月份。"""
    with signed_in() as (session, user):
        read = _read(session, user)
        found = _published()
        return Months(current=found[0].month if found else None, months=[_ref(m, read) for m in found])


@blueprint.get("/study/<month>")
@api.validate(resp=documented(HTTP_200=StudyMaterial, HTTP_401=Error, HTTP_404=Error), tags=["学习"],
              security=NEEDS_LOGIN)
def material(month: str) -> Any:
    """一个月的学习材料。"""
    with signed_in() as (session, user):
        found = _material(month)
        ref = _ref(found, _read(session, user))
    return StudyMaterial(**ref.model_dump(), summary=list(found.summary), html=found.html(),
                         markdown=found.body, audio=_address(found.audio, month) if found.audio else None,
                         images=[_address(image, month) for image in found.images],
                         quiz_count=len(found.quiz))


@blueprint.post("/study/<month>/read")
@api.validate(resp=documented(HTTP_200=Reading, HTTP_401=Error, HTTP_403=Error, HTTP_404=Error,
                              HTTP_409=Error), tags=["学习"], security=NEEDS_LOGIN)
def mark_read(month: str) -> Any:
    """我已学习：给本人记下，家属代办的也记下。"""
    with acting() as (session, _user, binding):
        _material(month)
        if not may_study(session, binding.retiree_id):
            raise Refused(409, "deceased", services().texts.get("study.deceased", name=binding.retiree.name))
        first = record_reading(session, binding.retiree_id, month, services().clock.now(), via="mini",
                               by_agent=binding.is_agent, may=True)  # asked just above
        return Reading(first=first, by_family=binding.is_agent)


@blueprint.get("/study/<month>/quiz/<int:number>")
@api.validate(resp=documented(HTTP_200=QuizQuestion, HTTP_401=Error, HTTP_404=Error), tags=["学习"],
              security=NEEDS_LOGIN)
def quiz_question(month: str, number: int) -> Any:
    """答题：第几题（从 1 起）。"""
    with signed_in():
        question, count = _question(month, number)
        return QuizQuestion(number=number, count=count, question=question.question,
                            choices=dict(zip(materials.LETTERS, question.choices, strict=False)))


@blueprint.post("/study/<month>/quiz/<int:number>")
@api.validate(json=QuizAnswer, resp=documented(HTTP_200=Verdict, HTTP_401=Error, HTTP_404=Error,
                                               HTTP_422=Error), tags=["学习"], security=NEEDS_LOGIN)
def quiz_answer(month: str, number: int, json: QuizAnswer) -> Any:
    """回答一道题：对不对、正确答案和讲解。"""
    with signed_in() as (session, user):
        question, count = _question(month, number)
        choice = json.choice.upper()
        if choice not in question.letters:  # as the chat takes only the letters it showed
            raise Refused(422, "invalid", f"这道题请选 {'、'.join(question.letters)} 中的一个。")
        if (binding := bound(session, user)) is not None:
            quiz_answered(session, binding.retiree_id, month, number, count, services().clock.now(),
                          via="mini", by_agent=binding.is_agent)
        return Verdict(right=choice == question.answer, answer=question.answer_text,
                       explain=question.explain, next=number + 1 if number < count else None)


def _material(month: str) -> materials.Material:
    """A month's material once it is out (404 for next month's, still being prepared)."""
    settings = services().settings
    found = materials.published_month(settings.content_dir, settings.study.day, services().clock.now().date(),
                                      month)
    if found is None:
        abort(404)
    return found


def _published() -> list[materials.Material]:
    settings = services().settings
    return materials.published(settings.content_dir, settings.study.day, services().clock.now().date())


def _question(month: str, number: int) -> tuple[materials.QuizQuestion, int]:
    quiz = _material(month).quiz
    if not 1 <= number <= len(quiz):
        abort(404)
    return quiz[number - 1], len(quiz)


def _read(session: Session, user: MiniUser) -> set[str] | None:
    """The months the user's retiree has read; None before binding."""
    binding = bound(session, user)
    return read_months(session, binding.retiree_id) if binding is not None else None


def _ref(found: materials.Material, read: set[str] | None) -> MonthRef:
    return MonthRef(month=found.month, label=found.label, title=found.title,
                    read=None if read is None else found.month in read)


def _address(value: str, month: str) -> str:
    """A picture's or recording's full address, as a mini-program needs it."""
    return urljoin(request.host_url, media_url(value, month))
