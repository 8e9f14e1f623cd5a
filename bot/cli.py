"""Command-line entry points: serve, chat, ask, content, db, outbox, roster, sandbox."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from datetime import date, timedelta
from typing import TYPE_CHECKING

from bot.config import ConfigError, load_settings
from bot.logs import configure

if TYPE_CHECKING:
    from bot.services import Services



def main(argv: list[str]) -> int:
    """Run one command; a configuration problem is one sentence on stderr and exit code 2."""
    args = _parser().parse_args(argv)
    configure(logging.DEBUG if getattr(args, "verbose", False) else logging.INFO)
    try:
        return args.run(args)
    except ConfigError as exc:
        print(f"无法启动：{exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    from bot.command_support import ChineseArgumentParser

    parser = ChineseArgumentParser(
        prog="python -m bot",
        description="银龄助手的命令。命令后加 --help 看用法，如 python -m bot notice --help")
    sub = parser.add_subparsers(required=True, metavar="命令")

    serve = sub.add_parser("serve", help="启动网站服务（本机试用；正式服务器请用 gunicorn）")
    serve.add_argument("--host", default="127.0.0.1", metavar="地址",
                       help="在哪个地址上监听，默认 127.0.0.1（只有本机能访问）")
    serve.add_argument("--port", type=int, default=8000, metavar="端口", help="端口，默认 8000")
    serve.set_defaults(run=_serve)

    db = sub.add_parser("db", help="数据库：把表结构升级到最新版本（upgrade）")
    db.add_argument("action", choices=["upgrade"], help="upgrade：升级到最新版本")
    db.set_defaults(run=_db)

    outbox = sub.add_parser("outbox", help="发送程序：把排队的消息发出去")
    outbox.add_argument("action", choices=["run", "drain", "problems", "resend"],
                        help="run：一直运行，随时发送；drain：把已到时间的发一遍就结束；"
                             "problems：列出没送达的消息，以及该打电话联系谁；"
                             "resend：把这些编号的消息重新排队发送")
    outbox.add_argument("ids", nargs="*", type=int, metavar="编号",
                        help="resend 用：problems 列出的编号（第一列）")
    outbox.add_argument("--interval", type=float, default=1.0, metavar="秒",
                        help="run 用：没有要发的消息时，隔几秒再查一次，默认 1")
    outbox.add_argument("--days", type=int, default=None, metavar="天数",
                        help="problems 用：只看最近这么多天里排队的消息")
    outbox.set_defaults(run=_outbox)

    chat = sub.add_parser("chat", help="扮成微信用户，和正在运行的助手对话（测试用）")
    chat.add_argument("--url", default="", metavar="地址",
                      help="助手接收微信消息的地址；默认是正在运行的沙盒（python -m bot sandbox），"
                           "没有沙盒时 http://127.0.0.1:8000/wechat")
    chat.add_argument("--standin", default="", metavar="地址",
                      help="微信模拟服务的地址；填了会显示助手主动推送的消息")
    chat.add_argument("--openid", default="o_sandbox_user_0001", metavar="openid",
                      help="扮演的微信用户的 openid，默认 o_sandbox_user_0001")
    chat.set_defaults(run=_chat)

    ask = sub.add_parser("ask", help="回答政策问题：从标准输入读，每行一个问题")
    ask.add_argument("--json", action="store_true", help="每个回答输出为一行 JSON")
    ask.add_argument("--unanswered", action="store_true",
                     help="列出没答上的问题（和工作台「没答上的问题」里的是同一批），不回答")
    ask.set_defaults(run=_ask)

    content = sub.add_parser("content", help="检查 content/ 里的全部内容（check），"
                             "或把工作台里对政策问答的改动写进 content/（export）")
    content.add_argument("action", choices=["check", "export"],
                         help="check：检查内容；export：把工作台里的改动写进 content/")
    content.set_defaults(run=_content)

    jobs = sub.add_parser("jobs", help="定时任务：列出每项任务和它下次运行的时间")
    jobs.set_defaults(run=_jobs)
    by_hand = jobs.add_subparsers(metavar="操作").add_parser(
        "run", help="按指定的日期手动运行一项每日任务（不加 --send 只是演练）")
    by_hand.add_argument("name", metavar="任务名",
                         help="任务名，如 morning_greetings（见 python -m bot jobs）")
    by_hand.add_argument("--date", type=date.fromisoformat, required=True, metavar="YYYY-MM-DD",
                         help="当作哪一天运行（北京时间）")
    by_hand.add_argument("--send", action="store_true",
                         help="真的把找到的消息排队发送（记入操作日志）；不加则什么都不保留")
    by_hand.set_defaults(run=_jobs_run)

    from bot.activities.commands import add_commands as add_activity_commands
    from bot.care.commands import add_commands as add_care_commands
    from bot.notices.commands import add_commands as add_notice_commands
    from bot.study.commands import add_commands as add_study_commands
    from bot.tickets.commands import add_commands as add_ticket_commands

    add_ticket_commands(sub)
    add_notice_commands(sub)
    add_study_commands(sub)
    add_activity_commands(sub)
    add_care_commands(sub)
    from bot.care.deaths import after_import
    from bot.roster.commands import add_commands as add_roster_commands
    from bot.staff.commands import add_commands as add_staff_commands

    add_roster_commands(sub, after_deaths=after_import)
    add_staff_commands(sub)

    sandbox = sub.add_parser("sandbox", help="本机试用：启动微信模拟服务、网站服务和发送程序，"
                             "数据存在 SQLite，然后进入对话")
    sandbox.add_argument("--no-chat", action="store_true", help="只启动这些程序，不进入对话")
    sandbox.set_defaults(run=_sandbox)
    return parser


def _serve(args: argparse.Namespace) -> int:
    from werkzeug.serving import WSGIRequestHandler, run_simple

    from bot import create_app

    class PathOnly(WSGIRequestHandler):
        """Access lines without query strings: a console search holds names and phone digits."""

        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            self.log("info", '"%s %s" %s', self.command, self.path.split("?", 1)[0], code)

    app = create_app()
    print(f"银龄助手 listening on http://{args.host}:{args.port}/wechat", flush=True)
    run_simple(args.host, args.port, app, threaded=True, request_handler=PathOnly)
    return 0


def _db(args: argparse.Namespace) -> int:
    from bot.db.migrate import upgrade

    settings = load_settings()
    upgrade(settings.database_url)
    print("database is up to date")
    return 0


def _outbox(args: argparse.Namespace) -> int:
    from bot.command_support import command_services
    from bot.delivery.outbox import drain

    with command_services() as services:
        if args.action == "problems":
            return _problems(services, args.days)
        if args.action == "resend":
            return _resend(services, args.ids)
        if args.action == "drain":
            print(f"sent {drain(services)}")
            return 0
        while True:
            try:
                busy = drain(services, limit=500) > 0
            except Exception:  # the database or network hiccuped: keep the sender alive
                logging.getLogger("bot.delivery.outbox").exception("outbox round failed; trying again")
                busy = False
            if not busy:  # a busy round goes straight on: more may be due
                time.sleep(args.interval)


def _problems(services: Services, days: int | None) -> int:
    from bot.delivery.problems import undelivered

    since = services.clock.now() - timedelta(days=days) if days else None
    with services.sessions() as session:
        found = undelivered(session, since)
        for problem in found:
            print(problem.describe())
    print(f"{len(found)} 条消息没有送达" + ("，请打电话联系；原因排除后可重新发送："
                                          "python -m bot outbox resend 编号。" if found else "。"))
    return 0


def _resend(services: Services, ids: list[int]) -> int:
    from bot import audit
    from bot.db.engine import transaction
    from bot.delivery.problems import resend
    from bot.models import OutboxStatus

    if not ids:
        print("请给出要重新发送的编号（python -m bot outbox problems 第一列）。", file=sys.stderr)
        return 2
    with transaction(services.sessions) as session:
        done = resend(session, ids, actor=audit.cli_actor(), now=services.clock.now())
    for number, why in done.refused.items():
        print(f"✗ {number}：{why}", file=sys.stderr)
    if done.refused:
        print("没有改动任何消息。", file=sys.stderr)
        return 1
    uncertain = sum(was == OutboxStatus.UNCERTAIN for was in done.queued.values())
    print(f"已重新排队 {len(done.queued)} 条，发送程序会马上发出。"
          + (f"其中 {uncertain} 条上次发送中断，对方可能已经收到过一次。" if uncertain else ""))
    return 0


def _ask(args: argparse.Namespace) -> int:
    from bot.policies.ask import run_ask

    if args.unanswered:
        return _unanswered()
    return run_ask(load_settings(wechat=False), args.json)


def _unanswered() -> int:
    from bot.command_support import command_services
    from bot.models import OUTCOME_NAMES
    from bot.questions.grouping import open_groups
    from bot.questions.knowledge import knowledge_for

    with command_services(wechat=False) as services, services.sessions() as session:
        engine = knowledge_for(services).engine(session.connection())
        groups = open_groups(session, engine)
        for group in groups:
            first = group.questions[0]
            guesses = "、".join(engine.topics[t].title for t in group.guesses) or "无"
            print(f"{len(group.questions)} 次｜{first.text}｜{OUTCOME_NAMES[first.outcome]}"
                  f"｜可能是：{guesses}｜编号 {','.join(map(str, group.ids))}")
            for other in group.questions[1:4]:
                print(f"    也问过：{other.text}")
    total = sum(len(g.questions) for g in groups)
    print(f"共 {total} 个问题，{len(groups)} 组；在工作台「没答上的问题」里处理。" if groups
          else "没有待处理的问题。")
    return 0


def _content(args: argparse.Namespace) -> int:
    from bot.content_check import check_content
    from bot.delivery.staff_alerts import unreachable_warning
    from bot.language.office import unfilled

    if args.action == "export":
        return _content_export()
    settings = load_settings(wechat=False)
    problems = check_content(settings)
    for problem in problems:
        print(f"✗ {problem}")
    if unfilled(settings):
        print(f"提示：config.toml [office] 还没填：{'、'.join(unfilled(settings))}"
              "（回答里会显示「请打电话问我们」）。")
    if not settings.public_url:
        print("提示：config.toml 的 public_url 还没填：学习材料的阅读链接打不开。")
    if (warning := unreachable_warning(settings)) is not None:
        print(f"提示：{warning}")
    if problems:
        print(f"内容检查没通过：{len(problems)} 处问题。", file=sys.stderr)
        return 1
    print(f"内容检查通过：{settings.content_dir}")
    return 0


def _jobs(args: argparse.Namespace) -> int:
    from apscheduler.schedulers.background import BackgroundScheduler

    from bot.command_support import command_services
    from bot.scheduling.schedule import build_scheduler

    with command_services(wechat=False) as services:
        scheduler = build_scheduler(services, BackgroundScheduler)
        scheduler.start(paused=True)  # reads the stored jobs; runs nothing
        try:
            found = scheduler.get_jobs()
            for job in found:
                print(f"{job.id}\t{job.next_run_time:%Y-%m-%d %H:%M:%S}\t{job.name}")
        finally:
            scheduler.shutdown(wait=False)
    if not found:
        print("还没有任务：请先启动 python scheduler.py --config config.toml。")
    return 0


def _content_export() -> int:
    from bot.audit import cli_actor
    from bot.command_support import command_services
    from bot.db.engine import transaction
    from bot.questions.export import ExportError, export_changes

    try:
        with command_services(wechat=False) as services, transaction(services.sessions) as session:
            written = export_changes(session, services.settings.content_dir, actor=cli_actor(),
                                     now=services.clock.now())
    except ExportError as exc:
        print(f"✗ {exc}（改动仍留在数据库里，没有标为已导出）", file=sys.stderr)
        return 1
    for line in written:
        print(f"✓ {line}")
    print(f"已写入 {services.settings.content_dir}；请运行 python -m bot content check 再检查一遍。"
          if written else "没有要导出的改动。")
    return 0


def _jobs_run(args: argparse.Namespace) -> int:
    from bot.audit import cli_actor
    from bot.scheduling.by_hand import JobError, run_by_hand

    try:
        done = run_by_hand(load_settings(wechat=False), args.name, args.date, send=args.send,
                           actor=cli_actor())
    except JobError as exc:
        print(exc, file=sys.stderr)
        return 2
    counts = "，".join(f"{kind} {n} 条" for kind, n in sorted(done.queued.items())) or "没有新消息"
    if done.kept:
        print(f"已运行 {done.job}（按 {done.at:%Y-%m-%d %H:%M} 北京时间）：排队 {counts}。")
    else:
        print(f"演练 {done.job}（按 {done.at:%Y-%m-%d %H:%M} 北京时间）：会排队 {counts}。"
              "什么都没有发送；确认无误后加 --send。")
    return 0


def _chat(args: argparse.Namespace) -> int:
    from bot.sandbox.chat import run_chat
    from bot.sandbox.run import SANDBOX_CONFIG, running_sandbox

    url, standin = args.url, args.standin
    if not url and "BOT_CONFIG" not in os.environ and (ports := running_sandbox()) is not None:
        # A second chat beside the sandbox's (a family member beside the retiree): its config,
        # its ports as this run of it chose them.
        os.environ["BOT_CONFIG"] = str(SANDBOX_CONFIG)
        url = f"http://127.0.0.1:{ports['bot']}/wechat"
        standin = standin or f"http://127.0.0.1:{ports['standin']}"
    settings = load_settings()
    return run_chat(settings.wechat, url or "http://127.0.0.1:8000/wechat", standin, args.openid,
                    staff_openids=settings.staff.openids)


def _sandbox(args: argparse.Namespace) -> int:
    from bot.sandbox.run import run_sandbox

    return run_sandbox(chat=not args.no_chat)
