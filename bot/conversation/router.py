"""Routing: which handler answers a message, in the order README's routing section gives.

A retiree does not know which step the bot is in. Whatever they say, the router does what an
attentive person at the office would: what must never wait comes first, an answer to the
question on screen goes to it, and anything else said in the middle of a task is answered
while the task keeps its place and says so in one short line (twice at most, not under
every answer until it expires; after that a bare 「好的」 or number makes it ask again first).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from bot.conversation.inbound import Inbound
from bot.conversation.replies import Reply, Silence, Text
from bot.conversation.steps import Frame
from bot.language.words import normalize, parse_choice, sound_key

if TYPE_CHECKING:
    from bot.conversation.context import Context

Handler = Callable[[Inbound, "Context"], Reply]
MaybeHandler = Callable[[Inbound, "Context"], Reply | None]
Remind = Callable[["Context", dict[str, Any]], str]
# A task's reminder ends the first two answers to something else; after that it waits unmentioned.
REMINDERS = 2
REMINDED = "_reminded"  # the count, kept in the task's own data
UNMENTIONED = "_unmentioned"  # in a task's data: an answer standing alone left it unmentioned


@dataclass(frozen=True)
class Step:
    """A pending step's handler (returning None declines a message that is no answer to it).

    remind: for a task (the quiz, a sign-up waiting for 「确认」, binding), the one line saying
    it still waits; a step without one is an offer (numbers to pick from), simply replaced by
    whatever comes next.
    urgent: what a care report said during the step does to it — "keep" (it waits, reminded),
    "end" (the report carried the words to staff: a 留言 is done), "answer" (the step itself
    takes report-like words, as 「是我老伴」 answers 「是您本人还是家里人」).
    answers: command words that are answers here (「报名」 confirms a sign-up).
    otherwise: what the task makes of a message nothing else understood, instead of asking its
    question again (after a care report, 「他住的是人民医院」 is more for staff to hear).
    resumes: after the step ran out (conversation_ttl), what nothing else understood is still
    its answer if the handler takes it: 「留言」 and the matter two hours later, a new phone number
    after a pause, the quiz's 「A」 half an hour on.
    """

    handle: MaybeHandler
    remind: Remind | None = None
    urgent: Literal["keep", "end", "answer"] = "keep"
    answers: frozenset[str] = frozenset()
    otherwise: MaybeHandler | None = None
    resumes: bool = False


@dataclass
class Router:
    """Handlers registered explicitly; `route` tries them in a fixed order.

    For words (text, or a voice message's recognised text):
    1. urgent matchers (care reports and emergencies); a step that takes report-like answers
       itself (「是我老伴」 to 是您本人还是家里人) is asked first;
    2. a way-out word (菜单): every step is left;
    3. the step on screen, then the newest task kept beneath it — for anything but a whole-
       message command word (a number or a 「好的」/「算了」 goes to the step even when it is also
       one); a number no step took is asked again, and 0 leads to the menu;
    4. a command word (whole message, sounding like one: 帮定 is 绑定, or from family after
       「我爸」「帮我妈」: 我爸看完了 is 看完了), then the matchers in
       registration order (policy questions, commands inside a sentence, courtesies);
    5. a task still waiting asks its question again; else the fallback.
    A task interrupted by 1 or 4 keeps its place: its reminder ends the reply (the first two
    times; then it waits unmentioned, and a bare answer makes it ask again), or, when the
    answer asked something of its own, it comes back once that is answered.
    """

    actions: dict[str, Handler] = field(default_factory=dict)
    words: dict[str, str] = field(default_factory=dict)
    event_keys: dict[str, str] = field(default_factory=dict)
    events: dict[str, Handler] = field(default_factory=dict)
    steps: dict[str, Step] = field(default_factory=dict)
    urgent: list[tuple[str, MaybeHandler]] = field(default_factory=list)
    matchers: list[tuple[str, MaybeHandler]] = field(default_factory=list)
    kinds: dict[str, Handler] = field(default_factory=dict)
    bound_only: set[str] = field(default_factory=set)
    exits: set[str] = field(default_factory=set)
    fallback: Handler | None = None
    # What is said first to a question nothing understood while a task waits (its reminder follows).
    unanswered: Callable[[Inbound, Context], str | None] | None = None
    bind_first: Callable[[str, Inbound, Context], Reply] | None = None
    someone_else: Callable[[str, Inbound, Context], Reply | None] | None = None

    def action(self, name: str, *, words: tuple[str, ...] = (), event_keys: tuple[str, ...] = (),
               needs_binding: bool = False, leaves_steps: bool = False) -> Callable[[Handler], Handler]:
        """Register a named action, reachable by whole-message words and menu EventKeys.

        needs_binding: only for someone bound to a retiree; others are taken through binding
        first. leaves_steps: its words leave every pending step (菜单).
        """
        def register(fn: Handler) -> Handler:
            self._claim(self.actions, name, fn)
            if needs_binding:
                self.bound_only.add(name)
            if leaves_steps:
                self.exits.add(name)
            for word in words:
                if not normalize(word):
                    raise ValueError(f"{word!r} is only punctuation: every message of it would match")
                self._claim(self.words, normalize(word), name)
            for key in event_keys:
                self._claim(self.event_keys, key, name)
            return fn
        return register

    def on_event(self, *events: str) -> Callable[[Handler], Handler]:
        """Register the handler of WeChat events such as subscribe."""
        def register(fn: Handler) -> Handler:
            for event in events:
                self._claim(self.events, event, fn)
            return fn
        return register

    def on_kind(self, *kinds: str) -> Callable[[Handler], Handler]:
        """Register the handler of message kinds that carry no words (image, location …)."""
        def register(fn: Handler) -> Handler:
            for kind in kinds:
                self._claim(self.kinds, kind, fn)
            return fn
        return register

    def step(self, name: str, *, remind: Remind | None = None,
             urgent: Literal["keep", "end", "answer"] = "keep", answers: tuple[str, ...] = (),
             otherwise: MaybeHandler | None = None, resumes: bool = False,
             ) -> Callable[[MaybeHandler], MaybeHandler]:
        """Register the handler of a pending step (see Step); returning None declines."""
        def register(fn: MaybeHandler) -> MaybeHandler:
            self._claim(self.steps, name, Step(fn, remind, urgent, frozenset(normalize(a) for a in answers),
                                               otherwise, resumes))
            return fn
        return register

    def urgent_matcher(self, name: str) -> Callable[[MaybeHandler], MaybeHandler]:
        """Register a matcher tried before any step: what must never wait."""
        def register(fn: MaybeHandler) -> MaybeHandler:
            self.urgent.append((name, fn))
            return fn
        return register

    def matcher(self, name: str) -> Callable[[MaybeHandler], MaybeHandler]:
        """Register a matcher tried after commands; returning None passes the message on."""
        def register(fn: MaybeHandler) -> MaybeHandler:
            self.matchers.append((name, fn))
            return fn
        return register

    def set_fallback(self, fn: Handler) -> Handler:
        """Register the answer to anything nothing else matched."""
        self.fallback = fn
        return fn

    def set_unanswered(self, fn: Callable[[Inbound, Context], str | None]) -> None:
        """Register what tells someone in the middle of a task that their question (「取暖费什么时候
        发」) cannot be answered here; None for what asks nothing (the task is asked again alone)."""
        self.unanswered = fn

    def set_bind_first(self, fn: Callable[[str, Inbound, Context], Reply]) -> None:
        """Register what an unbound user gets who asks for an action that needs binding."""
        self.bind_first = fn

    def set_someone_else(self, fn: Callable[[str, Inbound, Context], Reply | None]) -> None:
        """Register what answers family who ask an action needing binding for someone other than
        the elder they are bound to (None: it is for that elder)."""
        self.someone_else = fn

    def route(self, msg: Inbound, ctx: Context) -> tuple[str, Reply]:
        """The name of the route that answered, and its reply."""
        if msg.kind == "event":
            return self._route_event(msg, ctx)
        # Nothing to read (a sticker, a voice message not recognised, or recognised as 「。」 alone):
        # a waiting task keeps its place.
        heard = normalize(msg.text) if msg.kind == "voice" else msg.text
        said_nothing = "sticker" if msg.kind == "sticker" else (
            "empty_voice" if msg.is_text_like and not heard else None)
        if said_nothing in self.kinds:
            reply = self._interrupt(msg, ctx, self.kinds[said_nothing], self._waiting_task(ctx))
            assert reply is not None
            return f"kind:{said_nothing}", reply
        if not msg.is_text_like:
            handler = self.kinds.get(msg.kind)
            return (f"kind:{msg.kind}", handler(msg, ctx)) if handler else ("ignored", Silence())
        return self._route_words(msg, ctx)

    def _route_event(self, msg: Inbound, ctx: Context) -> tuple[str, Reply]:
        if msg.event == "click":
            name = self.event_keys.get(msg.event_key)
            if name is None or name in self.exits:  # 菜单 leaves every step; a button unknown: never silence
                ctx.conversation.reset()
                return (f"click:{name}", self.act(name, msg, ctx)) if name else self._fallback(msg, ctx)
            # A menu button during the quiz is a command as if typed: the quiz keeps its place.
            reply = self._interrupt(msg, ctx, lambda m, c: self.act(name, m, c), self._waiting_task(ctx))
            assert reply is not None  # an action always answers
            return f"click:{name}", reply
        handler = self.events.get(msg.event)
        return (f"event:{msg.event}", handler(msg, ctx)) if handler else ("ignored", Silence())

    def _route_words(self, msg: Inbound, ctx: Context) -> tuple[str, Reply]:
        conversation = ctx.conversation
        task = self._waiting_task(ctx)
        said = _Said.of(msg.text, ctx)
        if self._step_takes_reports(ctx) and (answered := self._answer_step(msg, ctx)) is not None:
            return answered
        for name, matcher in self.urgent:
            if (reply := self._interrupt(msg, ctx, matcher, task, urgent=True)) is not None:
                return f"urgent:{name}", reply
        command = self.words.get(said.text)
        if command is None and ctx.on_behalf()[1]:  # family: 「我爸看完了」 is 看完了 said for him
            command = self.words.get(said.for_someone)
        if command in self.exits and said.number is None:
            conversation.reset()
            return f"command:{command}", self.act(command, msg, ctx)
        if said.answer and said.number is None and (asked := self._acknowledged(ctx, task)) is not None:
            return asked
        if said.is_answer and (forgotten := self._forgotten(ctx, task)) is not None:
            return forgotten
        if said.is_answer and task is None and (lapsed := self._lapsed(ctx)) is not None:
            return lapsed
        if conversation.step is not None and (command is None or said.is_answer
                                              or said.text in self._step_answers(ctx)):
            if (answered := self._answer_step(msg, ctx)) is not None:
                return self._then_menu(msg, ctx, answered) if said.number == 0 else answered
            if task is not None and said.answer is False:
                conversation.reset()  # 「算了」 to a task that has no 「不」 of its own: it stops
                return f"step:{task.step}:stopped", Text(ctx.texts.get("replies.stopped"))
        if said.number is not None and (conversation.step is not None or command is None):
            return self._unoffered_number(msg, ctx, said.number, task)
        return self._something_else(msg, ctx, command or self._sounds_like_command(said.text), task)

    def _then_menu(self, msg: Inbound, ctx: Context, answered: tuple[str, Reply]) -> tuple[str, Reply]:
        """0 stops a step, and 0 is the menu everywhere else (「随时回复 0，回到这个菜单」): with
        nothing left waiting, the menu follows, so its numbers mean what it shows."""
        route, reply = answered
        conversation = ctx.conversation
        if conversation.step is not None or conversation.kept is not None or not isinstance(reply, Text):
            return answered
        menu = self.act("menu", msg, ctx)
        if not isinstance(menu, Text) or menu.content in reply.content:
            return answered
        return route, Text(f"{reply.content}\n\n{menu.content}", alone=reply.alone)

    def _something_else(self, msg: Inbound, ctx: Context, command: str | None,
                        task: Frame | None) -> tuple[str, Reply]:
        """A command or a matcher answers, the waiting task keeping its place; else the task
        asks its question again, or the fallback answers."""
        if command is not None:
            reply = self._interrupt(msg, ctx, lambda m, c: self.act(command, m, c), task)
            assert reply is not None
            return f"command:{command}", reply
        for name, matcher in self.matchers:
            if (reply := self._interrupt(msg, ctx, matcher, task)) is not None:
                return f"match:{name}", reply
        if task is not None:  # nothing else understood it: the task asks its question again
            self._put_on_screen(ctx, task)
            otherwise = self.steps[task.step].otherwise
            if otherwise is not None and (reply := otherwise(msg, ctx)) is not None:
                return f"step:{task.step}:otherwise", reply
            reminder = self.remind(ctx, task)
            if self.unanswered is not None and (said := self.unanswered(msg, ctx)) is not None:
                return f"step:{task.step}:unanswered", Text(f"{said}\n\n{reminder}")  # the question not lost
            return f"step:{task.step}:again", Text(reminder)
        if (resumed := self._resumed(msg, ctx)) is not None:
            return resumed
        return self._fallback(msg, ctx)

    def _resumed(self, msg: Inbound, ctx: Context) -> tuple[str, Reply] | None:
        """What nothing else understood, taken by the step that ran out lately when it takes such
        words after a pause (Step.resumes); None, and the conversation as it was, when it does not."""
        conversation = ctx.conversation
        spec = self.steps.get(conversation.lapsed or "")
        if spec is None or not spec.resumes:
            return None
        step = conversation.take_up_lapsed()
        assert step is not None
        if (reply := spec.handle(msg, ctx)) is not None:
            return f"step:{step}:resumed", reply
        conversation.leave_lapsed(step)
        return None

    def _step_answers(self, ctx: Context) -> frozenset[str]:
        spec = self.steps.get(ctx.conversation.step or "")
        return spec.answers if spec is not None else frozenset()

    def _step_takes_reports(self, ctx: Context) -> bool:
        spec = self.steps.get(ctx.conversation.step or "")
        return spec is not None and spec.urgent == "answer"

    def _answer_step(self, msg: Inbound, ctx: Context) -> tuple[str, Reply] | None:
        """The step on screen's answer, else the newest kept task's (the offer on screen then
        gives way); a step done brings back the task kept beneath it, with its reminder."""
        conversation = ctx.conversation
        on_screen, kept = conversation.frame(), conversation.kept
        for frame in (on_screen, kept):
            if frame is None or frame.step not in self.steps:
                continue
            if frame is kept:
                conversation.restore(conversation.take_kept())
            beneath = conversation.kept  # it comes back after: its numbers must be the last ones
            conversation.quiet = beneath is not None and self._is_task(beneath.step)
            reply = self.steps[frame.step].handle(msg, ctx)
            if reply is not None:
                return f"step:{frame.step}", self._resume_kept(ctx, reply)
            if frame is kept:  # nor did the task: leave both as they were
                conversation.restore(on_screen)
                conversation.keep(kept)
        return None

    def _resume_kept(self, ctx: Context, reply: Reply) -> Reply:
        """After a step's answer: a task kept beneath comes back on screen with its reminder,
        unless a task is on screen now (it goes first)."""
        conversation = ctx.conversation
        if _ended_tasks(ctx, reply):
            return reply
        step = conversation.step
        if conversation.kept is None or (step is not None and self._is_task(step)):
            return reply
        task = conversation.take_kept()
        conversation.restore(task)
        return self._with_reminder(ctx, reply, task)

    def _interrupt(self, msg: Inbound, ctx: Context, handler: MaybeHandler, task: Frame | None,
                   urgent: bool = False) -> Reply | None:
        """Run handler on something said besides the task; the task keeps its place after it."""
        conversation = ctx.conversation
        on_screen, kept = conversation.set_aside()
        conversation.quiet = task is not None  # the task's numbers must be the last ones read
        reply = handler(msg, ctx)
        if reply is None:
            conversation.put_back(on_screen, kept)
            return None
        if _ended_tasks(ctx, reply):
            return reply
        if task is not None and isinstance(reply, Text) and reply.alone:
            task.data[UNMENTIONED] = True  # the next bare 「好的」 acknowledges that answer (_acknowledged)
        older = [frame for frame in kept if frame is not task]
        conversation.put_back(conversation.frame(), older)
        if urgent and task is not None and self.steps[task.step].urgent == "end":
            return self._resume_kept(ctx, reply)  # a 留言 told as a report: the report carried it
        return self._remind_after(ctx, task, reply)

    def _remind_after(self, ctx: Context, task: Frame | None, reply: Reply) -> Reply:
        """The waiting task after an answer to something else: back on screen with its
        reminder; or, when the answer asked a question of its own (numbers to pick, another
        task), kept beneath it to come back once that is answered. The same step, or one of
        its family, started afresh (「答题」 during the quiz) replaces it."""
        if task is None:
            return reply
        conversation = ctx.conversation
        step = conversation.step
        if step is None:
            conversation.restore(task)
            return self._with_reminder(ctx, reply, task)
        if _family(step) != _family(task.step):
            conversation.keep(task)
        return reply

    def _acknowledged(self, ctx: Context, task: Frame | None) -> tuple[str, Reply] | None:
        """A bare 「好的」 right after an answer that stood alone (a 120 call, a death), the task left
        unmentioned: it says 「好，我这就打 120」, not yes to the task (a sign-up confirmed in a
        crisis), so the task asks again. A number, or anything else, answers as usual."""
        if task is None or ctx.conversation.frame() not in (None, task):
            return None
        if not task.data.pop(UNMENTIONED, False):
            return None
        self._put_on_screen(ctx, task)
        return f"step:{task.step}:again", Text(self.remind(ctx, task))

    def _forgotten(self, ctx: Context, task: Frame | None) -> tuple[str, Reply] | None:
        """A task unmentioned since its reminders ran out, with nothing newer on screen: a bare
        「好的」 or 「1」 may be about something else by now, so the task asks again, its count
        renewed, instead of taking it (a sign-up confirmed, or an unbinding, unawares)."""
        on_screen = ctx.conversation.frame()
        if task is None or task.data.get(REMINDED, 0) < REMINDERS or on_screen not in (None, task):
            return None
        task.data[REMINDED] = 0
        self._put_on_screen(ctx, task)
        return f"step:{task.step}:again", Text(self.remind(ctx, task))

    def _lapsed(self, ctx: Context) -> tuple[str, Reply] | None:
        """A bare 「好的」 or 「1」 after a step ran out unanswered (conversation_ttl): said so, with
        how to take it up again, rather than taken as a yes to nothing (「好的。还有别的事…」 had
        read as a sign-up confirmed). None when no step lapsed lately."""
        lapsed = ctx.conversation.lapsed
        if lapsed is None:
            return None
        ctx.conversation.lapse_told()
        labels = ctx.texts.table("replies")["lapsed_what"]
        what = next((label for prefix, label in labels.items() if lapsed.startswith(prefix)), None)
        if what is None:
            return None
        return f"lapsed:{lapsed}", Text(ctx.texts.get("replies.lapsed", what=what))

    def _with_reminder(self, ctx: Context, reply: Reply, task: Frame) -> Reply:
        """reply, then the task's reminder — under the first REMINDERS answers to other things;
        after that the task waits unmentioned (an attentive clerk says it once or twice, not
        under every answer for half an hour), its numbers still answering it."""
        told = task.data.get(REMINDED, 0)
        if not isinstance(reply, Text) or reply.alone or told >= REMINDERS:
            return reply
        task.data[REMINDED] = told + 1
        return Text(f"{reply.content}\n\n{self.remind(ctx, task)}")

    def remind(self, ctx: Context, task: Frame) -> str:
        """The task's one line saying it still waits (mentioned again: a 「好的」 now answers it)."""
        task.data.pop(UNMENTIONED, None)
        remind = self.steps[task.step].remind
        assert remind is not None  # only tasks wait
        return remind(ctx, task.data)

    def _unoffered_number(self, msg: Inbound, ctx: Context, number: int,
                          task: Frame | None) -> tuple[str, Reply]:
        """A number nothing on screen offered: 0 goes to the menu; others are asked again."""
        if number == 0:
            ctx.conversation.reset()
            return "command:menu", self.act("menu", msg, ctx)
        if task is not None:
            self._put_on_screen(ctx, task)
            again = ctx.texts.get("replies.no_such_choice_in_task")
            return f"step:{task.step}:no-such-choice", Text(f"{again}\n{self.remind(ctx, task)}")
        if (step := ctx.conversation.step) is not None:
            return f"step:{step}:no-such-choice", Text(ctx.texts.get("replies.no_such_choice"))
        menu = self.act("menu", msg, ctx)
        assert isinstance(menu, Text)
        return "no-such-choice", Text(f"{ctx.texts.get('replies.no_numbers_offered')}\n{menu.content}")

    def _put_on_screen(self, ctx: Context, task: Frame) -> None:
        """The waiting task back on screen (an offer on screen above it gives way)."""
        conversation = ctx.conversation
        if conversation.frame() is not task:
            conversation.take_kept()
            conversation.restore(task)

    def _waiting_task(self, ctx: Context) -> Frame | None:
        """The task waiting for an answer: on screen, or kept beneath an offer. A task the bot
        only invited to (data "invited": binding asked right after following) is not one."""
        conversation = ctx.conversation
        for frame in (conversation.frame(), conversation.kept):
            if frame is not None and self._is_task(frame.step) and not frame.data.get("invited"):
                return frame
        return None

    def _is_task(self, step: str) -> bool:
        spec = self.steps.get(step)
        return spec is not None and spec.remind is not None

    def may_be_read(self, text: str) -> bool:
        """Whether a handler may ask the policy engine or the care words what text says: not for a
        number someone picks, a letter (the quiz's), nor a command word (read ahead of a message's
        transaction, these would be read for nothing)."""
        plain = normalize(text)
        letter = len(plain) == 1 and plain.isascii() and plain.isalpha()
        return not letter and parse_choice(text) is None and plain not in self.words

    def _sounds_like_command(self, text: str) -> str | None:
        """The command a short message sounds like, typed by pinyin or heard (帮定 → 绑定); at
        least one character the same, so a name (刘燕) is never taken for a command (留言)."""
        if not 2 <= len(text) <= 6:
            return None
        for word, name in self._command_sounds.get(sound_key(text), ()):
            if set(word) & set(text):
                return name
        return None

    @cached_property
    def _command_sounds(self) -> dict[str, list[tuple[str, str]]]:
        sounds: dict[str, list[tuple[str, str]]] = {}
        for word, name in self.words.items():
            if len(word) >= 2 and sound_key(word) != word:
                sounds.setdefault(sound_key(word), []).append((word, name))
        return sounds

    def act(self, name: str, msg: Inbound, ctx: Context) -> Reply:
        """Run the named action; one needing identity takes an unbound user through binding."""
        if name in self.bound_only and not ctx.bound:
            if self.bind_first is None:
                raise LookupError("no bind_first handler registered")
            return self.bind_first(name, msg, ctx)
        if name in self.bound_only and self.someone_else is not None and (
                other := self.someone_else(name, msg, ctx)) is not None:
            return other
        return self.actions[name](msg, ctx)

    def _fallback(self, msg: Inbound, ctx: Context) -> tuple[str, Reply]:
        if self.fallback is None:
            raise LookupError("no fallback handler registered")
        return "fallback", self.fallback(msg, ctx)

    @staticmethod
    def _claim(table: dict, key: str, value: object) -> None:
        if key in table:
            raise ValueError(f"{key!r} is registered twice")
        table[key] = value


def _ended_tasks(ctx: Context, reply: Reply) -> bool:
    """Whether reply ends the tasks waiting (Text.ends_tasks); if so they are dropped, and what
    the reply itself asks stays on screen."""
    if not (isinstance(reply, Text) and reply.ends_tasks):
        return False
    ctx.conversation.put_back(ctx.conversation.frame(), [])
    return True


def _family(step: str) -> str:
    """The feature a step belongs to: bind:name → bind, study.quiz → study."""
    return step.replace(".", ":").split(":", 1)[0]


class _Said:
    """A message's words as routing reads them, each read once, when first needed."""

    def __init__(self, raw: str, ctx: Context) -> None:
        self._raw, self._texts = raw, ctx.texts
        self.text = normalize(raw)
        self.number = parse_choice(raw)  # the number picked, if it is one

    @classmethod
    def of(cls, raw: str, ctx: Context) -> _Said:
        """The message's words."""
        return cls(raw, ctx)

    @cached_property
    def for_someone(self) -> str:
        """The words after 「我爸」「帮我妈」 … (family saying a command for the retiree), else ""."""
        said_for = [w for w in self._texts.words("commands.for_whom") if self.text.startswith(w)]
        return self.text[len(max(said_for, key=len)):] if said_for else ""

    @cached_property
    def answer(self) -> bool | None:
        """A confirming (True) or refusing (False) word, else None."""
        return self._texts.yes_or_no(self._raw)

    @property
    def is_answer(self) -> bool:
        """A number or a yes/no word: an answer to the step on screen even when also a command."""
        return self.number is not None or self.answer is not None
