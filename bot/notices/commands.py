"""`python -m bot notice …`: staff send, schedule, cancel and follow up a notice (群发通知)."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from bot import audit
from bot.clock import SHANGHAI
from bot.command_support import Action, in_transaction
from bot.delivery.audience import AudienceError
from bot.models import CHANNEL_NAMES, STATUS_NAMES
from bot.notices.sending import cancel, report, send
from bot.services import Services


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register `notice send`, `notice cancel` and `notice report`."""
    notice = sub.add_parser("notice", help="群发通知：发给全体、某个分组或某几位老同志")
    actions = notice.add_subparsers(required=True, metavar="操作")
    send_cmd = actions.add_parser("send", help="把通知排队，由发送程序（outbox）发出")
    send_cmd.add_argument("--to", required=True, metavar="收件人",
                          help="all（全体）、group:<分组名> 或 retiree:<编号>[,<编号>…]；"
                               "几项之间用 ; 隔开")
    body = send_cmd.add_mutually_exclusive_group(required=True)
    body.add_argument("--text", metavar="内容", help="通知的内容")
    body.add_argument("--file", type=Path, metavar="文件", help="写着通知内容的文本文件（UTF-8 编码）")
    send_cmd.add_argument("--preview", action="store_true",
                          help="预览：只发给工作人员（config.toml [staff] openids 和关联了微信的账号）")
    send_cmd.add_argument("--at", metavar="时间", help='定时发送，北京时间，如 "2026-12-01 09:00"')
    send_cmd.set_defaults(run=_send)
    cancel_cmd = actions.add_parser("cancel", help="停发：还没发出的不再发")
    cancel_cmd.add_argument("id", type=int, metavar="通知编号")
    cancel_cmd.set_defaults(run=_cancel)
    report_cmd = actions.add_parser("report", help="发送情况统计，以及没送到、要打电话联系的人")
    report_cmd.add_argument("id", type=int, metavar="通知编号")
    report_cmd.set_defaults(run=_report)


def _send(args: argparse.Namespace) -> int:
    text = args.text if args.text is not None else args.file.read_text(encoding="utf-8")
    return _run(lambda services, session: _do_send(services, session, args, text))


def _do_send(services: Services, session: Session, args: argparse.Namespace, text: str) -> str:
    send_at = _parse_at(args.at) if args.at else None
    notice, reach = send(session, services.settings, text=text, audience=args.to,
                         actor=audit.cli_actor(), now=services.clock.now(), send_at=send_at,
                         preview=args.preview)
    when = f"{notice.send_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M} 起" if send_at else "现在"
    return (f"通知 {notice.id}：{when}发送给 {reach.people} 人（{len(reach.recipients)} 个微信）；"
            f"未绑定 {len(reach.not_bound)} 人，已取消关注 {len(reach.unfollowed)} 人，"
            f"已故 {len(reach.deceased)} 人不发。")


def _cancel(args: argparse.Namespace) -> int:
    def stop(services: Services, session: Session) -> str:
        stopped = cancel(session, args.id, actor=audit.cli_actor(), now=services.clock.now())
        return f"通知 {args.id}：已停止 {stopped} 份未发出的。"
    return _run(stop)


def _report(args: argparse.Namespace) -> int:
    def show(services: Services, session: Session) -> str:
        r = report(session, args.id, now=services.clock.now())
        lines = [f"通知 {args.id}（{r.notice.audience}）：{r.notice.text[:30]}",
                 "状态：" + "，".join(f"{STATUS_NAMES.get(k, k)} {v}"
                                     for k, v in sorted(r.by_status.items())),
                 "已送达渠道：" + ("，".join(f"{CHANNEL_NAMES.get(k, k)} {v}"
                                         for k, v in sorted(r.by_channel.items())) or "无"),
                 f"未送到 {len(r.not_reached)} 人（请电话联系）："]
        lines += [f"  {p.id}\t{p.name}\t{p.phone or '无电话'}\t{why}" for p, why in r.not_reached]
        return "\n".join(lines)
    return _run(show)


def _run(action: Action) -> int:
    return in_transaction(action, (AudienceError,))


def _parse_at(text: str) -> datetime:
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=SHANGHAI)
    except ValueError as exc:
        raise AudienceError(f"--at 的时间看不懂：{text}（写成 \"2026-12-01 09:00\"）。") from exc
