"""`python -m bot ticket …`: staff list the messages retirees left (留言) and answer them."""

from __future__ import annotations

import argparse

from sqlalchemy.orm import Session

from bot import audit
from bot.command_support import command_services, in_transaction
from bot.models import Retiree
from bot.services import Services
from bot.tickets.answers import TicketError, answer, describe, overdue_since, unanswered


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register `ticket list` and `ticket reply`."""
    ticket = sub.add_parser("ticket", help="留言：老同志留给工作人员的话")
    actions = ticket.add_subparsers(required=True, metavar="操作")
    listing = actions.add_parser("list", help="列出还没回复的留言")
    listing.add_argument("--overdue", action="store_true",
                         help="只列超时的：留言超过 config.toml [staff] ticket_overdue_hours 小时还没回复")
    listing.set_defaults(run=_list)
    reply = actions.add_parser("reply", help="回复一条留言，回复会发给留言的人")
    reply.add_argument("number", type=int, metavar="留言编号", help="见 ticket list")
    reply.add_argument("text", metavar="回复内容")
    reply.set_defaults(run=_reply)


def _list(args: argparse.Namespace) -> int:
    with command_services() as services, services.sessions() as session:
        hours = services.settings.staff.ticket_overdue_hours
        waiting = unanswered(session, overdue_since(services.clock.now(), hours) if args.overdue else None)
        for ticket in waiting:
            print(describe(ticket, session.get(Retiree, ticket.retiree_id) if ticket.retiree_id else None))
    print(f"{len(waiting)} 条留言{f'超过 {hours} 小时' if args.overdue else ''}未回复")
    return 0


def _reply(args: argparse.Namespace) -> int:
    def reply(services: Services, session: Session) -> str:
        answer(session, services.texts, args.number, args.text, actor=audit.cli_actor(),
               now=services.clock.now())
        return f"已回复留言 {args.number}，回复会由发送程序送达。"
    return in_transaction(reply, (TicketError,))
