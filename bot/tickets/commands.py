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
    ticket = sub.add_parser("ticket", help="messages retirees left for staff (留言)")
    actions = ticket.add_subparsers(required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="those not answered yet")
    listing.add_argument("--overdue", action="store_true",
                         help="only those older than [staff] ticket_overdue_hours")
    listing.set_defaults(run=_list)
    reply = actions.add_parser("reply", help="answer one; the answer is sent to whoever left it")
    reply.add_argument("number", type=int)
    reply.add_argument("text")
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
