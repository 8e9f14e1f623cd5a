"""The floor: a WSGI app that answers `success` at once, served like the others. What gunicorn,
wrk and the machine cost per request on their own; no server can beat it under them."""


def app(environ, start_response):
    """Read the body (as the others do), answer `success`."""
    environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "7")])
    return [b"success"]
