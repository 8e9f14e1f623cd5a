"""Run the stand-in as a process: python -m bot.standin --port 8801."""

from __future__ import annotations

import argparse
import sys

from werkzeug.serving import make_server

from bot.standin.app import create_standin_app
from bot.standin.settings import StandinSettings


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m bot.standin",
                                     description="Local stand-in for the WeChat API servers.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8801)
    parser.add_argument("--appid", default=StandinSettings.appid)
    parser.add_argument("--secret", default=StandinSettings.secret)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to each call")
    parser.add_argument("--minute-limit", type=int, default=StandinSettings.default_minute_limit,
                        help="calls per minute allowed on each API (mass sends keep their own)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Serve until interrupted."""
    args = parse_args(argv)
    settings = StandinSettings(appid=args.appid, secret=args.secret, latency=args.latency,
                               default_minute_limit=args.minute_limit)
    server = make_server(args.host, args.port, create_standin_app(settings), threaded=True)
    print(f"standin WeChat API listening on http://{args.host}:{server.server_port}/",
          flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main(sys.argv[1:])
