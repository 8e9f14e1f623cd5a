"""`python scheduler.py --config config.toml`: wait to be the only scheduler, then run the jobs."""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path

from apscheduler.schedulers.background import BackgroundScheduler

from bot.command_support import ChineseArgumentParser
from bot.config import ConfigError, load_settings
from bot.delivery.staff_alerts import unreachable_warning
from bot.logs import configure
from bot.scheduling.leader import Leadership
from bot.scheduling.schedule import add_jobs, build_scheduler
from bot.services import Services, build_services

log = logging.getLogger("bot.scheduler")


def main(argv: list[str]) -> int:
    """Run the scheduler until interrupted; a config problem is one sentence and exit 2."""
    parser = ChineseArgumentParser(prog="scheduler.py",
                                   description="银龄助手的定时任务（问候、学习推送、发送程序……）")
    parser.add_argument("--config", type=Path, metavar="文件",
                        help="配置文件（默认：环境变量 BOT_CONFIG，或当前目录的 config.toml）")
    parser.add_argument("--lease", type=float, default=30, metavar="秒",
                        help="正在运行的定时程序这么多秒没有动静，就由等着的另一个接手")
    args = parser.parse_args(argv)
    os.umask(0o077)  # what it creates (a SQLite journal) holds personal data: owner only
    configure(logging.INFO)
    if args.config:
        os.environ["BOT_CONFIG"] = str(args.config)
    try:
        services = build_services(load_settings().require_public_url())
    except ConfigError as exc:
        print(f"无法启动：{exc}", file=sys.stderr)
        return 2
    if (warning := unreachable_warning(services.settings)) is not None:
        log.warning(warning)
    leader = Leadership(services.engine, services.clock, ttl=args.lease)
    try:
        leader.wait()
        return _run(services, leader)
    except KeyboardInterrupt:
        return 0
    finally:
        leader.release()
        services.close()


def _run(services: Services, leader: Leadership) -> int:
    scheduler = build_scheduler(services, BackgroundScheduler)
    add_jobs(scheduler, services)
    scheduler.start()
    for job in scheduler.get_jobs():
        log.info("job %s (%s): next run %s", job.id, job.name, job.next_run_time)
    try:
        while leader.renew():  # the lease is ours while we keep renewing it
            time.sleep(leader.ttl / 3)
        log.error("lost the scheduler lease to another process; stopping")
        return 1
    finally:
        scheduler.shutdown(wait=True)
