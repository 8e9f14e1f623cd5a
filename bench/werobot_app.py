"""The baseline: WeRoBot 1.13.1 with one keyword handler and its SQLite session storage on."""

import os

from werobot import WeRoBot
from werobot.session.sqlitestorage import SQLiteStorage

robot = WeRoBot(token=os.environ["BENCH_TOKEN"],
                session_storage=SQLiteStorage(os.environ["BENCH_WEROBOT_DB"]))


@robot.filter("联系我们")
def contact(message, session):
    """The same answer our bot gives, so both do comparable work per message."""
    session["last"] = message.content
    return "离退休干部管理中心\n电话：0000-12345678\n回复 0，回到菜单。"


@robot.text
@robot.voice
def anything_else(message, session):
    """Every other message gets an answer too (its session kept), as a keyword bot's fallback."""
    session["last"] = getattr(message, "content", None) or getattr(message, "recognition", "")
    return "您好，请回复「联系我们」查看办公电话。"


app = robot.wsgi
