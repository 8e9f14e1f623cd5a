"""身份绑定 in chat: name, then the last four phone digits; family may bind as agents (代办).

People say it their own way — 「我是姚文斌的闺女」, 「替我爸绑定」, 「我电话尾号是6827」 — and
the conversation takes whatever part they gave (bot.accounts.kinship reads it) and asks only for what is
missing. A phrasing the bot did not understand never costs a try: only wrong digits do.
Someone who asked for something that needs binding (报名, 学习) is offered to go on with it
once bound.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from bot.accounts import binding as b
from bot.accounts.kinship import Kinship, Said, kinship_of, surname_said_first
from bot.care.detect import CareWords
from bot.conversation.context import Context
from bot.conversation.inbound import Inbound
from bot.conversation.replies import Reply, Text
from bot.conversation.router import Router
from bot.language.texts import Texts
from bot.language.words import normalize, phone_digits
from bot.models import Retiree
from bot.roster import identify
from bot.roster.profile import on_record
from handlers.menu import offer_menu

# Said on its own, outside the binding questions: family starting to bind for their elder.
FAMILY_WORDS = ("我是家属", "我是子女", "我是老人家属", "家属代办", "家属绑定")
RELATIONS = {1: "子女", 2: "配偶", 3: "亲属"}
NAME, RELATION, DIGITS = "bind:name", "bind:relation", "bind:digits"
BEREAVED, UNBIND, CONTINUE = "bind:bereaved", "unbind:confirm", "bind:continue"
SOUNDS_LIKE = "bind:sounds_like"
AFTER_BIND = "after_bind"  # remembered: the action someone asked for before they had to bind
SHORT_STATEMENT = 14  # characters: 「你好我是姚文斌的女儿」 is one; a longer sentence says more
INTRODUCING = ("我是", "我叫")  # said first thing by someone not bound: who they are
PHONE_WORDS = ("后四位", "后4位", "尾号", "电话", "手机", "号码")
log = logging.getLogger(__name__)


def register(router: Router) -> None:
    """Add 绑定 / 解绑, the binding conversation and its way back to what was asked first."""
    router.action("bind", words=("绑定", "身份绑定", "绑定身份", "实名", "我要绑定"),
                  event_keys=("BIND",))(start)
    router.action("bind_family", words=FAMILY_WORDS)(start_as_family)
    router.action("unbind", words=("解绑", "解除绑定", "取消绑定"))(ask_unbind)
    router.matcher("bind_family_sentence")(family_sentence)
    router.action("my_info", words=("我的信息", "我的资料", "我的登记信息", "查我的信息", "我登记的信息"),
                  needs_binding=True)(my_info)
    router.matcher("my_info_asked")(my_info_asked)
    router.step(RELATION, remind=lambda ctx, data: ctx.texts.get("binding.ask_relation"))(take_relation)
    router.step(NAME, remind=_remind_name)(take_name)
    router.step(DIGITS, remind=_remind_digits)(take_digits)
    router.step(BEREAVED, remind=lambda ctx, data: ctx.texts.get("binding.remind_bereaved"))(bereaved_family)
    router.step(UNBIND, remind=_remind_unbind)(confirm_unbind)
    router.step(CONTINUE)(go_on)
    router.step(SOUNDS_LIKE, remind=_remind_sounds_like)(confirm_name)
    router.set_bind_first(bind_first)
    router.set_someone_else(someone_else)


def start(msg: Inbound, ctx: Context) -> Reply:
    """Begin binding, unless already bound or locked."""
    if ctx.binding is not None:
        who = f"的家属（{ctx.binding.relation}）" if ctx.binding.is_agent else "本人"
        return Text(ctx.texts.get("binding.already", name=ctx.binding.retiree.name, who=who))
    return ask_name(ctx)


def my_info(msg: Inbound, ctx: Context) -> Reply:
    """What the office keeps of the person the user is bound to (name, 党支部, the phone's end),
    as the mini-program's 我的 shows it."""
    binding = ctx.binding
    assert binding is not None  # needs_binding
    kept = on_record(binding.retiree)
    missing = ctx.texts.get("my_info.missing")
    details = {"name": kept.name, "branch": kept.branch or missing, "phone": kept.phone or missing}
    if binding.is_agent:
        return Text(ctx.texts.get("my_info.family", relation=binding.relation, **details))
    return Text(ctx.texts.get("my_info.mine", **details))


def my_info_asked(msg: Inbound, ctx: Context) -> Reply | None:
    """「我的电话号码是多少」「你们登记的我爸的手机号对不对」: my_info; None for anything else
    (「我的电话换了」 changes it; 「你们的电话是多少」 asks the office's)."""
    plain = normalize(msg.text)
    texts = ctx.texts
    items = [item for item in texts.words("my_info.items") if item in plain]  # most messages name none
    if not items or not texts.mentions(plain, "my_info.asking") or texts.mentions(plain, "my_info.not_with"):
        return None
    if not any(w + item in plain for w in texts.words("my_info.whose") for item in items):
        return None
    return ctx.act("my_info", msg)


def start_as_family(msg: Inbound, ctx: Context) -> Reply:
    """「我是家属」 said on its own: binding on an elder's behalf, from the relation question."""
    if ctx.binding is not None:
        return start(msg, ctx)
    return _locked(ctx) or _go_on(ctx, {}, Said(family=True))


def family_sentence(msg: Inbound, ctx: Context) -> Reply | None:
    """「我是姚文斌的闺女」「替我爸绑定」 said first thing: binding as family, from what they said;
    「我是姚文斌」 from someone not bound: binding as themselves, by that name.

    Only a short statement, or one that says 绑定: 「我是他女儿，想问问离休费几号发」 is a
    question, answered as one.
    """
    asks_to_bind = "绑" in msg.text
    if ctx.bound and not asks_to_bind:
        return _known(msg, ctx) if len(normalize(msg.text)) <= SHORT_STATEMENT else None
    # 「我是姚文斌我电话后四位是六八二七」: a name with the phone's four digits is binding, however
    # long; 「我叫王芳住在3号楼1203暖气不热」 is no binding (its 1203 is no phone's).
    if not asks_to_bind and (ctx.bound or (len(normalize(msg.text)) > SHORT_STATEMENT
                                           and not _gives_phone_digits(ctx, msg.text))):
        return None
    if not ctx.bound and (me := _introduced(ctx, msg.text)) is not None:
        return _locked(ctx) or _go_on(ctx, {}, me)  # 「我是姚文斌」 first thing: binding, by name
    said = _kinship(ctx.texts).read(msg.text)  # cheap: the policy router only if it says family
    if not said.family or (said.name is None and said.relation is None and not asks_to_bind):
        return None
    if not asks_to_bind and _asks(ctx, msg.text):
        return None
    # Asking to bind, what they said is for binding: 「…他电话尾号是六八二七」 asks nothing of 联系电话.
    said = said if asks_to_bind else _read(ctx, msg.text)
    if ctx.binding is not None:
        return start(msg, ctx)
    if (action := _asked_for(ctx, msg.text)) is not None:  # 「…帮他报个名」: offered once bound
        ctx.conversation.remember(AFTER_BIND, action)
    return _locked(ctx) or _go_on(ctx, {}, said)


def _known(msg: Inbound, ctx: Context) -> Reply | None:
    """「我是林秀英」「我是王德明的女儿」 from someone bound already: greeted as the one on file, or
    told whom this WeChat is bound to when the name is another's; None for anything else."""
    plain = _without_greeting(msg.text)  # 「你好，我是林秀英」
    if not plain.startswith(INTRODUCING):
        return None
    said = _introduced(ctx, msg.text) or _kinship(ctx.texts).read(plain)
    binding = ctx.binding
    if said.name is None or binding is None:
        return None
    if said.name != binding.retiree.name or said.family != binding.is_agent:
        return start(msg, ctx)  # whom this WeChat is bound to, and how to change it
    key = "binding.known_agent" if binding.is_agent else "binding.known_self"
    return Text(ctx.texts.get(key, name=binding.retiree.name, relation=binding.relation or "") + "\n"
                + offer_menu(ctx))


def _gives_phone_digits(ctx: Context, text: str) -> bool:
    """Whether text gives a phone's last four digits, saying they are (后四位, 尾号, 电话)."""
    plain = normalize(text)
    return any(w in plain for w in PHONE_WORDS) and _kinship(ctx.texts).read(text).digits is not None


def _asked_for(ctx: Context, text: str) -> str | None:
    """The action a binding sentence also asks for (「我爸叫陈志强帮他报个名」: 报名), by the words
    of [intents.actions]; None for none but binding itself."""
    plain = normalize(text)
    return next((entry["action"] for entry in ctx.texts.table("intents")["actions"]
                 if entry["action"] != "bind" and any(normalize(w) in plain for w in entry["words"])), None)


def _introduced(ctx: Context, text: str) -> Said | None:
    """「我是姚文斌」「你好，我叫姚文斌」「姚文斌 18026566827」: the name someone gives as theirs
    (not 「我是离休干部」), said as who they are or with their phone's digits."""
    plain = surname_said_first(_without_greeting(text))
    said = _kinship(ctx.texts).read(plain)
    if not said.name or said.family or not (plain.startswith(INTRODUCING) or _phone_given(plain)):
        return None
    return said if plain.startswith(INTRODUCING) or not _asks(ctx, plain) else None  # 「护理费 1200」


def _without_greeting(text: str) -> str:
    """text normalised, without the 你好 or 您好 it opens with."""
    return normalize(text).removeprefix("你好").removeprefix("您好")


def _phone_given(plain: str) -> bool:
    """Whether text gives a phone's last four or a whole mobile number (「关联 19456597」, a code,
    gives neither)."""
    return any(len(run) == 4 or (len(run) == 11 and run.startswith("1")) for run in phone_digits(plain))


def ask_name(ctx: Context, *, invited: bool = False) -> Reply:
    """The first question; invited: asked by the bot right after following, so anything else
    said next simply replaces it (the person did not ask to bind)."""
    if (locked := _locked(ctx)) is not None:
        return locked
    ctx.conversation.expect(NAME, {"invited": True} if invited else {})
    return Text(ctx.texts.get("binding.ask_name"))


def bind_first(action: str, msg: Inbound, ctx: Context) -> Reply:
    """Someone not yet bound asked for `action`: bind first, then offer to go on with it. Whom
    the sentence names (「我爸叫陈志强帮他报个名」) is taken, and only what is missing asked."""
    ctx.conversation.remember(AFTER_BIND, action)
    if (locked := _locked(ctx)) is not None:
        return locked
    said = _kinship(ctx.texts).read(msg.text)
    question = _go_on(ctx, {}, said) if said.name or said.relation else ask_name(ctx)
    assert isinstance(question, Text)
    return Text(f"{ctx.texts.get('binding.needed')}\n{question.content}")


def someone_else(action: str, msg: Inbound, ctx: Context) -> Reply | None:
    """Family bound to one elder asking for another by a word of kin (「帮我妈报名」 from a daughter
    bound to her father, as 性别 on file tells; the kin the action is for, CareWords.acted_for):
    nothing is done for the wrong person. They hear whom they are bound to and where the other's
    matters go; 1 goes on for the one bound. None when the words can mean the elder bound (or
    name no one)."""
    words = CareWords.for_dir(ctx.settings.content_dir)
    if not ctx.on_behalf()[1] or (elder := words.acted_for(msg.text)) is None:
        return None  # the session stays closed for all but the few who name someone
    retiree = ctx.binding.retiree if ctx.binding is not None else None
    if retiree is None or not words.cannot_be(elder, retiree.gender):
        return None
    ctx.conversation.expect(CONTINUE, {"action": action})
    return Text(ctx.texts.get("binding.someone_else", name=retiree.name, elder=words.how_to_say(elder),
                              label=ctx.texts.table("action_labels").get(action, "")))


def claimed(ctx: Context) -> tuple[str, str | None] | None:
    """Whom someone half way through binding said they are, not yet checked: (王德明, None) for
    the retiree, (王德明, 女儿) for family; None when no binding has a name yet."""
    for frame in ctx.conversation.in_hand:
        if frame.step in (NAME, RELATION, DIGITS) and frame.data.get("name"):
            family = frame.data.get("family") or frame.data.get("relation")
            return frame.data["name"], (frame.data.get("relation") or "家属") if family else None
    return None


def take_relation(msg: Inbound, ctx: Context) -> Reply | None:
    """子女 / 配偶 / 亲属 by number, or the relation in their own words (闺女, 我是他儿子 …)."""
    number = ctx.texts.choice(msg.text)
    words = _kinship(ctx.texts)
    relation = RELATIONS.get(number) if number is not None else words.relation(msg.text)
    if number is None and relation is None and _says_self(ctx, msg.text):  # 「不对，我是本人」
        data = {k: v for k, v in ctx.conversation.data.items() if k not in ("family", "relation", "name")}
        return _go_on(ctx, data, Said())  # binding as themselves: their name is asked
    said = words.read(msg.text) if relation is None and number is None else Said(relation=relation)
    if said.relation is None and said.name is None:
        return None
    return _go_on(ctx, ctx.conversation.data, said)


def _says_self(ctx: Context, text: str) -> bool:
    """Whether an answer to 「您是老同志的什么人」 says, all of it, that they are the retiree
    (「不对，我是本人」; not 「本人不会用手机，我是他儿子」)."""
    plain = normalize(text)
    for correcting in ("不对", "不是的", "搞错了", "错了", "哦"):
        plain = plain.removeprefix(correcting)
    return plain in ctx.texts.words("binding.self_words")


def take_name(msg: Inbound, ctx: Context) -> Reply | None:
    """A name, a relation, or the digits too (「姚文斌 6827」); None for anything else."""
    said = _read(ctx, msg.text)
    if said.name is None and not said.family and said.digits is None:
        return None
    return _go_on(ctx, ctx.conversation.data, said)


def _read(ctx: Context, text: str) -> Said:
    """What binding can use in text; 「好的」 or a policy question (「离休费几号发」) is no name."""
    said = _kinship(ctx.texts).read(text)
    if said.name is not None and (ctx.texts.yes_or_no(text) is not None or _asks(ctx, text)):
        return replace(said, name=None)
    return said


def _asks(ctx: Context, text: str) -> bool:
    """A policy question, not an answer about who someone is."""
    return ctx.policies.decide(text).topic is not None


def take_digits(msg: Inbound, ctx: Context) -> Reply | None:
    """The last four digits of the phone on file (in a sentence too), or a corrected name."""
    said = _read(ctx, msg.text)
    if said.digits is None and said.other_digits:
        return Text(_remind_digits(ctx, ctx.conversation.data))  # 「567」: asked again, not counted
    if said.digits is None and said.name is None and not said.family:
        return None
    return _go_on(ctx, ctx.conversation.data, said)


def _go_on(ctx: Context, data: dict[str, Any], said: Said) -> Reply:
    """Take what was said, and ask for what is still missing; with everything, try to bind."""
    data = {k: v for k, v in data.items() if k != "invited"}  # they answered: it is their task now
    if said.family:
        data["family"] = True
    for key in ("relation", "name"):
        if (value := getattr(said, key)) is not None:
            data[key] = value
    if data.get("family") and not data.get("relation"):
        ctx.conversation.expect(RELATION, data)
        return Text(ctx.texts.get("binding.ask_relation"))
    if not data.get("name"):
        ctx.conversation.expect(NAME, data)
        return Text(_ask_name_text(ctx, data))
    if said.digits is None and not data.get("digits"):
        ctx.conversation.expect(DIGITS, data)
        return Text(ctx.texts.get("binding.ask_digits", name=data["name"]))
    return _try(ctx, data, said.digits or data["digits"])


def _try(ctx: Context, data: dict[str, Any], digits: str) -> Reply:
    attempt = identify.by_digits(ctx.session, ctx.settings, ctx.texts, ctx.follower, data["name"], digits,
                                 ctx.now)
    if attempt.retiree is not None:
        return _bind(ctx, attempt.retiree, data | {"digits": digits})
    if attempt.ambiguous or attempt.locked_until is not None:
        ctx.conversation.clear()
        if attempt.ambiguous:
            return Text(ctx.texts.get("binding.ambiguous"))
        return Text(ctx.texts.get("binding.locked", until=identify.reopens(attempt.locked_until)))
    data = {k: v for k, v in data.items() if k != "digits"}
    if (alike := attempt.sounding_alike) is not None:  # 林秀莹 typed for 林秀英, the digits right
        ctx.conversation.expect(SOUNDS_LIKE, data | {"digits": digits, "alike": alike.id,
                                                     "on_file": alike.name})
        return Text(_remind_sounds_like(ctx, ctx.conversation.data))
    ctx.conversation.expect(DIGITS, data)
    return Text(ctx.texts.get("binding.mismatch", left=attempt.left, name=data["name"]))


def confirm_name(msg: Inbound, ctx: Context) -> Reply | None:
    """「您说的是林秀英同志吗」: 1, 好的, 是她 or the name again as on file (in any characters of its
    sound) binds to that person, the digits already right; 2 or 不是 asks for the name again;
    anything else is not an answer (and costs no try)."""
    data = ctx.conversation.data
    kept = {k: v for k, v in data.items() if k not in ("alike", "on_file")}
    choice = ctx.texts.choice(msg.text, yes=1, no=2)
    if choice is None and _confirms(ctx, msg.text, data.get("on_file", "")):
        choice = 1
    if choice not in (1, 2):
        return None
    retiree = ctx.session.get(Retiree, data.get("alike")) if choice == 1 else None
    if retiree is None or not b.candidates(ctx.session, retiree.name, data.get("digits", "")):
        ctx.conversation.expect(NAME, {k: v for k, v in kept.items() if k != "name"})
        return Text(_ask_name_text(ctx, data))  # not them (or changed meanwhile): the name again
    return _bind(ctx, retiree, kept | {"name": retiree.name})


def _confirms(ctx: Context, text: str, on_file: str) -> bool:
    """「是她」「没错」, or the name on file said again (「是林秀英」, 林秀莹 once more): a yes."""
    plain = normalize(text)
    if "不" in plain:
        return False
    if ctx.texts.mentions(plain, "binding.sounds_like_yes"):
        return True
    said = plain.removeprefix("就是").removeprefix("是").removesuffix("同志")
    return bool(said) and b.sounds_the_same(said, on_file)


def _bind(ctx: Context, retiree: Retiree, data: dict[str, Any]) -> Reply:
    relation = data.get("relation")
    if relation is None and (retiree.deceased or b.someone_else_is_them(ctx.session, ctx.follower, retiree)):
        ctx.conversation.expect(BEREAVED, data)  # the name and digits were right: kept
        return Text(ctx.texts.get("binding.deceased" if retiree.deceased else "binding.self_taken",
                                  name=retiree.name))
    ctx.conversation.clear()
    ctx.binding = identify.bind(ctx.session, ctx.texts, ctx.follower, retiree, ctx.now, relation=relation)
    key = ("binding.bound_self" if relation is None else
           "binding.bound_bereaved" if retiree.deceased else "binding.bound_agent")
    return Text(ctx.texts.get(key, name=retiree.name, relation=relation) + "\n" + _what_next(ctx))


def _what_next(ctx: Context) -> str:
    """Once bound: going on with what they asked for before, by number; else the menu."""
    action = ctx.conversation.recall(AFTER_BIND)
    ctx.conversation.forget(AFTER_BIND)
    if action is None:
        return offer_menu(ctx)
    ctx.conversation.expect(CONTINUE, {"action": action})
    label = ctx.texts.table("action_labels").get(action, "")
    return ctx.texts.get("binding.go_on", label=label)


def go_on(msg: Inbound, ctx: Context) -> Reply | None:
    """After binding: 1 (or 好的) does what they asked for first; 0 shows the menu."""
    if ctx.texts.choice(msg.text, yes=1) != 1:
        return None
    action = ctx.conversation.data.get("action") or "menu"
    ctx.conversation.clear()
    return ctx.act(action, msg)


def bereaved_family(msg: Inbound, ctx: Context) -> Reply | None:
    """After 「已经去世」 or 「本人已经用另一个微信绑定」: 1 (or 好的) goes on as family — the
    name and digits already checked."""
    if ctx.texts.choice(msg.text, yes=1) != 1:
        return None
    return _go_on(ctx, ctx.conversation.data, Said(family=True))


def ask_unbind(msg: Inbound, ctx: Context) -> Reply:
    """解绑: ask for confirmation first."""
    if ctx.binding is None:
        return Text(ctx.texts.get("binding.not_bound"))
    ctx.conversation.expect(UNBIND)
    return Text(ctx.texts.get("binding.confirm_unbind", name=ctx.binding.retiree.name))


def confirm_unbind(msg: Inbound, ctx: Context) -> Reply | None:
    """1 (or 确定) unbinds, 0 (or 算了) keeps the binding; anything else is no answer."""
    choice = ctx.texts.choice(msg.text, yes=1, no=0)
    if choice not in (0, 1) or ctx.binding is None:
        return None
    ctx.conversation.clear()
    if choice == 0:
        return Text(ctx.texts.get("binding.kept"))
    b.unbind(ctx.session, ctx.binding, ctx.now)
    return Text(ctx.texts.get("binding.unbound"))


def _locked(ctx: Context) -> Reply | None:
    """The kind refusal while three wrong answers keep binding closed, else None."""
    if (until := b.locked_until(ctx.follower, ctx.now)) is not None:
        return Text(ctx.texts.get("binding.locked", until=identify.reopens(until)))
    return None


def _ask_name_text(ctx: Context, data: dict[str, Any]) -> str:
    return ctx.texts.get("binding.ask_elder_name" if data.get("family") else "binding.ask_name")


def _remind_name(ctx: Context, data: dict[str, Any]) -> str:
    return ctx.texts.get("binding.remind", question=_ask_name_text(ctx, data))


def _remind_digits(ctx: Context, data: dict[str, Any]) -> str:
    return ctx.texts.get("binding.digits_format", name=data.get("name", ""))


def _remind_sounds_like(ctx: Context, data: dict[str, Any]) -> str:
    return ctx.texts.get("binding.sounds_like", said=data.get("name", ""), name=data.get("on_file", ""))


def _remind_unbind(ctx: Context, data: dict[str, Any]) -> str:
    name = ctx.binding.retiree.name if ctx.binding is not None else ""
    return ctx.texts.get("binding.confirm_unbind", name=name)


def _kinship(texts: Texts) -> Kinship:
    return kinship_of(texts, FAMILY_WORDS)
