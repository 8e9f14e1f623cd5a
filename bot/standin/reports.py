"""The stand-in's pushes to the account's server URL: after each template message a
TEMPLATESENDJOBFINISH report, after a subscribe panel the person's choices
(subscribe_msg_popup_event), after a change in the settings the new choices
(subscribe_msg_change_event), after each 订阅通知 subscribe_msg_sent_event; signed (and
encrypted) as WeChat does, from a background thread as WeChat does it (the send's answer does
not wait for it)."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable

import requests

from bot.config import WeChatSettings
from bot.sandbox.wechat_side import WeChatSide
from bot.wechat_api.http import PooledHttp

log = logging.getLogger(__name__)

TRIES = 3  # WeChat tries a server URL three times, then gives up on the event
RETRY_PAUSE = 0.5  # seconds between tries
TIMEOUT = 5.0  # WeChat waits five seconds for an answer


class ReportPusher:
    """Posts delivery reports to one server URL, in the order the messages were taken."""

    def __init__(self, url: str, account: WeChatSettings, now: Callable[[], float]) -> None:
        self.url = url
        self.side = WeChatSide(account, now=now)  # builds the events, signed for the account
        self._queue: queue.SimpleQueue[tuple[str, str] | None] = queue.SimpleQueue()  # (label, xml)
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._closed = threading.Event()
        self._http = PooledHttp(url)  # requests' own Session costs the stand-in twice the CPU
        self.answered: list[tuple[str, int]] = []  # (label, HTTP status) of each push the server answered

    def push(self, openid: str, msgid: int, status: str = "success") -> None:
        """Report on one template message, soon."""
        self.push_event(f"report {msgid}", self.side.template_finished(openid, msgid, status))

    def push_event(self, label: str, xml: str) -> None:
        """Post one event's XML, soon, after those before it."""
        if self._closed.is_set():
            return
        self._ensure_thread()  # started here, not at creation: gunicorn forks after creating the app
        self._queue.put((label, xml))

    def close(self) -> None:
        """Stop posting; reports not yet posted are dropped (the platform went away)."""
        self._closed.set()
        self._queue.put(None)

    def _ensure_thread(self) -> None:
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="standin-reports", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while (report := self._queue.get()) is not None and not self._closed.is_set():
            self._post(*report)

    def _post(self, label: str, xml: str) -> None:
        for attempt in range(1, TRIES + 1):
            if self._closed.is_set():
                return
            delivery = self.side.deliver(xml)
            try:
                answer = self._http.post(self.url, params=delivery.params, data=delivery.body,
                                         timeout=TIMEOUT)
            except requests.RequestException as exc:  # no answer: WeChat tries again
                log.warning("%s, try %s: %s", label, attempt, exc)
                time.sleep(RETRY_PAUSE)
                continue
            self.answered.append((label, answer.status_code))
            if not answer.ok:  # an answer, even a refusal, ends it
                log.warning("%s: the server answered %s", label, answer.status_code)
            return
        log.error("%s given up after %s tries", label, TRIES)
