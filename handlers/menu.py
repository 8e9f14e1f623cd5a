"""The numbered menu, the user guide and the office's contact details."""

from __future__ import annotations

from bot.conversation.context import Context
from bot.conversation.inbound import Inbound
from bot.conversation.replies import Reply, Text
from bot.conversation.router import Router
from bot.language.words import parse_choice

# Words that leave whatever step is pending; 0 is an answer first (a step's 「不做了」), then the menu.
MENU_WORDS = ("菜单", "帮助", "主菜单", "功能", "目录", "help")


def register(router: Router) -> None:
    """Add the menu, guide and contact actions, and the numbered choices they offer."""
    router.action("menu", words=MENU_WORDS, event_keys=("MENU",), leaves_steps=True)(show_menu)
    router.action("menu_zero", words=("0",))(show_menu)
    router.action("guide", words=("使用指南", "怎么用", "使用说明"), event_keys=("GUIDE",))(show_guide)
    router.action("contact", words=("联系我们", "电话", "地址", "办公电话", "联系方式"),
                  event_keys=("CONTACT",))(show_contact)
    router.step("menu")(choose_from_menu)
    router.step("guide")(choose_guide_topic)


def offer_menu(ctx: Context) -> str:
    """The main menu under an answer, waiting for a number; "" while a task waits for its own."""
    if not ctx.conversation.offer("menu", _options(ctx)):
        return ""
    return ctx.texts.menu(bound=ctx.bound)


def _options(ctx: Context) -> dict[str, list[str]]:
    return {"options": [item["key"] for item in ctx.texts.table("menu")]}


def show_menu(msg: Inbound, ctx: Context) -> Reply:
    """The main menu."""
    ctx.conversation.expect("menu", _options(ctx))
    return Text(ctx.texts.menu(bound=ctx.bound))


def choose_from_menu(msg: Inbound, ctx: Context) -> Reply | None:
    """Run the menu item whose number the user replied; None if the reply is not one."""
    options = ctx.conversation.data.get("options") or _options(ctx)["options"]
    number = parse_choice(msg.text)
    if number is None or number > len(options):
        return None
    if number == 0:
        return show_menu(msg, ctx)
    ctx.conversation.clear()
    return ctx.act(options[number - 1], msg)


def show_guide(msg: Inbound, ctx: Context) -> Reply:
    """The list of guide topics, numbered."""
    topics = ctx.texts.table("guide")["topics"]
    ctx.conversation.expect("guide", {"topics": len(topics)})
    lines = ctx.texts.numbered([t["title"] for t in topics])
    return Text("\n".join([ctx.texts.get("guide.title"), *lines, ctx.texts.get("guide.footer")]))


def choose_guide_topic(msg: Inbound, ctx: Context) -> Reply | None:
    """The guide topic whose number the user replied; None if the reply is not one."""
    topics = ctx.texts.table("guide")["topics"]
    number = parse_choice(msg.text)
    if number is None or number > len(topics):
        return None
    if number == 0:
        return show_menu(msg, ctx)
    ctx.conversation.expect("guide", {"topics": len(topics)})
    topic = topics[number - 1]
    return Text(f"【{topic['title']}】\n{topic['text'].strip()}\n{ctx.texts.get('guide.after')}")


def show_contact(msg: Inbound, ctx: Context) -> Reply:
    """The office's address, phone and hours, from config.toml [office]."""
    return Text(ctx.texts.get("replies.contact"))

