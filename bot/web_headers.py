"""What every HTML page carries against injected code: a Content-Security-Policy that runs only
this site's own files (no inline script or style, no eval), no sniffing of types, no framing by
other sites, and no address (a reading link's token) passed on to them."""

from __future__ import annotations

from flask import Flask, Response

# Scripts and styles only from here; study pictures and sound from here or, as the material may
# name them, any https address. The console's preview frame inherits this.
POLICY = ("default-src 'self'; img-src 'self' https:; media-src 'self' https:; object-src 'none'; "
          "base-uri 'none'; form-action 'self'; frame-ancestors 'self'")


def init_app(app: Flask) -> None:
    """Give every HTML response the headers."""
    app.after_request(_protect)


def _protect(response: Response) -> Response:
    if response.mimetype == "text/html":
        response.headers["Content-Security-Policy"] = POLICY
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
    return response
