"""留言: what retirees and their families left for the office, with who they are and how to reach
them; answering one queues the answer to whoever left it, once (the same function as
`ticket reply`), or, after a phone call, closing it with a note sends nothing. A branch's
account sees its own people's only."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from bot.console.web import actor, allowed, console, db, now, page, saving, services, staff
from bot.models import Retiree, Ticket
from bot.roster.search import people_by_id, within
from bot.staff.roles import Can
from bot.tickets.answers import (
    MAX_ANSWER,
    TicketError,
    answer,
    answered,
    conversation,
    handle_without_reply,
    overdue,
    unanswered,
)
from bot.tickets.leaving import SCREENING_NOTES

ANSWERED_SHOWN = 30


@console.get("/tickets")
def tickets() -> tuple[str, int]:
    """Those waiting (overdue first, then the newest), then the last answered."""
    session, hours = db(), services().settings.staff.ticket_overdue_hours
    waiting = _visible(session, unanswered(session))
    late = overdue(waiting, now(), hours)
    waiting = late + [t for t in reversed(waiting) if t not in late]
    done = _visible(session, answered(session, ANSWERED_SHOWN))
    return page("tickets.html", waiting=waiting, late=late, done=done, hours=hours,
                people=people_by_id(session, [t.retiree_id for t in waiting + done]))


@console.route("/tickets/<int:number>", methods=["GET", "POST"])
def ticket(number: int) -> Response | tuple[str, int]:
    """One 留言 with the person who left it; staff who edit answer it here."""
    found = db().get(Ticket, number)
    if found is None or not _visible(db(), [found]):
        abort(404)
    reply, note, problem = request.form.get("answer", ""), request.form.get("note", ""), ""
    if request.method == "POST":
        if not allowed(Can.EDIT):
            abort(403)
        handled = "note" in request.form  # the second form: handled by phone, nothing to send
        try:
            with saving() as session:
                if handled:
                    handle_without_reply(session, number, note, actor=actor(), now=now())
                else:
                    answer(session, services().texts, number, reply, actor=actor(), now=now())
        except TicketError as exc:
            problem = str(exc)  # what was typed stays in its box
        else:
            flash(f"留言 {number} 已记为处理完（没有发微信）。" if handled
                  else f"已回复留言 {number}，会发到留言人的微信。")
            return redirect(url_for("console.ticket", number=number))
    person = db().get(Retiree, found.retiree_id) if found.retiree_id else None
    return page("ticket.html", 400 if problem else 200, ticket=found, person=person, reply=reply,
                note=note, problem=problem, said=conversation(db(), found),
                screening=SCREENING_NOTES.get(found.screening or ""), max_answer=MAX_ANSWER)


def _visible(session: Session, found: list[Ticket]) -> list[Ticket]:
    """The tickets the account may see: its branch's people's, or everyone's."""
    shown = within(session, staff().group_id)
    return [t for t in found if shown(t.retiree_id)]
