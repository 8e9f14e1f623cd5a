"""The stand-in exactly as `python -m bot.standin` serves it, with two control endpoints more for
the delivery benchmark's channel mix (under /_standin/bench/, not logged as calls):

- POST people {"windows": [[openid, unix time], …], "grants": [[openid, template id, count], …]}:
  each window opened at that time (the person wrote then), each grant set to count messages
  (what WeChat knows of the subscribe panels the bench seeded in the database);
- GET status: the id of the last call logged, and how many pushes to the account's server
  (delivery reports, subscribe_msg_sent_event) are still queued.

    python bench/delivery/standin.py --port 8801 [bot.standin's options]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from flask import Blueprint, Flask, Response, request  # noqa: E402

from bot.standin import __main__ as standin_main  # noqa: E402
from bot.standin.app import create_standin_app  # noqa: E402
from bot.standin.responses import json_response  # noqa: E402
from bot.standin.settings import StandinSettings  # noqa: E402
from bot.standin.state import StandinState  # noqa: E402


def create_bench_standin_app(settings: StandinSettings | None = None) -> Flask:
    """bot.standin's app, plus the bench's endpoints."""
    app = create_standin_app(settings)
    app.register_blueprint(_bench_blueprint(app.extensions["standin"]))
    return app


def _bench_blueprint(state: StandinState) -> Blueprint:
    bp = Blueprint("standin_bench", __name__, url_prefix="/_standin/bench")

    @bp.post("/people")
    def people() -> Response:
        body = request.get_json(force=True)
        with state.lock:
            for openid, at in body.get("windows", []):
                state.open_window(openid, at=float(at))
            for openid, template_id, count in body.get("grants", []):
                state.subscribe_grants[(openid, template_id)] = int(count)
        return json_response({"windows": len(body.get("windows", [])), "grants": len(body.get("grants", []))})

    @bp.get("/status")
    def status() -> Response:
        with state.lock:
            last = state.call_log[-1].id if state.call_log else 0
        pusher = state.reports
        queued = pusher._queue.qsize() if pusher is not None else 0  # a bench's peek
        return json_response({"last_call": last, "pushes_queued": queued})

    return bp


if __name__ == "__main__":
    standin_main.create_standin_app = create_bench_standin_app  # main() builds the app by this name
    standin_main.main(sys.argv[1:])
