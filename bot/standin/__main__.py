"""Run the stand-in as a process: python -m bot.standin --port 8801.

Served by gunicorn with one worker (the record of calls lives in that worker's memory) and
threads, with keep-alive connections as WeChat's servers keep them: werkzeug's development
server closes every connection, which made the stand-in, not the code under test, the slowest
part of a delivery benchmark.
"""

from __future__ import annotations

import argparse
import socket
import sys
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from bot.standin.app import create_standin_app
from bot.standin.settings import StandinSettings

THREADS = 16  # more than any sender keeps in flight
KEEPALIVE = 30  # seconds an idle connection stays open


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m bot.standin",
                                     description="Local stand-in for the WeChat API servers.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8801, help="0 picks a free port")
    parser.add_argument("--appid", default=StandinSettings.appid)
    parser.add_argument("--secret", default=StandinSettings.secret)
    parser.add_argument("--mini-appid", default="",
                        help="the mini-program's own appid (default: the account's app plays it)")
    parser.add_argument("--mini-secret", default="", help="the mini-program's own secret")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to each call")
    parser.add_argument("--minute-limit", type=int, default=StandinSettings.default_minute_limit,
                        help="calls per minute allowed on each API (mass sends keep their own)")
    parser.add_argument("--report-to", default="", metavar="URL",
                        help="the account's /wechat, where template messages' delivery reports go")
    parser.add_argument("--report-token", default="", help="the account's Token, to sign reports")
    parser.add_argument("--report-aes-key", default="",
                        help="the account's EncodingAESKey, to encrypt reports (safe mode)")
    return parser.parse_args(argv)


class _StandinProcess(BaseApplication):  # type: ignore[misc]  # gunicorn ships no type hints
    """gunicorn serving one stand-in app, configured here rather than from a file."""

    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def _free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def main(argv: list[str] | None = None) -> None:
    """Serve until interrupted."""
    args = parse_args(argv)
    settings = StandinSettings(appid=args.appid, secret=args.secret, mini_appid=args.mini_appid,
                               mini_secret=args.mini_secret, latency=args.latency,
                               default_minute_limit=args.minute_limit, report_to=args.report_to,
                               report_token=args.report_token, report_aes_key=args.report_aes_key)
    port = args.port or _free_port(args.host)
    url = f"http://{args.host}:{port}/"
    _StandinProcess(create_standin_app(settings), {
        "bind": f"{args.host}:{port}", "workers": 1, "worker_class": "gthread",
        "threads": THREADS, "keepalive": KEEPALIVE, "graceful_timeout": 2, "loglevel": "warning",
        "when_ready": lambda _server: print(f"standin WeChat API listening on {url}", flush=True),
    }).run()


if __name__ == "__main__":
    main(sys.argv[1:])
