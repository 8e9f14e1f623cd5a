"""Study in chat: 学习 (this month), 往期 (earlier months), 学完了 (recorded), 答题 (the quiz).

The quiz goes one question at a time, answered by letter or number, with a warm word and the
explanation after each; nothing is scored or compared with anyone.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from bot.conversation.context import Context
from bot.conversation.inbound import Inbound
from bot.conversation.replies import Reply, Text
from bot.conversation.router import Router
from bot.language.words import PARTICLES, named_choice, normalize, parse_choice, short_forms
from bot.study.links import reading_url
from bot.study.material import LETTERS, Material, QuizQuestion, current, months, usable
from bot.study.readings import has_read, may_study, quiz_answered, record_reading, retiree_name

PAST_STEP, QUIZ_STEP = "study.past", "study.quiz"
PAST_MONTHS = 6
CHOSEN_MONTH = "study_month"  # the month picked in 往期: 学完了 and 答题 act on it until another is chosen
_ANSWER_PREFIXES = ("我觉得是", "我觉得", "应该是", "我选", "选择", "答案是", "答案", "应该", "选", "是")
# What only points at a choice said in words: 「应该是遵义会议吧」 answers A.
_POINTING_AT_ANSWER = frozenset("我选是答案应该觉得就那个这对的") | frozenset(PARTICLES)
LONGEST_ANSWER = 12  # characters: an answer said in a sentence; a longer one is about something else
_LETTER = re.compile(r"(?<![A-Z])[A-E](?![A-Z])")
_PLACES = "一二三四五12345"
_PLACE = re.compile(r"(?:第|选项)([一二三四五1-5])")


def register(router: Router) -> None:
    """Add the study commands and their steps."""
    router.action("study", words=("学习", "本月学习", "学习材料", "这个月的学习"), event_keys=("STUDY",),
                  needs_binding=True)(this_month)
    router.action("study_past", words=("往期", "往期学习", "以前的学习"), needs_binding=True)(past)
    router.action("study_done", words=("学完了", "我学完了", "学习完了", "我已学习", "已学完", "学完啦",
                                       "看完了", "我看完了", "看完啦", "已经看完了", "读完了", "我读完了",
                                       "学好了", "我学好了", "学过了", "我学过了", "都学了", "我都学了",
                                       "已经学完了", "已经学了", "看过了", "我看过了", "已经看了",
                                       "已经看过了", "学习过了", "已经学习了"),
                  needs_binding=True)(done)
    router.action("study_quiz", words=("答题", "做题", "学习答题", "答个题", "做个题", "答答题", "做做题"),
                  needs_binding=True)(start_quiz)
    router.action("study_asked", needs_binding=True)(asked)
    router.matcher("study_asked")(asked_if_studied)
    router.matcher("study_told")(told_studied)
    router.step(PAST_STEP)(pick_past)
    router.step(QUIZ_STEP, remind=remind_quiz, resumes=True)(answer_quiz)


def this_month(msg: Inbound, ctx: Context) -> Reply:
    """This month's summary and the person's own reading link (this month is chosen again);
    「上个月的学习」: the month before's, chosen as if picked in 往期."""
    if (late := _late(ctx)) is not None:
        return late
    ctx.conversation.forget(CHOSEN_MONTH)
    material = _current(ctx)
    if material is None:
        return Text(ctx.texts.get("study.none_yet"))
    if ctx.texts.mentions(normalize(msg.text), "study.last_month_words") and (
            before := _month_before(ctx, material.month)) is not None:
        ctx.conversation.remember(CHOSEN_MONTH, before.month)
        material = before
    return Text(_summary(ctx, material))


def _month_before(ctx: Context, month: str) -> Material | None:
    """The newest material before month's, if any can be shown."""
    earlier = next((m for m in months(ctx.settings.content_dir) if m < month), None)
    return _material(ctx, earlier) if earlier is not None else None


def past(msg: Inbound, ctx: Context) -> Reply:
    """The earlier months, numbered."""
    now_studied = _current(ctx)
    newest = now_studied.month if now_studied else f"{ctx.now:%Y-%m}"
    earlier = [m for m in months(ctx.settings.content_dir) if m < newest][:PAST_MONTHS]
    shown = [(m, material) for m in earlier if (material := _material(ctx, m))]
    if not shown:
        return Text(ctx.texts.get("study.past_none"))
    ctx.conversation.expect(PAST_STEP, {"months": [m for m, _ in shown]})
    lines = [ctx.texts.get("study.past_item", number=n, label=f"{m[:4]} 年 {material.label}",
                           title=material.title) for n, (m, material) in enumerate(shown, start=1)]
    return Text("\n".join([ctx.texts.get("study.past_title"), *lines, ctx.texts.get("study.past_footer")]))


def pick_past(msg: Inbound, ctx: Context) -> Reply | None:
    """The month picked by number; anything else is not for this step."""
    shown = ctx.conversation.data.get("months", [])
    choice = parse_choice(msg.text)
    if choice is None or not 1 <= choice <= len(shown):
        return None
    ctx.conversation.clear()
    material = _material(ctx, shown[choice - 1])
    if material is None:
        return Text(ctx.texts.get("study.past_none"))
    ctx.conversation.remember(CHOSEN_MONTH, material.month)
    return Text(_summary(ctx, material))


def told_studied(msg: Inbound, ctx: Context) -> Reply | None:
    """「这个月的学习我看完了」「材料学完了」: 学完了 said in a sentence (heard before the policy
    answers, which would tell of the study day); None for anything else, and for a question."""
    plain = normalize(msg.text)
    texts = ctx.texts
    told = texts.mentions(plain, "study.told_done_words") and texts.mentions(plain, "study.told_what_words")
    if not told or _asks_if_studied(ctx, msg.text) or texts.mentions(plain, "study.told_not_with"):
        return None
    return ctx.act("study_done", msg)


def asked_if_studied(msg: Inbound, ctx: Context) -> Reply | None:
    """「我这个月学了没有」: whether the month's study is recorded (asked before the policy answers,
    which would tell of the study day); None for anything else."""
    return ctx.act("study_asked", msg) if _asks_if_studied(ctx, msg.text) else None


def asked(msg: Inbound, ctx: Context) -> Reply:
    """Whether the month's material (the one 学完了 records) is recorded as read, and what to do if not."""
    if (late := _late(ctx)) is not None:
        return late
    material = _studied(ctx)
    if material is None:
        return Text(ctx.texts.get("study.none_yet"))
    retiree_id, by_agent = _bound(ctx)
    read = has_read(ctx.connection, retiree_id, material.month)
    key = "study.asked_done" if read else "study.asked_not_yet"
    if by_agent:
        return Text(ctx.texts.get(f"{key}_family", name=retiree_name(ctx.connection, retiree_id),
                                  title=material.title))
    return Text(ctx.texts.get(key, title=material.title))


def _asks_if_studied(ctx: Context, text: str) -> bool:
    """Whether text asks if the study is done (「学完了吗」「我学完了没有」), rather than says so."""
    plain = normalize(text)
    return any(at == 0 or plain[at - 1] not in _SCHOOLING
               for word in ctx.texts.words("study.asked_words") for at in _places(plain, word))


# 大学了吗, 开学了吗, 上学了没: school, not the month's study (「老年大学开学了吗」「孙子上大学了吗」).
_SCHOOLING = frozenset("大开上放小中数同留入退复升科化文医自教逃休辍转插借求")


def _places(plain: str, word: str) -> list[int]:
    """Where word starts in plain, each time."""
    places, at = [], plain.find(word)
    while at >= 0:
        places.append(at)
        at = plain.find(word, at + 1)
    return places


def done(msg: Inbound, ctx: Context) -> Reply:
    """Record that the month's material has been read (by the retiree, or family for them):
    the month chosen in 往期, else this month's. Asked (「学完了吗」), it is answered, not recorded."""
    if _asks_if_studied(ctx, msg.text):
        return asked(msg, ctx)
    if (late := _late(ctx)) is not None:
        return late
    material = _studied(ctx)
    if material is None:
        return Text(ctx.texts.get("study.none_yet"))
    if not _record(ctx, material, may=True):  # _late found the person may study
        return Text(ctx.texts.get("study.already"))
    retiree_id, by_agent = _bound(ctx)
    if by_agent:
        name = retiree_name(ctx.connection, retiree_id)
        return Text(ctx.texts.get("study.recorded_family", name=name, title=material.title))
    return Text(ctx.texts.get("study.recorded", title=material.title))


def start_quiz(msg: Inbound, ctx: Context) -> Reply:
    """The first question of the month's quiz (the month chosen in 往期, else this month's)."""
    if (late := _late(ctx)) is not None:
        return late
    material = _studied(ctx)
    if material is None or not material.quiz:
        return Text(ctx.texts.get("study.quiz_none"))
    ctx.conversation.expect(QUIZ_STEP, {"month": material.month, "index": 0})
    return Text("\n".join([ctx.texts.get("study.quiz_start", title=material.title, count=len(material.quiz)),
                           _question(ctx, material.quiz[0], 1)]))


def answer_quiz(msg: Inbound, ctx: Context) -> Reply | None:
    """Say whether the answer is right, explain, and ask the next question."""
    data = ctx.conversation.data
    material = _material(ctx, data.get("month", ""))
    if material is None:
        ctx.conversation.clear()
        return None
    index = int(data.get("index", 0))
    question = material.quiz[index]
    letter = _letter(msg.text, question)
    if letter == "0" or (letter is None and ctx.texts.yes_or_no(msg.text) is False):
        ctx.conversation.clear()
        return Text(ctx.texts.get("study.quiz_stopped"))
    if letter is None and set(short_forms(msg.text)) & ctx.texts.words("study.quiz_unsure_words"):
        unsure = ctx.texts.get("study.quiz_unsure", letters="、".join(LETTERS[:len(question.choices)]))
        return Text("\n".join([unsure, _question(ctx, question, index + 1)]))
    if letter is None:
        return None  # not an answer: the router sees what else it is, then asks again
    verdict = (ctx.texts.get("study.quiz_right", explain=question.explain) if letter == question.answer
               else ctx.texts.get("study.quiz_wrong", answer=question.answer_text, explain=question.explain))
    if index + 1 == len(material.quiz):
        ctx.conversation.clear()
        retiree_id, by_agent = _bound(ctx)
        recorded = quiz_answered(ctx.connection, retiree_id, material.month, index + 1,
                                 len(material.quiz), ctx.now, via="chat", by_agent=by_agent)
        ending = "study.quiz_done_recorded" if recorded else "study.quiz_done"
        return Text("\n\n".join([verdict, ctx.texts.get(ending, title=material.title)]))
    ctx.conversation.expect(QUIZ_STEP, {"month": material.month, "index": index + 1})
    return Text("\n\n".join([verdict, _question(ctx, material.quiz[index + 1], index + 2)]))


def _record(ctx: Context, material: Material, *, may: bool | None = None) -> bool:
    """Record the material as read by the bound person (or their family for them); False when
    it already was (may: as record_reading's)."""
    retiree_id, by_agent = _bound(ctx)
    return record_reading(ctx.connection, retiree_id, material.month, ctx.now, via="chat",
                          by_agent=by_agent, may=may)


def _late(ctx: Context) -> Reply | None:
    """For family of a retiree who has died: no study for them, said gently; None otherwise."""
    retiree_id, _ = _bound(ctx)
    if may_study(ctx.connection, retiree_id):
        return None
    return Text(ctx.texts.get("study.deceased", name=retiree_name(ctx.connection, retiree_id)))


def _bound(ctx: Context) -> tuple[int, bool]:
    """(retiree_id, whether as family) of the binding, read as the claim read it: the study
    actions need no ORM session (each would open one for the binding alone)."""
    retiree_id, by_agent = ctx.on_behalf()
    assert retiree_id is not None  # every study action needs_binding
    return retiree_id, by_agent


def remind_quiz(ctx: Context, data: dict[str, Any]) -> str:
    """One line: the question still waiting, and the letters that answer it."""
    material = _material(ctx, data.get("month", ""))
    index = int(data.get("index", 0))
    if material is None or index >= len(material.quiz):
        return ctx.texts.get("study.quiz_stopped")
    question = material.quiz[index]
    return ctx.texts.get("study.quiz_waiting", number=index + 1, question=question.question,
                         letters="、".join(LETTERS[:len(question.choices)]))


def _letter(text: str, question: QuizQuestion) -> str | None:
    """「B」「b」「Ｂ」「选B」「答案是b吧」「2」「二」「遵义会议」 → the choice's letter; 0 → "0";
    anything else → None."""
    choices = len(question.choices)
    for said in short_forms(text):
        said = _unprefixed(said).upper()
        if len(said) == 1 and said in LETTERS[:choices]:
            return said
    number = parse_choice(text)
    if number == 0:
        return "0"
    if number is not None and 1 <= number <= choices:
        return LETTERS[number - 1]
    return _letter_in_sentence(text, choices) or _choice_in_words(text, question)


def _unprefixed(said: str) -> str:
    """A normalised answer without the words that lead up to it (「答案是」「我觉得」)."""
    return next((said[len(p):] for p in _ANSWER_PREFIXES if said.startswith(p)), said)


def _choice_in_words(text: str, question: QuizQuestion) -> str | None:
    """「遵义会议」「应该是1936年吧」「二万五千里」: the choice an answer says in words — its whole
    text, else a part no other choice shares as long, with nothing else said; None otherwise."""
    choices = [normalize(choice) for choice in question.choices]
    for said in short_forms(text):
        if (whole := _unprefixed(said)) in choices:
            return LETTERS[choices.index(whole)]
    number = named_choice(text, list(question.choices), pointing=_POINTING_AT_ANSWER)
    return LETTERS[number - 1] if number is not None else None


def _letter_in_sentence(text: str, choices: int) -> str | None:
    """「我选第三个C吧」「选项一」「应该是C」: the one choice a short sentence names, by its letter or
    its place; None when it names none, or two different ones."""
    plain = unicodedata.normalize("NFKC", text).upper()
    if len(plain) > LONGEST_ANSWER:
        return None
    named = {m.group(0) for m in _LETTER.finditer(plain)} | {
        LETTERS[_PLACES.index(m.group(1)) % 5] for m in _PLACE.finditer(plain)}
    picked = [letter for letter in named if letter in LETTERS[:choices]]
    return picked[0] if len(named) == 1 and picked else None


def _question(ctx: Context, question: QuizQuestion, number: int) -> str:
    choices = "\n".join(ctx.texts.get("study.quiz_choice", letter=letter, text=text)
                        for letter, text in zip(LETTERS, question.choices, strict=False))
    return ctx.texts.get("study.quiz_question", number=number, question=question.question, choices=choices)


def _summary(ctx: Context, material: Material) -> str:
    link = reading_url(ctx.settings, material.month, ctx.on_behalf()[0])
    return ctx.texts.get("study.this_month", label=material.label, title=material.title,
                         summary="\n".join(material.summary), link=link)


def _studied(ctx: Context) -> Material | None:
    """The month chosen in 往期, while the conversation remembers it; else this month's."""
    chosen = ctx.conversation.recall(CHOSEN_MONTH)
    return (_material(ctx, chosen) if chosen else None) or _current(ctx)


def _current(ctx: Context) -> Material | None:
    """This month's material from the study day on; before it, last month's (see current())."""
    return current(ctx.settings.content_dir, ctx.settings.study.day, ctx.now.date())


def _material(ctx: Context, month: str) -> Material | None:
    return usable(ctx.settings.content_dir, month)  # None: retirees hear the kind "not yet" words
