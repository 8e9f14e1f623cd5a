"""JSON responses as the platform sends them."""

from __future__ import annotations

import json
from typing import Any

from flask import Response


def json_bytes(body: Any) -> bytes:
    """JSON with Chinese left readable, as the platform sends it."""
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def json_response(body: Any, status: int = 200) -> Response:
    """`json_bytes` as a Flask response."""
    return Response(json_bytes(body), status=status, mimetype="application/json")
