#!/usr/bin/env python3
"""银龄助手's scheduler, its own process: `python scheduler.py --config config.toml`.

APScheduler with its jobs in the bot's database (Asia/Shanghai); only one runs at a time — a
second waits until the first stops. Jobs only enqueue into the outbox or drain it.
"""

import sys

from bot.scheduling.runner import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
