"""Routing: which handler answers a message, in the order DESIGN.md gives."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.inbound import Inbound
from bot.replies import Reply, Silence, Text
from bot.textnorm import normalize, parse_choice

if TYPE_CHECKING:
    from bot.context import Context

Handler = Callable[[Inbound, "Context"], Reply]
MaybeHandler = Callable[[Inbound, "Context"], Reply | None]


@dataclass
class Router:
    """Handlers registered explicitly; `route` tries them in a fixed order, first match wins.

    1. a pending conversation step (which may decline, returning None), unless the message is
       a whole-message command word other than a number; a number it declines (other than 0)
       is one the question did not offer, and is asked again rather than taken elsewhere;
    2. events, menu clicks (EventKey) and commands (whole-message words such as 菜单);
    3. matchers, in registration order (policy questions and later capabilities);
    4. the fallback.
    """

    actions: dict[str, Handler] = field(default_factory=dict)
    words: dict[str, str] = field(default_factory=dict)
    event_keys: dict[str, str] = field(default_factory=dict)
    events: dict[str, Handler] = field(default_factory=dict)
    steps: dict[str, MaybeHandler] = field(default_factory=dict)
    matchers: list[tuple[str, MaybeHandler]] = field(default_factory=list)
    kinds: dict[str, Handler] = field(default_factory=dict)
    bound_only: set[str] = field(default_factory=set)
    fallback: Handler | None = None

    def action(self, name: str, *, words: tuple[str, ...] = (), event_keys: tuple[str, ...] = (),
               needs_binding: bool = False) -> Callable[[Handler], Handler]:
        """Register a named action, reachable by whole-message words and menu EventKeys.

        needs_binding: only for someone bound to a retiree; others are asked to bind first.
        """
        def register(fn: Handler) -> Handler:
            self._claim(self.actions, name, fn)
            if needs_binding:
                self.bound_only.add(name)
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

    def step(self, name: str) -> Callable[[MaybeHandler], MaybeHandler]:
        """Register the handler of a pending conversation step; returning None declines."""
        def register(fn: MaybeHandler) -> MaybeHandler:
            self._claim(self.steps, name, fn)
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

    def route(self, msg: Inbound, ctx: Context) -> tuple[str, Reply]:
        """The name of the route that answered, and its reply."""
        if msg.kind == "event":
            return self._route_event(msg, ctx)
        if not msg.is_text_like:
            handler = self.kinds.get(msg.kind)
            return (f"kind:{msg.kind}", handler(msg, ctx)) if handler else ("ignored", Silence())
        if not msg.text and "empty_voice" in self.kinds:
            return "kind:empty_voice", self.kinds["empty_voice"](msg, ctx)
        return self._route_words(msg, ctx)

    def _route_event(self, msg: Inbound, ctx: Context) -> tuple[str, Reply]:
        if msg.event == "click":
            ctx.conversation.clear()
            name = self.event_keys.get(msg.event_key)
            if name is None:  # a button this version does not know: still never silence
                return self._fallback(msg, ctx)
            return f"click:{name}", self.act(name, msg, ctx)
        handler = self.events.get(msg.event)
        return (f"event:{msg.event}", handler(msg, ctx)) if handler else ("ignored", Silence())

    def _route_words(self, msg: Inbound, ctx: Context) -> tuple[str, Reply]:
        name = self.words.get(normalize(msg.text))
        step = ctx.conversation.step
        # A whole-message command word (菜单, 联系我们 …) leaves a pending step: a step that takes
        # free text, such as a name, must not swallow the way out. Numbers (0 too) are answers:
        # the step offered them, and declines the ones it did not.
        number = parse_choice(msg.text)
        if step in self.steps and (name is None or number is not None):
            reply = self.steps[step](msg, ctx)
            if reply is not None:
                return f"step:{step}", reply
            if number:  # a number the question did not offer: not a jump to some other menu
                return f"step:{step}:no-such-choice", Text(ctx.texts.get("replies.no_such_choice"))
        if step is not None:
            ctx.conversation.clear()
        if name:
            return f"command:{name}", self.act(name, msg, ctx)
        for matcher_name, matcher in self.matchers:
            reply = matcher(msg, ctx)
            if reply is not None:
                return f"match:{matcher_name}", reply
        return self._fallback(msg, ctx)

    def act(self, name: str, msg: Inbound, ctx: Context) -> Reply:
        """Run the named action; one needing identity first asks an unbound user to bind."""
        if name in self.bound_only and not ctx.bound:
            return Text(ctx.texts.get("binding.needed"))
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
