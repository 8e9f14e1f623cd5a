"""gunicorn settings for 银龄助手 (gunicorn reads ./gunicorn.conf.py by itself).

Run: gunicorn "bot:create_app()"
"""

import gc
import os
import sys

bind = "127.0.0.1:8000"
# Sync workers: measured faster than gthread for this CPU-bound path (bench/webhook.py).
workers = 2
# WeChat gives up after 5 s; a worker stuck far longer than that is better restarted.
timeout = 30
# Files the workers create (a SQLite database and its journal) hold personal data: owner only.
os.umask(0o077)


def on_starting(server: object) -> None:
    """Check the configuration once, before any worker starts: one sentence, not a traceback."""
    from bot.config import ConfigError, load_settings
    from bot.services import build_services

    try:
        build_services(load_settings().require_public_url()).close()
    except ConfigError as exc:
        print(f"无法启动：{exc}", file=sys.stderr, flush=True)
        sys.exit(2)


def post_worker_init(worker: object) -> None:
    """Once the worker has loaded the app, take what it loaded (jieba's dictionary, the knowledge
    base: some 300,000 objects) out of the garbage collector's rounds: each full collection
    walked them all, a pause of about 100 ms in which the worker answered nobody."""
    gc.collect()
    gc.freeze()
