"""身份绑定 in chat: name, then the last four phone digits; family may bind as agents (代办)."""

from __future__ import annotations

import logging
import re

from bot import binding as b
from bot.context import Context
from bot.inbound import Inbound
from bot.logs import mask
from bot.replies import Reply, Text
from bot.router import Router
from bot.staff_alerts import alert_staff
from bot.textnorm import digits, normalize, parse_choice
from handlers.menu import offer_menu

# Said on its own, outside the binding questions: family starting to bind for their elder.
FAMILY_WORDS = ("我是家属", "我是子女", "我是老人家属", "家属代办", "家属绑定")
# Inside the binding questions, the short forms say it too.
AGENT_WORDS = (*FAMILY_WORDS, "家属", "代办")
RELATIONS = {1: "子女", 2: "配偶", 3: "亲属"}
# Relations family members name in their own words, as they will be shown to staff.
KNOWN_RELATIONS = ("子女", "儿子", "女儿", "儿媳", "女婿", "配偶", "老伴", "妻子", "丈夫", "爱人",
                   "孙子", "孙女", "外孙", "外孙女", "侄子", "侄女", "外甥", "外甥女", "兄弟", "姐妹",
                   "亲属", "亲戚")
log = logging.getLogger(__name__)
# Han characters, rare ones too (extension A), and the middle dot of 阿依古丽·买买提.
_NAME = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff·•]{2,16}$")
_NAME_PREFIXES = ("我叫", "我是", "名字叫", "姓名", "叫")
_EXIT_WORDS = {"菜单", "帮助", "取消", "退出", "不绑了", "算了"}


def register(router: Router) -> None:
    """Add 绑定 / 解绑 and the steps of the binding conversation."""
    router.action("bind", words=("绑定", "身份绑定", "绑定身份", "实名"), event_keys=("BIND",))(start)
    router.action("bind_family", words=FAMILY_WORDS)(start_as_family)
    router.action("unbind", words=("解绑", "解除绑定", "取消绑定"))(ask_unbind)
    router.step("bind:relation")(take_relation)
    router.step("bind:name")(take_name)
    router.step("bind:digits")(take_digits)
    router.step("bind:bereaved")(bereaved_family)
    router.step("unbind:confirm")(confirm_unbind)


def start(msg: Inbound, ctx: Context) -> Reply:
    """Begin binding, unless already bound or locked."""
    if ctx.binding is not None:
        who = f"的家属（{ctx.binding.relation}）" if ctx.binding.is_agent else "本人"
        return Text(ctx.texts.get("binding.already", name=ctx.binding.retiree.name, who=who))
    return ask_name(ctx)


def start_as_family(msg: Inbound, ctx: Context) -> Reply:
    """「我是家属」 said on its own: binding on an elder's behalf, from the relation question."""
    if ctx.binding is not None:
        return start(msg, ctx)
    if (locked := _locked(ctx)) is not None:
        return locked
    return _ask_relation(ctx)


def ask_name(ctx: Context) -> Reply:
    """The first question (also asked right after following)."""
    if (locked := _locked(ctx)) is not None:
        return locked
    ctx.conversation.expect("bind:name", {"relation": None})
    return Text(ctx.texts.get("binding.ask_name"))


def _ask_relation(ctx: Context) -> Reply:
    """Family binding's first question: who they are to the elder."""
    ctx.conversation.expect("bind:relation")
    return Text(ctx.texts.get("binding.ask_relation"))


def _locked(ctx: Context) -> Reply | None:
    """The kind refusal while three wrong answers keep binding closed, else None."""
    if (until := b.locked_until(ctx.follower, ctx.now)) is not None:
        return Text(ctx.texts.get("binding.locked", until=_when(until, ctx)))
    return None


def take_name(msg: Inbound, ctx: Context) -> Reply | None:
    """A name (or 「我是家属」); anything else leaves the binding conversation."""
    text = normalize(msg.text)
    if text in {normalize(w) for w in AGENT_WORDS}:
        return _ask_relation(ctx)
    name = _clean_name(text)
    if name is None:
        return None
    data = ctx.conversation.data | {"name": name}
    ctx.conversation.expect("bind:digits", data)
    return Text(ctx.texts.get("binding.ask_digits", name=name))


def take_relation(msg: Inbound, ctx: Context) -> Reply | None:
    """子女 / 配偶 / 亲属 by number, or the relation in their own words (女儿, 老伴 …)."""
    number = parse_choice(msg.text)
    relation = RELATIONS.get(number) if number is not None else _clean_relation(msg.text)
    if number == 0:
        return None
    if relation is None:
        return Text(ctx.texts.get("binding.ask_relation"))  # ask again, numbers first
    ctx.conversation.expect("bind:name", {"relation": relation})
    return Text(ctx.texts.get("binding.ask_elder_name"))


def take_digits(msg: Inbound, ctx: Context) -> Reply | None:
    """The last four digits of the phone on file: bind, or count a failure."""
    typed = digits(msg.text)
    if typed == "0" or typed in _EXIT_WORDS:
        return None  # they want out: the menu
    if not (typed.isdigit() and len(typed) == 4):
        return Text(ctx.texts.get("binding.digits_format"))
    data = ctx.conversation.data
    found = b.candidates(ctx.session, data["name"], typed)
    if len(found) > 1:
        ctx.conversation.clear()
        return Text(ctx.texts.get("binding.ambiguous"))
    if not found:
        return _wrong(ctx, data["name"])
    return _bind(ctx, found[0], data.get("relation"))


def _bind(ctx: Context, retiree, relation: str | None) -> Reply:
    ctx.conversation.clear()
    if retiree.deceased and relation is None:
        ctx.conversation.expect("bind:bereaved")
        return Text(ctx.texts.get("binding.deceased"))
    ctx.binding = b.bind(ctx.session, ctx.follower, retiree, ctx.now, relation=relation)
    key = ("binding.bound_self" if relation is None else
           "binding.bound_bereaved" if retiree.deceased else "binding.bound_agent")
    return Text(ctx.texts.get(key, name=retiree.name, relation=relation) + "\n" + offer_menu(ctx))


def _wrong(ctx: Context, name: str) -> Reply:
    if b.record_failure(ctx.session, ctx.follower, ctx.now):
        ctx.conversation.clear()
        _alert_staff(ctx, name)
        return Text(ctx.texts.get("binding.locked", until=_when(ctx.follower.bind_locked_until, ctx)))
    relation = ctx.conversation.data.get("relation")
    ctx.conversation.expect("bind:name", {"relation": relation})
    ask = ctx.texts.get("binding.ask_elder_name" if relation else "binding.ask_name")
    return Text(ctx.texts.get("binding.mismatch", left=b.failures_left(ctx.follower), ask=ask))


def _alert_staff(ctx: Context, name: str) -> None:
    text = ctx.texts.get("binding.staff_locked", who=mask(ctx.openid), name=name)
    alert_staff(ctx.session, ctx.settings, ctx.now, text,
                key=f"bind-locked:{ctx.openid}:{ctx.now:%Y%m%d%H%M}")


def bereaved_family(msg: Inbound, ctx: Context) -> Reply | None:
    """After 「已经去世」: 1 continues as family; anything else leaves."""
    if parse_choice(msg.text) != 1:
        return None
    ctx.conversation.expect("bind:relation")
    return Text(ctx.texts.get("binding.ask_relation"))


def ask_unbind(msg: Inbound, ctx: Context) -> Reply:
    """解绑: ask for confirmation first."""
    if ctx.binding is None:
        return Text(ctx.texts.get("binding.not_bound"))
    ctx.conversation.expect("unbind:confirm")
    return Text(ctx.texts.get("binding.confirm_unbind", name=ctx.binding.retiree.name))


def confirm_unbind(msg: Inbound, ctx: Context) -> Reply | None:
    """1 unbinds, 0 keeps the binding; anything else leaves the question."""
    choice = parse_choice(msg.text)
    if choice not in (0, 1) or ctx.binding is None:
        return None
    ctx.conversation.clear()
    if choice == 0:
        return Text(ctx.texts.get("binding.kept"))
    b.unbind(ctx.binding, ctx.now)
    return Text(ctx.texts.get("binding.unbound"))


def _clean_name(text: str) -> str | None:
    for prefix in _NAME_PREFIXES:
        if text.startswith(prefix) and len(text) > len(prefix) + 1:
            text = text[len(prefix):]
    text = text.removesuffix("同志")
    if text in _EXIT_WORDS or not _NAME.match(text):
        return None
    return text


def _clean_relation(text: str) -> str | None:
    relation = normalize(text)
    for prefix in ("我是", "老人的", "他的", "她的", "是"):
        relation = relation.removeprefix(prefix)
    return relation if relation in KNOWN_RELATIONS else None


def _when(moment, ctx: Context) -> str:
    local = moment.astimezone(ctx.now.tzinfo)
    return f"{local.month} 月 {local.day} 日 {local.hour} 点"
