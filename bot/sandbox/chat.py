"""`python -m bot chat`: a terminal that behaves like a retiree's WeChat."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import requests

from bot.config import WeChatSettings
from bot.sandbox.wechat_side import WeChatSide

HELP = """输入文字即发送给银龄助手。特殊指令：
  /voice 文字   发一条语音（文字是语音识别结果；只写 /voice 表示没识别出来）
  /image        发一张图片
  /follow       关注公众号        /unfollow   取消关注
  /click KEY    点自定义菜单（如 /click MENU）
  /staff        换成工作人员的微信（试「通知 分组名 内容」，看重要情况提醒）
  /me           换回老同志的微信
  /quit         退出"""

PUSH_KINDS = {"cgi-bin/message/custom/send": "客服消息", "cgi-bin/message/template/send": "模板消息",
              "cgi-bin/message/subscribe/bizsend": "订阅通知",
              "cgi-bin/message/mass/send": "群发", "cgi-bin/message/mass/sendall": "群发"}


class ChatSession:
    """One user talking to the bot over real HTTP, signed as WeChat signs."""

    def __init__(self, settings: WeChatSettings, url: str, standin: str, openid: str) -> None:
        self.side = WeChatSide(settings)
        self.url, self.standin, self.openid = url, standin.rstrip("/"), openid
        self.http = requests.Session()
        self.watched = [openid]  # every account this terminal has written as: their pushes show

    def switch(self, openid: str) -> None:
        """Write as another WeChat user from now on (and show what the bot sends them too)."""
        self.openid = openid
        if openid not in self.watched:
            self.watched.append(openid)

    def send(self, line: str) -> str | None:
        """Deliver what the user typed (or a /command) and return the bot's reply text."""
        xml = self._xml_for(line)
        if self.standin and not line.startswith(("/follow", "/unfollow", "/click")):
            # WeChat opens the 48-hour customer-service window when the user writes.
            self.http.post(f"{self.standin}/_standin/interactions", json={"openid": self.openid},
                           timeout=5)
        delivery = self.side.deliver(xml)
        res = self.http.post(self.url, params=delivery.params, data=delivery.body, timeout=10)
        if res.status_code != 200:
            return f"（服务器返回 {res.status_code}：{res.text[:200]}）"
        fields = self.side.open_reply(res.text)
        return None if fields is None else fields.get("Content", str(fields))

    def _xml_for(self, line: str) -> str:
        word, _, rest = line.partition(" ")
        builders: dict[str, Callable[[], str]] = {
            "/voice": lambda: self.side.voice(self.openid, rest.strip() or None),
            "/image": lambda: self.side.image(self.openid),
            "/follow": lambda: self.side.event(self.openid, "subscribe"),
            "/unfollow": lambda: self.side.event(self.openid, "unsubscribe"),
            "/click": lambda: self.side.event(self.openid, "CLICK", rest.strip()),
        }
        return builders.get(word, lambda: self.side.text(self.openid, line))()

    def pushes_since(self, since: int, openid: str | None = None) -> tuple[int, list[str]]:
        """Messages the bot sent this user (or `openid`) on its own since call id `since`."""
        res = self.http.get(f"{self.standin}/_standin/calls",
                            params={"since": since, "openid": openid or self.openid}, timeout=5)
        shown, last = [], since
        for call in res.json():
            last = max(last, call["id"])
            kind = PUSH_KINDS.get(call["path"].lstrip("/"))
            if kind and call["response"].get("errcode", 0) == 0:
                shown.append(f"【{kind}】{_push_text(call)}")
        return last, shown


def _push_text(call: dict) -> str:
    """What the phone shows: a text as it is; a template or 订阅通知 as the platform renders it
    (its fields one per line, without what WeChat no longer shows)."""
    body = call["body"]
    if "text" in body:
        return body["text"].get("content", "")
    if call.get("shown"):
        return "\n  " + "\n  ".join(call["shown"])
    if "data" in body:
        return "；".join(str(v.get("value", "")) for v in body["data"].values())
    return str(body)


def _watch_pushes(chat: ChatSession, staff_openid: str | None, stop: threading.Event) -> None:
    since: dict[str, int] = {}
    while not stop.wait(1.0):
        for openid in list(chat.watched):
            try:
                since[openid], shown = chat.pushes_since(since.get(openid, 0), openid)
            except requests.RequestException:
                break  # the stand-in is restarting; try again next second
            to = "（发给工作人员）" if openid == staff_openid else ""
            for text in shown:
                print(f"\n银龄助手{to} {text}\n您：", end="", flush=True)


def run_chat(settings: WeChatSettings, url: str, standin: str, openid: str,
             staff_openids: tuple[str, ...] = ()) -> int:
    """The interactive loop: read a line, send it, print the reply; pushes appear as they come.

    With staff openids, /staff writes as the first of them and /me as the retiree again.
    """
    staff_openid = next(iter(staff_openids), None)
    chat = ChatSession(settings, url, standin, openid)
    if staff_openid:
        chat.watched.append(staff_openid)  # staff alerts show even before /staff
    stop = threading.Event()
    if standin:
        threading.Thread(target=_watch_pushes, args=(chat, staff_openid, stop), daemon=True).start()
    print(f"银龄助手 沙盒聊天（您的 openid：{openid}）。输入 /help 看指令。")
    try:
        _loop(chat, {"/staff": staff_openid, "/me": openid})
    finally:
        stop.set()
    return 0


def _loop(chat: ChatSession, accounts: dict[str, str | None]) -> None:
    while True:
        try:
            line = input("您：").strip()
        except EOFError:
            print()
            return
        if line in ("/quit", "/exit"):
            return
        if not line:
            continue
        if line == "/help":
            print(HELP)
            continue
        if line in accounts:
            print(_switch(chat, accounts[line]))
            continue
        started = time.monotonic()
        reply = chat.send(line)
        took = time.monotonic() - started
        print(f"银龄助手：{reply}" if reply else f"（没有回复，{took:.1f} 秒）")


def _switch(chat: ChatSession, openid: str | None) -> str:
    if openid is None:
        return ("（配置里没有工作人员的 openid：在 [staff] openids 里加一个；"
                "沙盒删掉 var/sandbox.toml 重新生成即可。）")
    chat.switch(openid)
    return f"（现在用 {openid} 发消息。）"
