"""News of a death, a fall or an emergency said to the mini-program (a question or a 留言), heard
as the chat hears it: a care report kept and staff alerted (signed in), and what to say now; and
the number to call back on, given in a 留言 after such news."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.api.spec import bound, services
from bot.care.detect import CareWords
from bot.care.intake import (
    Reporter,
    add_reporter_phone,
    caring_words,
    open_report_without_phone,
    take_report,
)
from bot.language.words import phone_said_alone
from bot.models import CareReport, MiniUser


@dataclass(frozen=True)
class Heard:
    """The news heard: its kind, the words to show, and whether staff were told."""

    kind: str
    text: str
    urgent: bool
    staff_told: bool


def hear(session: Session, user: MiniUser | None, said: str) -> Heard | None:
    """The care report in what was said, kept and staff alerted when signed in, with caring words
    and what to do now; None when it tells of none."""
    settings, texts = services().settings, services().texts
    words = CareWords.for_dir(settings.content_dir)
    sighting = words.reported(said)
    if sighting is None:
        return None
    kind = sighting.kind
    if user is None:  # nobody to call back: the words alone, and the office's number
        report = CareReport(kind=kind.name, subject=sighting.subject, relative=sighting.relative)
        text = "\n".join([caring_words(texts, words, report, staff_told=False),
                          texts.get("care.app_not_signed_in")])
        return Heard(kind.name, text, kind.urgent, staff_told=False)
    binding = bound(session, user)
    reporter = Reporter(user.openid, binding.retiree if binding else None,
                        binding.relation if binding is not None and binding.is_agent else None)
    report = take_report(session, settings, texts, services().clock.now(), reporter=reporter, kind=kind.name,
                         subject=sighting.subject, relative=sighting.relative, text=said)
    lines = [caring_words(texts, words, report)]
    if reporter.needs_phone:  # family, or not bound: staff have no number to call back on
        lines.append(texts.get("care.app_ask_phone"))
    return Heard(kind.name, "\n".join(lines), kind.urgent, staff_told=True)


def callback_phone(session: Session, user: MiniUser, said: str) -> Heard | None:
    """A phone number left as a 留言 of its own soon after a report without one (as /policy/ask's
    answer asks): kept with the report and passed to staff, as the chat keeps one; None otherwise."""
    s = services()
    phone = phone_said_alone(said)  # 「请转告李阿姨，她电话13800001111」 is no number to call back on
    report = open_report_without_phone(session, user.openid, s.clock.now()) if phone else None
    if phone is None or report is None:
        return None
    add_reporter_phone(session, s.settings, s.texts, s.clock.now(), report, phone)
    return Heard(report.kind, s.texts.get("care.phone_kept", phone=phone), urgent=False, staff_told=True)
