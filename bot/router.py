"""Routing: which handler answers a message, in the order README's routing section gives.

A retiree does not know which step the bot is in. Whatever they say, the router does what an
attentive person at the office would: what must never wait comes first, an answer to the
question on screen goes to it, and anything else said in the middle of a task is answered
while the task keeps its place and says so in one short line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from bot.conversation import Frame
from bot.inbound import Inbound
from bot.replies import Reply, Silence, Text
from bot.textnorm import normalize, parse_choice, sound_key

if TYPE_CHECKING:
    from bot.context import Context

Handler = Callable[[Inbound, "Context"], Reply]
MaybeHandler = Callable[[Inbound, "Context"], Reply | None]
Remind = Callable[["Context", dict[str, Any]], str]


@dataclass(frozen=True)
class Step:
    """A pending step's handler (returning None declines a message that is no answer to it).

    remind: for a task (the quiz, a sign-up waiting for 「确认」, binding), the one line saying
    it still waits; a step without one is an offer (numbers to pick from), simply replaced by
    whatever comes next.
    urgent: what a care report said during the step does to it — "keep" (it waits, reminded),
    "end" (the report carried the words to staff: a 留言 is done), "answer" (the step itself
    takes report-like words, as 「是我老伴」 answers 「是您本人还是家里人」).
    """

    handle: MaybeHandler
    remind: Remind | None = None
    urgent: Literal["keep", "end", "answer"] = "keep"


@dataclass
class Router:
    """Handlers registered explicitly; `route` tries them in a fixed order.

    For words (text, or a voice message's recognised text):
    1. urgent matchers (care reports and emergencies), unless the step on screen takes them;
    2. a way-out word (菜单): every step is left;
    3. the step on screen, then a task kept beneath it — for anything but a whole-message
       command word (a number or a 「好的」/「算了」 goes to the step even when it is also one);
       a number no step took is asked again, and 0 leads to the menu;
    4. a command word (whole message, or sounding like one: 帮定 is 绑定), then the matchers in
       registration order (policy questions, commands inside a sentence, courtesies);
    5. a task still waiting asks its question again; else the fallback.
    A task interrupted by 1 or 4 keeps its place and its reminder ends the reply.
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
    bind_first: Callable[[str, Inbound, Context], Reply] | None = None

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
             urgent: Literal["keep", "end", "answer"] = "keep") -> Callable[[MaybeHandler], MaybeHandler]:
        """Register the handler of a pending step (see Step); returning None declines."""
        def register(fn: MaybeHandler) -> MaybeHandler:
            self._claim(self.steps, name, Step(fn, remind, urgent))
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

    def set_bind_first(self, fn: Callable[[str, Inbound, Context], Reply]) -> None:
        """Register what an unbound user gets who asks for an action that needs binding."""
        self.bind_first = fn

    def route(self, msg: Inbound, ctx: Context) -> tuple[str, Reply]:
        """The name of the route that answered, and its reply."""
        if msg.kind == "event":
            return self._route_event(msg, ctx)
        if not msg.is_text_like:
            handler = self.kinds.get(msg.kind)
            return (f"kind:{msg.kind}", handler(msg, ctx)) if handler else ("ignored", Silence())
        conversation = ctx.conversation
        if conversation.step is None and conversation.kept is not None:
            conversation.restore(conversation.take_kept())
        if not msg.text and "empty_voice" in self.kinds:
            task = self._waiting_task(ctx)
            return "kind:empty_voice", self._interrupt(msg, ctx, self.kinds["empty_voice"], task)
        return self._route_words(msg, ctx)

    def _route_event(self, msg: Inbound, ctx: Context) -> tuple[str, Reply]:
        if msg.event == "click":
            ctx.conversation.reset()
            name = self.event_keys.get(msg.event_key)
            if name is None:  # a button this version does not know: still never silence
                return self._fallback(msg, ctx)
            return f"click:{name}", self.act(name, msg, ctx)
        handler = self.events.get(msg.event)
        return (f"event:{msg.event}", handler(msg, ctx)) if handler else ("ignored", Silence())

    def _route_words(self, msg: Inbound, ctx: Context) -> tuple[str, Reply]:
        conversation = ctx.conversation
        task = self._waiting_task(ctx)
        on_screen = self.steps.get(conversation.step or "")
        if on_screen is None or on_screen.urgent != "answer":
            for name, matcher in self.urgent:
                if (reply := self._interrupt(msg, ctx, matcher, task, on_screen)) is not None:
                    return f"urgent:{name}", reply
        text = normalize(msg.text)
        command = self.words.get(text)
        if command in self.exits:
            conversation.reset()
            return f"command:{command}", self.act(command, msg, ctx)
        number = parse_choice(msg.text)
        if conversation.step is not None and (command is None or number is not None
                                              or ctx.texts.yes_or_no(msg.text) is not None):
            if (answered := self._answer_step(msg, ctx)) is not None:
                return answered
            if task is not None and ctx.texts.yes_or_no(msg.text) is False:
                conversation.reset()  # 「算了」 to a task that has no 「不」 of its own: it stops
                return f"step:{task.step}:stopped", Text(ctx.texts.get("replies.stopped"))
            if number is not None:
                return self._unoffered_number(msg, ctx, number, task)
        elif number is not None and command is None:
            return self._unoffered_number(msg, ctx, number, task)
        command = command or self._sounds_like_command(text)
        if command is not None:
            reply = self._interrupt(msg, ctx, lambda m, c: self.act(command, m, c), task)
            return f"command:{command}", reply
        for name, matcher in self.matchers:
            if (reply := self._interrupt(msg, ctx, matcher, task)) is not None:
                return f"match:{name}", reply
        if task is not None:  # nothing else understood it: the task asks its question again
            self._put_back(ctx, task)
            return f"step:{task.step}:again", Text(self.remind(ctx, task))
        return self._fallback(msg, ctx)

    def _answer_step(self, msg: Inbound, ctx: Context) -> tuple[str, Reply] | None:
        """The step on screen's answer, else the kept task's; a task finished brings back the
        one kept beneath it, with its reminder."""
        conversation = ctx.conversation
        on_screen, kept = conversation.frame(), conversation.kept
        for frame in (on_screen, kept):
            if frame is None or frame.step not in self.steps:
                continue
            if frame is kept:  # the offer on screen did not take it: the task beneath may
                conversation.restore(conversation.take_kept())
            # A task kept beneath this step comes back after it: its numbers are the last ones.
            beneath = conversation.kept
            conversation.quiet = beneath is not None and self._is_task(beneath.step)
            reply = self.steps[frame.step].handle(msg, ctx)
            if reply is not None:
                return f"step:{frame.step}", self._resume_kept(ctx, reply)
            if frame is kept:  # nor did the task: leave both as they were
                conversation.restore(on_screen)
                conversation.keep(kept)
        return None

    def _resume_kept(self, ctx: Context, reply: Reply) -> Reply:
        conversation = ctx.conversation
        if conversation.step is None and conversation.kept is not None:
            task = conversation.take_kept()
            conversation.restore(task)
            return self._with_reminder(ctx, reply, task)
        return reply

    def _interrupt(self, msg: Inbound, ctx: Context, handler: MaybeHandler, task: Frame | None,
                   on_screen: Step | None = None) -> Reply | None:
        """Run handler on something said besides the task; the task keeps its place after it."""
        conversation = ctx.conversation
        before, kept = conversation.frame(), conversation.kept
        conversation.restore(None)
        conversation.take_kept()
        conversation.quiet = task is not None  # the task's numbers must be the last ones read
        reply = handler(msg, ctx)
        if reply is None:
            conversation.restore(before)
            conversation.keep(kept)
            return None
        if on_screen is not None and on_screen.urgent == "end" and task is before:
            # A 留言 interrupted by a report is done: the report carried the words to staff.
            task = kept if kept is not None and self._is_task(kept.step) else None
        return self._remind_after(ctx, task, reply)

    def _remind_after(self, ctx: Context, task: Frame | None, reply: Reply) -> Reply:
        """The task back in its place after an answer to something else, and its reminder.

        A handler that started the same step, or one of its family, afresh (「答题」 during the
        quiz, 「我是家属」 while binding asks a name) replaces it; one that started another task
        goes first, and the waiting task comes back after it.
        """
        if task is None:
            return reply
        conversation = ctx.conversation
        step = conversation.step
        if step is not None and _family(step) == _family(task.step):
            return reply
        if step is None:
            conversation.restore(task)
        else:
            conversation.keep(task)
            if self._is_task(step):
                return reply
        return self._with_reminder(ctx, reply, task)

    def _with_reminder(self, ctx: Context, reply: Reply, task: Frame) -> Reply:
        if not isinstance(reply, Text):
            return reply
        return Text(f"{reply.content}\n\n{self.remind(ctx, task)}")

    def remind(self, ctx: Context, task: Frame) -> str:
        """The task's one line saying it still waits."""
        remind = self.steps[task.step].remind
        assert remind is not None  # only tasks wait
        return remind(ctx, task.data)

    def _unoffered_number(self, msg: Inbound, ctx: Context, number: int,
                          task: Frame | None) -> tuple[str, Reply]:
        """A number nothing on screen offered: 0 goes to the menu; others are asked again."""
        if number == 0:
            ctx.conversation.reset()
            return "command:menu", self.act("menu", msg, ctx)
        again = ctx.texts.get("replies.no_such_choice")
        if task is not None:
            self._put_back(ctx, task)
            return f"step:{task.step}:no-such-choice", Text(f"{again}\n\n{self.remind(ctx, task)}")
        if ctx.conversation.step is not None:
            return f"step:{ctx.conversation.step}:no-such-choice", Text(again)
        menu = self.act("menu", msg, ctx)
        assert isinstance(menu, Text)
        return "no-such-choice", Text(f"{ctx.texts.get('replies.no_numbers_offered')}\n{menu.content}")

    def _put_back(self, ctx: Context, task: Frame) -> None:
        conversation = ctx.conversation
        if conversation.frame() is not task:
            conversation.restore(task)
            conversation.take_kept()

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

    def _sounds_like_command(self, text: str) -> str | None:
        """The command a short message sounds like (帮定 → 绑定), typed by pinyin or heard."""
        if not 2 <= len(text) <= 6:
            return None
        return self._command_sounds.get(sound_key(text))

    @cached_property
    def _command_sounds(self) -> dict[str, str]:
        sounds: dict[str, str | None] = {}
        for word, name in self.words.items():
            key = sound_key(word)
            if len(word) >= 2 and key != word:
                sounds[key] = name if sounds.get(key, name) == name else None  # two commands: neither
        return {key: name for key, name in sounds.items() if name is not None}

    def act(self, name: str, msg: Inbound, ctx: Context) -> Reply:
        """Run the named action; one needing identity takes an unbound user through binding."""
        if name in self.bound_only and not ctx.bound and self.bind_first is not None:
            return self.bind_first(name, msg, ctx)
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


def _family(step: str) -> str:
    """The feature a step belongs to: bind:name → bind, study.quiz → study."""
    return step.replace(".", ":").split(":", 1)[0]
