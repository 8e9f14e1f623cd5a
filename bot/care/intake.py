"""Taking a care report in: kept once, staff alerted at once with whom to call.

The chat and the mini-program file reports through these functions, so a report is kept,
announced and answered the same way whoever takes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.care.detect import DEATH, CareWords
from bot.care.reports import KIND_LABELS
from bot.config import Settings
from bot.delivery.staff_alerts import alert_staff
from bot.language.texts import Texts
from bot.models import CareReport, Retiree
from bot.roster.search import person_called

# Kinds said otherwise of whom they are about ([care] texts): one's own death (a will, a wish),
# a relative's despair (family are asked to stay with them).
WORDED_FOR = {("death", "self"): "death_self", ("death", "other"): "death_other",
              ("despair", "relative"): "despair_relative"}
_PLAIN_WHO = {"self": "您", "other": "这位老同志"}  # the {who} of the caring words but for family
# Good news (「出院了」) this long after a report of a stay in hospital or a fall is about it.
GOOD_NEWS_WITHIN = timedelta(days=30)
SAME_REPORT = timedelta(hours=12)  # said again within this time, it adds to the open report
MORE_WITHIN = timedelta(minutes=30)  # words nothing else understood this soon after a report are about it
# Said again word for word this long after (「我摔倒了起不来」 a quarter of an hour later): nobody
# may have reached them yet, so staff are told again, at most once in each such span.
TELL_AGAIN_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class Reporter:
    """Who reported: their WeChat account, the retiree they are bound to, and as whom."""

    openid: str
    retiree: Retiree | None
    relation: str | None = None  # family's relation to the retiree; None: the retiree themselves
    claimed: str | None = None  # unbound, half way through binding: the retiree's name they gave

    @property
    def needs_phone(self) -> bool:
        """True when staff have no number to call the reporter back on (family, or unbound)."""
        return self.retiree is None or self.relation is not None


def take_report(session: Session, settings: Settings, texts: Texts, now: datetime, *,
                reporter: Reporter, kind: str, subject: str, relative: str | None,
                text: str) -> CareReport:
    """Keep the report and alert staff. The same news about the same person again within
    SAME_REPORT adds to the open report; staff hear only what is new (words, or whom)."""
    subject, relative, named = _named(session, settings, reporter, kind, subject, relative, text)
    earlier = _same_news(session, reporter.openid, kind, subject, relative, now)
    if earlier is not None:
        learned = earlier.subject == "unknown" and subject != "unknown"
        if learned:
            set_subject(earlier, subject, relative)
        # Said again word for word: staff have it, unless it was a while ago.
        if not _add_words(earlier, text) and not learned:
            _tell_again(session, settings, texts, now, earlier, reporter, text.strip())
            return earlier
        _tell_more(session, settings, texts, now, earlier, reporter, text.strip())
        return earlier
    record = CareReport(openid=reporter.openid, retiree_id=reporter.retiree.id if reporter.retiree else None,
                        kind=kind, subject=subject, relative=relative, text=text.strip(), created_at=now,
                        claimed=_claim(texts, reporter), named=named)
    session.add(record)
    session.flush()
    alert_staff(session, settings, now, key=f"care:{record.id}",
                text=staff_alert(settings, texts, record, reporter), page=f"/console/care/{record.id}")
    return record


def _named(session: Session, settings: Settings, reporter: Reporter, kind: str, subject: str,
           relative: str | None, text: str) -> tuple[str, str | None, Retiree | None]:
    """Whom a death told by full name right before the death word is about (「姚文斌昨天晚上去世了」),
    when one living person on the roster has exactly that name: named for staff (the words already
    made it someone else's death, roster or not); family naming the retiree they act for tell of a
    relative's. 「王德明的老同事昨天去世了」 names nobody; the retiree naming themself: as the words said."""
    if kind != DEATH or subject not in ("unknown", "other"):
        return subject, relative, None
    name = CareWords.for_dir(settings.content_dir).named_dead(text)
    named = person_called(session, name) if name else None
    own = named is not None and reporter.retiree is not None and named.id == reporter.retiree.id
    if named is None or (own and reporter.relation is None):
        return subject, relative, None
    return ("relative", "家里人", named) if own else ("other", None, named)


def caring_words(texts: Texts, words: CareWords, report: CareReport, *, staff_told: bool = True) -> str:
    """What a report is answered with first, for its kind and the person it is about: care,
    and what to do now (an emergency's 120). Told nobody (the mini-program, not signed in): without
    the sentences promising that staff know or will call, nor the phone the caller adds after."""
    who = _PLAIN_WHO.get(report.subject) or words.how_to_say(report.relative or "家里人")
    heard = report.kind == DEATH and report.subject == "other" and words.rumoured(report.text)
    key = "death_heard" if heard else WORDED_FOR.get((report.kind, report.subject), report.kind)
    if key == "emergency" and report.subject in ("self", "unknown") and words.speaker_alone(report.text):
        key = "emergency_alone"  # 「身边有人，就请他们帮忙」 is no help to someone alone
    said = texts.get(f"care.{key}", who=who)
    if staff_told:
        return said
    phone = texts.fill("{office_phone}")
    kept = "".join(s for s in _SENTENCE.findall(said) if not _PROMISE.search(s) and phone not in s)
    return "\n".join(line for line in kept.split("\n") if line.strip())


_SENTENCE = re.compile(r"[^。！？\n]+[。！？]?|\n")  # a sentence and its stop, or a line's end
# chat.toml's [care] texts say so in a sentence of its own: 「我们已经告诉工作人员」「工作人员会…」.
_PROMISE = re.compile(r"告诉工作人员|工作人员(?:会|马上)")


def learn_subject(session: Session, settings: Settings, texts: Texts, now: datetime, report: CareReport,
                  reporter: Reporter, subject: str, relative: str | None, words: str) -> None:
    """The reporter said whom it is about (「是我老伴」): kept, and staff are told."""
    set_subject(report, subject, relative)
    _tell_more(session, settings, texts, now, report, reporter, words.strip())


def set_subject(report: CareReport, subject: str, relative: str | None) -> None:
    """Record whom the report is about."""
    report.subject = subject
    report.relative = relative if subject == "relative" else None


_OPEN_OF_KIND = sa.select(CareReport).where(  # built once: it runs for every report
    CareReport.openid == sa.bindparam("openid"), CareReport.kind == sa.bindparam("kind"),
    CareReport.closed_at.is_(None), CareReport.created_at > sa.bindparam("since"),
).order_by(CareReport.id.desc())


def _add_words(report: CareReport, words: str) -> bool:
    """Add words to the report's, unless it holds them already; whether they were new."""
    words = words.strip()
    if words in report.text.split("\n"):
        return False
    report.text = f"{report.text}\n{words}"
    return True


def _same_news(session: Session, openid: str, kind: str, subject: str, relative: str | None,
               now: datetime) -> CareReport | None:
    """An open report of the same kind about the same person (as far as both say) lately."""
    recent = session.scalars(_OPEN_OF_KIND, {"openid": openid, "kind": kind, "since": now - SAME_REPORT})
    return next((r for r in recent if "unknown" in (r.subject, subject)
                 or (r.subject, r.relative) == (subject, relative)), None)


def report_good_news_follows(session: Session, openid: str, kinds: tuple[str, ...],
                              now: datetime) -> CareReport | None:
    """This reporter's latest report of one of kinds within GOOD_NEWS_WITHIN, closed or not:
    the one their good news is about."""
    return session.scalars(sa.select(CareReport).where(
        CareReport.openid == openid, CareReport.kind.in_(kinds),
        CareReport.created_at > now - GOOD_NEWS_WITHIN).order_by(CareReport.id.desc()).limit(1)).first()


def open_report_without_phone(session: Session, openid: str, now: datetime) -> CareReport | None:
    """This reporter's latest open report of the last SAME_REPORT that has no number to call
    them back on: a number they send next is for it."""
    return _latest_open(session, openid, now - SAME_REPORT, CareReport.reporter_phone.is_(None))


def just_reported(session: Session, openid: str, now: datetime) -> CareReport | None:
    """This reporter's open report made in the last MORE_WITHIN: what they say next that nothing
    else understood (「在人民医院心内科12床」) is more about it."""
    return _latest_open(session, openid, now - MORE_WITHIN)


def _latest_open(session: Session, openid: str, since: datetime,
                 *also: sa.ColumnElement[bool]) -> CareReport | None:
    return session.scalars(sa.select(CareReport).where(
        CareReport.openid == openid, CareReport.closed_at.is_(None), CareReport.created_at > since, *also)
        .order_by(CareReport.id.desc()).limit(1)).first()


def add_good_news(session: Session, settings: Settings, texts: Texts, now: datetime, report: CareReport,
                  reporter: Reporter, words: str) -> None:
    """Keep the good news with the report, and tell staff, who may still think them in hospital."""
    words = words.strip()
    _add_words(report, words)
    alert_staff(session, settings, now, key=f"care:{report.id}:good:{len(report.text.splitlines())}",
                text=texts.get("care.staff_good_news", number=report.id,
                               kind=KIND_LABELS.get(report.kind, report.kind),
                               about=_about(settings, texts, report, reporter), text=words),
                page=f"/console/care/{report.id}")


def add_more(session: Session, settings: Settings, texts: Texts, now: datetime, report: CareReport,
             reporter: Reporter, words: str) -> bool:
    """More the reporter said about it (「他住的是人民医院」「你们什么时候来人」): kept with the
    report and passed to staff; False when it holds those words already."""
    if not _add_words(report, words):
        return False
    _tell_more(session, settings, texts, now, report, reporter, words.strip())
    return True


def _tell_more(session: Session, settings: Settings, texts: Texts, now: datetime, report: CareReport,
               reporter: Reporter, words: str) -> None:
    """A short follow-up alert: whom it is about now, and the latest words."""
    key = f"care:{report.id}:more:{len(report.text.splitlines())}:{report.subject}"
    alert_staff(session, settings, now, key=key, text=texts.get(
        "care.staff_more", number=report.id, kind=KIND_LABELS.get(report.kind, report.kind),
        about=_about(settings, texts, report, reporter), text=words), page=f"/console/care/{report.id}")


def _tell_again(session: Session, settings: Settings, texts: Texts, now: datetime, report: CareReport,
                reporter: Reporter, words: str) -> None:
    """The same words again TELL_AGAIN_AFTER or more after the report: staff are told again."""
    waited = now - report.created_at
    if waited < TELL_AGAIN_AFTER:
        return
    minutes = int(waited.total_seconds() // 60)
    told = texts.get("care.staff_again", number=report.id, kind=KIND_LABELS.get(report.kind, report.kind),
                     about=_about(settings, texts, report, reporter), minutes=minutes, text=words)
    alert_staff(session, settings, now, key=f"care:{report.id}:again:{waited // TELL_AGAIN_AFTER}", text=told,
                page=f"/console/care/{report.id}")


def add_reporter_phone(session: Session, settings: Settings, texts: Texts, now: datetime,
                       report: CareReport, phone: str) -> None:
    """Keep the number the reporter left, and pass it to staff at once."""
    report.reporter_phone = phone
    alert_staff(session, settings, now, key=f"care:{report.id}:phone",
                text=texts.get("care.staff_phone", number=report.id, phone=phone),
                page=f"/console/care/{report.id}")


def staff_alert(settings: Settings, texts: Texts, report: CareReport, reporter: Reporter) -> str:
    """What staff read: what happened and to whom first (a template shows ~20 characters),
    then who reported it, their words, and every number to call."""
    person = reporter.retiree
    return texts.get("care.staff", number=report.id, kind=KIND_LABELS.get(report.kind, report.kind),
                     about=_about(settings, texts, report, reporter), who=_who(texts, reporter),
                     text=report.text, contacts="\n".join(_contacts(texts, person, reporter)))


def _about(settings: Settings, texts: Texts, report: CareReport, reporter: Reporter) -> str:
    """Whom it happened to, as far as the words say: 张明本人, 张明的父亲 (he said 我爸),
    王德明（家属说是我爸）."""
    name = (reporter.retiree.name if reporter.retiree else
            texts.get("care.claimed_person", name=reporter.claimed) if reporter.claimed else
            texts.get("care.unbound_person"))
    as_family = reporter.relation is not None
    key = {("self", False): "about_self", ("self", True): "about_family_self",
           ("relative", False): "about_relative", ("relative", True): "about_family_relative",
           ("other", False): "about_other", ("other", True): "about_other"}.get(
        (report.subject, as_family), "about_unknown")
    said = report.relative or "家里人"
    words = CareWords.for_dir(settings.content_dir)
    if report.subject == "other":  # 「听说老姚走了」: not known for sure; 「姚文斌走了」: that one
        heard = "_heard" if report.kind == DEATH and words.rumoured(report.text) else ""
        if report.named is not None:
            return texts.get(f"care.about_named{heard}", name=name, named=report.named.name)
        key = f"about_other{heard}"
    if key == "about_family_relative" and reporter.retiree and words.cannot_be(said, reporter.retiree.gender):
        key = "about_family_other"  # a daughter bound to her father says 「我妈走了」: not him
    # The retiree's 「我爸」 is 张明的父亲 to staff; family's own words are quoted as they said them.
    kin = words.how_to_say(said).removeprefix("您家").removeprefix("您")
    return texts.get(f"care.{key}", name=name, relative=said, kin=kin, relation=reporter.relation or "")



def _who(texts: Texts, reporter: Reporter) -> str:
    if reporter.retiree is None:
        return _claim(texts, reporter) or texts.get("care.reporter_unbound")
    if reporter.relation is None:
        return texts.get("care.reporter_self", name=reporter.retiree.name)
    return texts.get("care.reporter_family", name=reporter.retiree.name, relation=reporter.relation)


def _claim(texts: Texts, reporter: Reporter) -> str | None:
    """Whom an unbound reporter said they are while binding, kept with the report for staff
    (「还没绑定的微信用户，自称王德明的家属（女儿）」); None when they are bound or said nothing."""
    if reporter.retiree is not None or not reporter.claimed:
        return None
    if reporter.relation is None:
        return texts.get("care.reporter_claimed_self", name=reporter.claimed)
    return texts.get("care.reporter_claimed_family", name=reporter.claimed, relation=reporter.relation)


def _contacts(texts: Texts, person: Retiree | None, reporter: Reporter) -> list[str]:
    lines = []
    if person is not None and person.phone:
        lines.append(texts.get("care.contact_retiree", phone=person.phone))
    if person is not None and person.contacts:
        first = person.contacts[0]
        lines.append(texts.get("care.contact_emergency", name=first.name, relation=first.relation or "",
                               phone=first.phone or ""))
    if reporter.needs_phone:
        lines.append(texts.get("care.contact_reporter_asked"))
    return lines
