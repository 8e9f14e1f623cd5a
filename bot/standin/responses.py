"""JSON responses as the platform sends them."""

from __future__ import annotations

import json
from typing import Any

from flask import Response


def json_response(body: Any, status: int = 200) -> Response:
    """JSON with Chinese left readable, as the platform sends it."""
    return Response(json.dumps(body, ensure_ascii=False), status=status,
                    mimetype="application/json")
