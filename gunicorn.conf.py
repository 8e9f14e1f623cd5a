"""gunicorn settings for 银龄助手 (gunicorn reads ./gunicorn.conf.py by itself).

Run: gunicorn "bot:create_app()"
"""

import sys

bind = "127.0.0.1:8000"
# Sync workers: measured faster than gthread for this CPU-bound path (bench/webhook.py).
workers = 2
# WeChat gives up after 5 s; a worker stuck far longer than that is better restarted.
timeout = 30


def on_starting(server: object) -> None:
    """Check the configuration once, before any worker starts: one sentence, not a traceback."""
    from bot.config import ConfigError, load_settings
    from bot.services import build_services

    try:
        build_services(load_settings().require_public_url()).close()
    except ConfigError as exc:
        print(f"无法启动：{exc}", file=sys.stderr, flush=True)
        sys.exit(2)
