"""What the chat tells a user to reply, as the mini-program says it: 「回复「报名」」 is
「点「活动报名」」 there (content/chat.toml [app]); a sentence telling them to reply anything else
(「回复 1 确认」) is left out — the app has buttons for those."""

from __future__ import annotations

import re

from bot.language.texts import Texts

_COMMAND = re.compile(r"回复\s*「([^」]+)」")
# A sentence still telling a chat user what to reply (「想参加，回复 1。」): nobody replies in the app.
_REPLY_HINT = re.compile(r"[^。！？；\n]*回复\s*[「\d][^。！？；\n]*[。！？；]?")


def for_the_app(texts: Texts, text: str) -> str:
    """A message or an answer as the app shows it: each reply named as where to tap instead."""
    pages = texts.table("app")["pages"]

    def tap(said: re.Match[str]) -> str:
        page = pages.get(said.group(1))
        return texts.get("app.tap", page=page) if page else said.group(0)
    lines = [(line, _REPLY_HINT.sub("", line)) for line in _COMMAND.sub(tap, text).splitlines()]
    kept = [shown for line, shown in lines if shown.strip() or not line.strip()]  # paragraphs kept
    return "\n".join(kept).strip() or text
