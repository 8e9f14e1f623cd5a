"""Recognising a care report in what someone wrote or said: what happened, and to whom.

The words are data (content/care.toml). A kind word alone is not a report: something must
have happened (「住院了」「昨天住院」), or the word says it is happening (「救命」「病危」), so
「住院怎么报销」 stays a policy question; words such as 走了 count only with a person (「老伴走了」,
never 「他走了」); and what is supposed (「要是走了」) or long past and asked about is no report.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from bot.config import ConfigError
from bot.language.last_one import LastOne
from bot.language.words import clauses, normalize

ENDED_BY_GOOD_NEWS = "hospital"  # the kind good news alone can end (出院了): no report of it
DEATH = "death"  # whom it is about is never asked as 「您本人」
_VITALS = ("心跳", "呼吸", "气", "脉搏", "意识")  # 「我爸的心跳没了」: said of the person, not a thing


_PAUSE = re.compile(r"[\s，,。.！!？?；;、：:…~～]+")  # where a speaker pauses: punctuation, spaces

@dataclass(frozen=True)
class Kind:
    """One kind of report and the words that say it."""

    name: str
    label: str
    words: tuple[str, ...]
    needs_person: tuple[str, ...]
    topics: tuple[str, ...]
    now: tuple[str, ...] = ()  # words that say it is happening (救命, 病危): no other sign needed
    unless: tuple[str, ...] = ()  # sayings holding one of words that are no report (救命钱)
    urgent: bool = False  # a life at risk now: 120 first, nothing asked or offered, no task reminded
    cries: tuple[str, ...] = ()  # 救命, 快来人: a report whatever else the sentence says
    alone: bool = False  # the answer says nothing of a quiz or sign-up waiting (a death's condolence)
    needs_someone: tuple[str, ...] = ()  # words that count said of anyone: an elder, a child or 我
    told_of: tuple[str, ...] = ()  # about a relative only with one of these (「我爸说他不想活了」)
    # Symptoms one goes to a doctor with (头疼得厉害): asked where to be seen, they are a question.
    for_a_doctor: tuple[str, ...] = ()
    # Counts only said with one of these (一个人在家, 就我一个): 「心慌」 alone gets a kind word, not staff.
    only_with: tuple[str, ...] = ()
    # Said with these, the symptom is over (「今天好了」「没事了」): no report of an only_with kind.
    not_now: tuple[str, ...] = ()
    speaker: bool = False  # said of no one (「家里进小偷了」), it is the speaker's own: not asked whose


@dataclass(frozen=True)
class Sighting:
    """A report found in a message: its kind, and whom it is about."""

    kind: Kind
    subject: str  # "self", "relative", "other" (someone outside the family) or "unknown"
    relative: str | None  # the word used for the relative (老伴, 我爸 …)


@dataclass(frozen=True)
class GoodNews:
    """Words saying an earlier report ended well (出院了, 没事了), and the kinds they follow."""

    words: tuple[str, ...] = ()  # good news after a report of one of kinds
    alone: tuple[str, ...] = ()  # good news even with no report before (出院了, 脱离危险)
    unless: tuple[str, ...] = ()  # 还没出院, 不见好转
    kinds: tuple[str, ...] = ()
    cues: tuple[str, ...] = ()  # a person or their health, which `words` must be said with (医生, 腿 …)
    not_about: tuple[str, ...] = ()  # what `words` may be said of instead (手机没事了, 天气好多了)


@dataclass(frozen=True)
class GoodNewsTold:
    """Good news found in a message: whether it stands with no report before it, and about whom."""

    alone: bool
    relative: str | None


@dataclass(frozen=True)
class CareWords:
    """Everything content/care.toml says."""

    kinds: tuple[Kind, ...]
    relatives: tuple[str, ...]  # the elders and spouses 「走了」「没了」 can be said of
    self_words: tuple[str, ...]
    happened: tuple[str, ...]
    address: dict[str, str]
    asking: tuple[str, ...] = ()
    younger: tuple[str, ...] = ()  # 儿子, 孙女 …: whom a report can be about, but 「我儿子走了」 is no death
    not_happened: tuple[str, ...] = ()  # 要是, 如果 …: 「我爸要是走了」 supposes, it reports nothing
    long_ago: tuple[str, ...] = ()  # 三年了, 去年 …: asked about with these, old news is a question
    chronic: tuple[str, ...] = ()  # 老毛病, 支架 …: an old illness asked about is no emergency
    costs: tuple[str, ...] = ()  # 报销, 医保, 赔 …: asked with these, even an emergency word is a question
    paid: tuple[str, ...] = ()  # 花了, 自己掏了 …: with a cost asked about, the stay is behind them
    hearsay: tuple[str, ...] = ()  # 电视上说, 新闻说 …: what someone heard of, not what happens to them
    seeing_doctor: tuple[str, ...] = ()  # 哪个医院, 挂哪个科 …: asking where to be seen
    others: tuple[str, ...] = ()  # 都不是, 同事, 邻居 …: the news is of someone outside the family
    men: tuple[str, ...] = ()  # 爸, 父, 公公 …: a relative's word saying he is a man
    women: tuple[str, ...] = ()  # 妈, 母, 婆婆 …: saying she is a woman
    dated: tuple[str, ...] = ()  # 昨天, 前几天 …: 走了 said of someone outside the family is news with these
    # 「我爸去世了以后还会给我发消息吗」: a time after the news, said in one breath, supposes it.
    after_news: tuple[str, ...] = ()
    rumour: tuple[str, ...] = ()  # 听说, 有人说 …: news of someone one heard of, to be checked
    claims: tuple[str, ...] = ()  # 丧葬费, 抚恤金, 能领 …: a loss told with these asks about money
    good_news: GoodNews = GoodNews()

    def __post_init__(self) -> None:
        # Longest first, once: the first found in a message is the most specific (我老伴 over 老伴).
        object.__setattr__(self, "relatives", _longest_first(self.relatives))
        object.__setattr__(self, "younger", _longest_first(self.younger))
        # An emergency first: 「我老伴摔倒了，叫不醒」 is one, not a fall.
        object.__setattr__(self, "kinds", tuple(sorted(self.kinds, key=lambda k: not k.urgent)))
        # A message's words are read before its transaction too (read_ahead): the last one's kept.
        object.__setattr__(self, "_last_found", LastOne(self._find))
        # 走了 and the like told of someone outside the family with when, right before (昨天走了).
        said_of_someone = {w for kind in self.kinds for w in kind.needs_person}
        object.__setattr__(self, "_dated_news", tuple(d + w for d in self.dated for w in said_of_someone))
        # 「我是他女儿」「我是王德明的儿子」 say who speaks, not whom the news is about (read in
        # normalized text: no punctuation).
        kin = "|".join(map(re.escape, _longest_first(self.relatives + self.younger)))
        object.__setattr__(self, "_own_role", re.compile(f"我是(?:他|她|.{{1,5}}?的)?(?:{kin})"))

    @classmethod
    def for_dir(cls, content_dir: Path) -> CareWords:
        """The words of content_dir, read once per process."""
        return _load_cached(content_dir)

    @classmethod
    def load(cls, content_dir: Path) -> CareWords:
        """Read content/care.toml; a missing or broken file stops start-up with one sentence."""
        path = content_dir / "care.toml"
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
            kinds = tuple(Kind(name, k["label"], _words(k["words"]), _words(k.get("needs_person", [])),
                               tuple(k.get("topics", [])), _words(_now_words(k)),
                               _words(k.get("unless", [])), bool(k.get("urgent", False)),
                               _words(k.get("cries", [])), bool(k.get("alone", False)),
                               _words(k.get("needs_someone", [])), _words(k.get("told_of", [])),
                               _words(k.get("for_a_doctor", [])), _words(k.get("only_with", [])),
                               _words(k.get("not_now", [])), bool(k.get("speaker", False)))
                          for name, k in raw["kinds"].items())
            words, good = raw["words"], raw.get("good_news", {})
            good_news = GoodNews(_words(good.get("words", [])), _words(good.get("alone", [])),
                                 _words(good.get("unless", [])), tuple(good.get("kinds", [])),
                                 _words(good.get("cues", [])), _words(good.get("not_about", [])))
            return cls(kinds, _words(words["relatives"]), _words(words["self"]), _words(words["happened"]),
                       dict(words.get("address", {})), _words(words.get("asking", [])),
                       _words(words.get("younger", [])), _words(words.get("not_happened", [])),
                       _words(words.get("long_ago", [])), _words(words.get("chronic", [])),
                       costs=_words(words.get("costs", [])), paid=_words(words.get("paid", [])),
                       hearsay=_words(words.get("hearsay", [])),
                       seeing_doctor=_words(words.get("seeing_doctor", [])), men=_words(words.get("men", [])),
                       women=_words(words.get("women", [])), others=_words(words.get("others", [])),
                       dated=_words(words.get("dated", [])), after_news=_words(words.get("after_news", [])),
                       rumour=_words(words.get("rumour", [])), claims=_words(words.get("claims", [])),
                       good_news=good_news)
        except (OSError, KeyError, TypeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"重要情况词表 {path} 读不出来：{exc}。") from exc

    def gender_of(self, relative: str) -> str | None:
        """男 or 女 as the word for a relative says (我妈, 婆婆: 女); None for 老伴, 家里人."""
        men, women = (any(w in relative for w in words) for words in (self.men, self.women))
        return "男" if men and not women else "女" if women and not men else None

    def cannot_be(self, relative: str, gender_on_file: str | None) -> bool:
        """Whether family's word for someone (我妈) names a person the retiree on file cannot be:
        a woman for a man, or a man for a woman."""
        gender = self.gender_of(relative)
        return gender is not None and gender_on_file in ("男", "女") and gender != gender_on_file

    def acted_for(self, text: str) -> str | None:
        """The elder an action is asked for: the one after 帮/替/给 (「我爸让我帮我妈报个名」: 我妈),
        else the one the message opens with (「我妈看完了」); None when neither names an elder
        (「我妈让我帮他报名」: 他)."""
        plain = normalize(text)
        for at, char in enumerate(plain):
            if char in "帮替给" and (whom := _person_at(plain[at + 1:], self.relatives)) is not None:
                return whom or None
        return next((w for w in self.relatives if plain.startswith(w)), None)

    def elder_said_of(self, text: str, words: Iterable[str]) -> str | None:
        """The elder or spouse (我爸, 老伴) text says one of words of: named before the first of
        them, with no 我 between (「我身体不好，老伴也照顾不过来」 is the speaker's own); None
        otherwise, and for 家里人, no one in particular."""
        plain = normalize(text)
        at = min((plain.find(w) for w in words if w in plain), default=-1)
        elder = _nearest(plain[:at], self.relatives) if at > 0 else None
        if elder is None or elder in ANYONE_AT_HOME:
            return None
        return elder if "我" not in plain[plain.rfind(elder, 0, at) + len(elder):at] else None

    def how_to_say(self, relative: str) -> str:
        """「您父亲」 for 我爸; 「您家老伴」 for a relative with no entry."""
        return self.address.get(relative, f"您家{relative}")

    def mentions(self, text: str) -> bool:
        """Whether text speaks of a care situation at all (住院, 摔倒, 老伴走了 …), whether it
        reports one or asks about one."""
        plain = normalize(text)
        elder, someone = self._people(plain)
        return any(_says(kind, _without(plain, kind.unless), elder, someone) for kind in self.kinds)

    def _people(self, plain: str) -> tuple[str | None, bool]:
        """Whom 走了 and the like may be said of: the elder plain names (我爸, 老伴), else someone
        outside the family (楼下老张, 老战友, 我们支部的) when it says when, right before
        (昨天走了); and whether it speaks of anyone at all (those, a child or grandchild, or 我)."""
        elder = _first_in(plain, self.relatives)
        # 「楼下老张昨天走了」「老姚昨天夜里走了」, not 「邻居坐了会就走了」 (the many dated words read last)
        outsider = None if elder is not None else _first_in(plain, self.others) or _calling_in(plain)
        if outsider is not None and any(news in plain for news in self._dated_news):
            elder = outsider
        if elder is None and self._heard_said(plain):  # 「听说老姚走了」: 走了 said of someone heard of
            elder = _someone_heard_of(plain)
        if elder is None:  # 「姚文斌昨天晚上走了」: the whole message a full name and 走了
            elder = self.named_dead(plain)
        someone = elder is not None or _first_in(plain, self.younger) is not None or any(
            w in plain for w in self.self_words)
        return elder, someone

    def speaker_alone(self, text: str) -> bool:
        """Whether text says the speaker has nobody with them (一个人在家, 身边没人): a kind's
        only_with words."""
        plain = normalize(text)
        return any(_first_in(plain, k.only_with) for k in self.kinds if k.only_with)

    def rumoured(self, text: str) -> bool:
        """Whether text tells what the speaker heard said (「听说」「有人说」), not what they know."""
        return self._heard_said(normalize(text))

    def _heard_said(self, plain: str) -> bool:
        return any(w in plain for w in self.rumour)

    def find(self, text: str) -> Sighting | None:
        """The report in text, or None when it says none."""
        return self._last_found(text)

    def read_ahead(self, text: str) -> None:
        """Read text now, so that the handler finds it read: a message's words are read before its
        transaction, outside SQLite's one write lock (bot.conversation.dispatch)."""
        self.find(text)

    def _find(self, text: str) -> Sighting | None:
        plain = normalize(text)
        asks = any(a in plain for a in self.asking)
        # 「我爸去世了以后还会给我发消息吗」 asks about later; 「我爸昨天去世了以后的事怎么办」 is news.
        supposed = any(w in plain for w in self.not_happened) or (
            asks and not any(w in plain for w in self.dated) and _in_one_breath(text, self.after_news))
        elder, someone = self._people(plain)
        whom = self._own_role.sub(lambda said: " " * len(said.group()), plain)  # the same length
        old = any(w in plain for w in self.long_ago)
        costs = any(w in plain for w in self.costs)
        chronic = costs or any(w in plain for w in self.chronic)
        # 「住院花了八千多能报多少」「上礼拜住院了，出院了，医药费怎么报」: the stay is over, a question
        paid = costs and (any(w in plain for w in self.paid) or any(w in plain for w in self.good_news.alone))
        heard = any(w in plain for w in self.hearsay)
        for kind in self.kinds:
            if not any(w in plain for w in kind.words):
                continue  # most messages name no kind: its exceptions (unless) need not be taken out
            said = _without(plain, kind.unless)
            if not _says(kind, said, elder, someone) or self._things_gone(plain, kind, said):
                continue
            at = min((plain.find(w) for w in kind.words if w in said), default=len(plain))
            if kind.only_with:  # 「老伴不在家，我一个人…」: who is away says nothing of who is unwell
                if asks or chronic or old or supposed or _first_in(plain, kind.not_now):
                    continue  # 「我一个人住，发烧了去哪个医院」「昨天头晕，今天好了」: no report
                if (alone := self._alone_speaker(kind, whom, at)) is None:
                    continue  # 「我一个人在家，孙子发烧了」: the one alone is not the one unwell
                whom = alone
            # The one named nearest before the news (「我妈昨天摔了一跤，我爸急得不行」: 我妈).
            # else one named after it, unless the speaker said it of themself (「我自己住院了，没法照顾我爸」)
            relative = _nearest(whom[:at], self.relatives + self.younger) or (
                None if _first_in(whom[:at], MYSELF) else
                _first_in(whom, self.relatives) or _first_in(whom, self.younger))
            subject = self._subject(whom, relative, at)
            relative = relative if subject == "relative" else None
            if _first_in(said, kind.cries):  # 「救命！如果你们看到请马上来」: a cry is never a question
                return self._sighting(kind, plain, relative, subject)
            if self._to_be_seen(kind, said):  # 「头疼得厉害去哪个医院看」: going to a doctor, and asking
                continue
            # 「一个人在家心慌」 tells how it is now, as 「病危」 does.
            now = bool(_first_in(said, kind.now)) or bool(kind.only_with)  # only_with: checked above
            if old and not kind.urgent and self._told_as_past(plain, kind, said):
                continue  # 「老伴走了三年了」「去年摔了一跤以后」: long past, not news to act on today
            happened = now or any(h in plain for h in self.happened)
            if not happened or heard or (supposed and not (kind.urgent and now)):
                # 「我爸要是走了」 supposes, 「电视上说高烧不退」 is heard of;
                # 「老伴叫不醒了，要是你们能来」 reports.
                continue
            if kind.name == DEATH and subject != "relative" and self._heard_said(plain):
                return Sighting(kind, "other", None)  # 「听说老姚走了是真的吗」: staff find out
            # 「去世了丧葬费怎么领」「老伴走了三年了，抚恤金还能领吗」「烫伤了医保能报吗」 are questions;
            # 「晕倒了怎么办」 is not.
            minor = not kind.urgent and (subject == "unknown" or paid)
            if asks and (old or (kind.urgent and chronic) or minor):
                return None
            if kind.name == DEATH and not _first_in(whom[:at], self.relatives) and self.named_dead(text):
                return Sighting(kind, "other", None)  # 「张建国昨天去世了」: someone else, roster or not
            return self._sighting(kind, plain, relative, subject)
        return None

    def _things_gone(self, plain: str, kind: Kind, said: str) -> bool:
        """Whether 没了/走了 are said of something of a relative's, not of them: 的 between the
        person and the word (「我爸的医保卡没了」「老伴的钱包没了」)."""
        if kind.name != DEATH:
            return False
        found = [w for w in kind.words if w in said]
        if not found or any(w not in kind.needs_person for w in found):
            return False
        for word in found:
            at = plain.find(word)
            relative = _nearest(plain[:at], self.relatives)
            between = plain[plain.rfind(relative, 0, at) + len(relative):at] if relative else ""
            if "的" not in between:
                return False
            # 「我爸的老战友姚叔叔」 is someone all the same, 「我爸的心跳没了」 is him
            after = between[between.rfind("的") + 1:]
            if (_outsider_in(after, self.others) or _CALLED_AS.search(after) or _first_in(after, self.younger)
                    or after.startswith(_VITALS)):
                return False
        return True

    def named_dead(self, text: str) -> str | None:
        """The full name said right before a death word (「张建国昨天去世了」), or None."""
        return full_name_dead(text, self._dying_words, self.relatives + self.younger + self.others,
                              heard=self.rumour)

    @cached_property
    def _dying_words(self) -> tuple[str, ...]:
        """The death kind's words that say a death of themselves, needing no person (去世, 病逝)."""
        death = next(kind for kind in self.kinds if kind.name == DEATH)
        return tuple(w for w in death.words if w not in death.needs_person)

    def past_death(self, text: str) -> str | None:
        """The relative whose death text tells of as long past, and asks nothing about (「我老伴前年
        就走了，我现在一个人过」: 老伴): no news for staff, but a loss to acknowledge; else None."""
        plain = normalize(text)
        if any(a in plain for a in self.asking) or any(w in plain for w in self.not_happened) \
                or plain.endswith(_A_NOT_A) or any(w in plain for w in self.claims):
            return None  # 「丧葬费还能领不」: a question for the policy answers
        death = next(k for k in self.kinds if k.name == DEATH)
        said = _without(plain, death.unless)
        at = min((plain.find(w) for w in death.words if w in said), default=len(plain))
        # 「我妈前年就走了，我爸一个人过」: the one named nearest before the death word, not 我爸
        relative = _nearest(plain[:at], self.relatives) or _first_in(plain, self.relatives)
        if relative is None or relative in ANYONE_AT_HOME:
            return None
        if not _says(death, said, relative, True) or not self._told_as_past(plain, death, said):
            return None
        return relative

    def reported(self, text: str) -> Sighting | None:
        """The news text reports, for staff to hear: as find(), but a stay in hospital already
        over (「住院一周，今天出院了」) is good news, not a report. 「我爸出院了，昨天走了」 and
        「摔了一跤，问题不大」 are news all the same."""
        sighting = self.find(text)
        if sighting is not None and sighting.kind.name == ENDED_BY_GOOD_NEWS and (
                good := self.good_news_in(text)) and good.alone:
            return None
        return sighting

    @staticmethod
    def _alone_speaker(kind: Kind, whom: str, at: int) -> str | None:
        """whom with the kind's only_with sayings blanked (the same length), so that 「老伴不在家」
        「孩子不在身边」 name nobody unwell; None when the speaker says they are alone (我一个人在家)
        and a relative is named between that and the symptom (「…，孙子发烧了」)."""
        blanked = whom
        for saying in kind.only_with:
            blanked = blanked.replace(saying, " " * len(saying))
        mine = [m.end() for saying in kind.only_with for m in re.finditer(saying, whom)
                if "我" in saying or whom[:m.start()].endswith("我")]
        if mine and any(w.strip() and w in blanked[min(mine):at] for w in _KIN_AFTER):
            return None
        return blanked

    def _to_be_seen(self, kind: Kind, said: str) -> bool:
        """Whether said only names symptoms one goes to a doctor with, and asks where to be seen."""
        return bool(kind.for_a_doctor) and _first_in(said, self.seeing_doctor) is not None and all(
            w in kind.for_a_doctor for w in kind.words if w in said)

    def _told_as_past(self, plain: str, kind: Kind, said: str) -> bool:
        """Whether the news itself is said as long past: a long-ago word right after it (走了三年了)
        or right before (去年就不在了) — not one elsewhere (「老伴住院三年了，昨天走了」 is news)."""
        told = [(m.start(), m.end()) for word in kind.words if word in said
                for m in re.finditer(re.escape(word), plain)]
        return bool(told) and all(self._past_beside(plain, at, end) for at, end in told)

    def _past_beside(self, plain: str, at: int, end: int) -> bool:
        """Whether a long-ago word stands right after plain[at:end], or right before it."""
        for past in self.long_ago:
            after, before = plain.find(past, end), plain.rfind(past, 0, at)
            if 0 <= after - end <= 1 or (before >= 0 and 0 <= at - before - len(past) <= 1):
                return True
        return False

    def _subject(self, plain: str, relative: str | None, at: int) -> str:
        """Whom plain is about, the news being told at `at`: a relative it names; else someone
        outside the family named before it, with no 我 in the message (「隔壁老李住院了」: "other";
        「我们楼下」「我邻居」 say whose, not who) — not a place or company one was in (「在楼下摔了」
        「跟朋友吃饭」); else "self" with 我, "unknown" without."""
        if relative is not None:  # unless someone of theirs (「我爸的老战友」) or theirs (「邻居老张的老伴」)
            named_at = plain.rfind(relative, 0, at)
            between = plain[named_at + len(relative):at] if named_at >= 0 else ""
            whose = plain[:named_at] if named_at >= 0 else ""
            theirs = whose.endswith("的") and _outsider_in(whose, self.others)
            return "other" if theirs or _outsider_in(between, self.others) else "relative"
        named = plain.replace("我们", "  ")
        for word in self.others:  # 「我同事」「我的老战友」「我一个老朋友」 say whose, not who
            for whose in ("我的老", "我的好", "我一个老", "我一个", "我的", "我老", "我"):
                named = named.replace(whose + word, " " * len(whose) + word)
        if _someone_named_before(named[:at], self.relatives + self.younger + self.others, self.rumour):
            return "other"  # 「老姚也住院了」「我听说陈志强住院了」: the 我 is who heard it
        speaker = any(w in named for w in self.self_words)
        if not speaker and _outsider_in(named[:at], self.others):
            return "other"
        return "self" if speaker else "unknown"

    def _sighting(self, kind: Kind, plain: str, relative: str | None, subject: str) -> Sighting:
        """The report of kind about `subject` — the speaker's own despair when a relative is only
        named in passing (「老伴走了好几年了，有时候真不想活了」), not told of (told_of). A death
        is never the living speaker's own: whose is asked (「我的老同事老王昨天去世了」)."""
        if subject == "relative" and kind.told_of and not _first_in(plain, kind.told_of):
            return Sighting(kind, "self", None)
        if kind.name == DEATH and subject == "self":
            return Sighting(kind, "unknown", None)
        if (kind.only_with or kind.speaker) and subject == "unknown":  # 「一个人在家，心慌得很」: the speaker
            return Sighting(kind, "self", None)
        return Sighting(kind, subject, relative)

    def good_news_in(self, text: str) -> GoodNewsTold | None:
        """The good news text tells, not asks about (「医生说问题不大，已经回家了」), or None."""
        plain = normalize(text)
        said = _without(plain, self.good_news.unless)
        news = self.good_news
        alone = _first_in(said, news.alone) is not None
        vaguer = not alone and _first_in(said, news.words) is not None
        # 「老伴没事了吧？」 asks; 「手机没事了」「天气好多了」 are not about anyone's health. Asked in a
        # clause of its own (「我爸出院了，住院的钱怎么报」), the good news is told all the same.
        told = self._good_news_clause(text) or plain
        asked = any(a in told for a in self.asking) or told.endswith("吧") or (
            told == plain and any(q in text for q in "?？"))
        if asked or not (alone or vaguer) or (vaguer and (_first_in(plain, news.not_about) is not None
                                                          or _first_in(plain, news.cues) is None)):
            return None
        relative = _first_in(plain, self.relatives) or _first_in(plain, self.younger)
        return GoodNewsTold(alone, relative)

    def asks_beside_good_news(self, text: str) -> bool:
        """Whether a clause besides the one telling good news asks something (「我老伴出院了，住院押金
        怎么退」): 吗, 怎么 … or an A-not-A ending (能去不)."""
        told = self._good_news_clause(text)
        parts = [p for p in map(normalize, _PAUSE.split(text)) if p and p != told]
        return told is not None and any(
            any(a in p for a in self.asking) or p.endswith(_A_NOT_A) for p in parts)

    def _good_news_clause(self, text: str) -> str | None:
        """The clause of text (between pauses) that tells the good news, when text has more than one."""
        parts = [p for p in map(normalize, _PAUSE.split(text)) if p]
        if len(parts) < 2:
            return None
        news = self.good_news
        return next((p for p in parts if _first_in(_without(p, news.unless), news.alone + news.words)), None)

    def name_answered(self, text: str) -> str | None:
        """The name an answer to 「是哪一位」 is (「姚文斌」「是老姚」), or None."""
        return _named_answer(normalize(text), self.relatives + self.younger + self.others)

    def who_is(self, text: str) -> tuple[str, str | None] | None:
        """Whom a sentence names: ("relative", 老伴) for 「是我老伴」, ("self", None) for 「我自己」
        or 「是我」 — not for any sentence with 我 in it (「是我儿子」 is a relative); ("other", None)
        for someone outside the family (「都不是，是我们支部的老姚」)."""
        plain = normalize(text)
        if (relative := _first_in(plain, self.relatives) or _first_in(plain, self.younger)) is not None:
            return "relative", relative
        alone = plain.removeprefix("就").removeprefix("是").removesuffix("啊").removesuffix("呀")
        if alone in ("我", *MYSELF) or "本人" in plain or "自己" in plain:
            return "self", None
        if _first_in(plain, self.others) is not None:  # 「都不是，是我们支部的姚文斌」
            return "other", None
        if self.name_answered(plain) is not None:
            return "other", None  # 「姚文斌」「老姚」 (the handler knows its own retiree's name)
        return None


# Before someone outside the family, where one was or whom one was with (在楼下, 跟朋友): not whom
# the news is about.
_WHERE_OR_WITH = ("在", "去", "跟", "和", "到", "送", "从", "给", "同")


MYSELF = ("我自己", "我本人")
# A-not-A questions end so: 「还能领不」「发了没」「办了没有」.
_A_NOT_A = ("不", "没", "没有")
# Family named after 「我一个人在家」: the symptom is theirs, and they are not alone.
_KIN_AFTER = ("孙子", "孙女", "外孙", "儿子", "女儿", "孩子", "老伴", "爸", "妈", "爱人", "老公", "老婆")
ANYONE_AT_HOME = ("家里人", "家人")


# Someone named as people call each other (老姚, 小刘, 王书记, 李阿姨), or 他/她 (「听说他走了」), right
# before what is said of them.
_TITLES = "同志|老师|书记|主任|师傅|阿姨|叔叔|大爷|大妈|大姐|医生|大夫|护士|科长|处长|局长|经理"
_CALLED = re.compile(rf"(?P<who>[他她]|[老小][\u4e00-\u9fff]|[\u4e00-\u9fff](?:{_TITLES}))"
                     r"(?:也|已经|昨天|前天|昨晚|前几天|上周)?(?:走了|不在了|没了)"
                     # the news ends the message (normalised: no punctuation left), or only asks if it
                     # is true: 「听说小王走了，调到别的单位了」「有人说老张没了工作」 are no death
                     r"(?=(?:是真的吗|是不是真的|是真的|真的吗|吗|吧|呢|啊|呀|了)*$)")


# A full name said right before the death word (「张建国昨天去世了」「邻居王明华去世了」): the dead is someone
# else, whether or not the roster has them — the reply depends on the words only. Common surnames
# (百家姓's most used), a name of two or three characters (four with a 复姓), only time words between.
_SURNAMES = frozenset("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董"
                      "袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹"
                      "孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔汤康易乔赖文"
                      "施洪庞殷单柳左齐鲁葛伍翟祝包牛")
_COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐",
                      "夏侯", "司徒")
_NAME_TIMES = ("昨天晚上", "昨天早上", "今天早上", "昨天", "昨晚", "今天", "早上", "刚刚", "前天", "凌晨",
               "已经", "今晨", "昨日", "今日", "昨夜", "于", "夜里", "半夜", "昨儿", "晚上", "上午", "下午")
_HONOURS = ("老同志", "同志")  # said after a name (「姚文斌同志」)
# What says who someone named after it is (「我们支部的刘桂兰」「老支书姚文斌」「我的老战友王芳」).
_SAYING_WHO = ("的", "支书", "书记", "同事", "战友", "领导", "老同志", "朋友", "邻居", "主任", "老师")
_LINKING = "也又都还就"  # 「老姚也住院了」: said between the person and the news
# 老姚, 小刘, 王书记: how people are called, at the end of what comes before the news.
_SURNAME = f"[{''.join(sorted(_SURNAMES))}]"
_NOT_CALLED = ("压老高", "糖老高", "脂老高", "温老高")  # 「我血压老高住院了」: 老高 is 'always high'
_CALLED_AS = re.compile(rf"[老小]{_SURNAME}|{_SURNAME}(?:{_TITLES})")
_CALLING_ENDS = re.compile(rf"(?:{_CALLED_AS.pattern})$")
# 走了 said of a full name is a death only as the whole message: 「姚文斌昨天晚上走了」, 「听说王芳走了」
# (never 没了/不在了: 「我的钱包没了」 begins with the surname 钱; nor 「今天钟点工走了」, or
# 「坐了一会儿王芳走了」).
_NAME_GONE = "走了"
_GONE_ENDS = "啊呀哇"  # particles after it: 「……走了啊」
# Said after the news in a clause of its own, adding nothing to it (「姚文斌走了，是真的吗」).
_AFTERWORDS = ("是真的吗", "真的吗", "是不是真的", "你们知道吗", "你知道吗", "知道吗", "昨天的事", "前天的事",
               "今天的事", "刚刚的事")
# 王姐, 张老, 李叔: a calling, not a name
_CALLING = frozenset("姐哥叔姨伯爷奶婆公妈爸老舅姑嫂")


def full_name_dead(text: str, deaths: tuple[str, ...], taken: tuple[str, ...] = (),
                   heard: tuple[str, ...] = ()) -> str | None:
    """The full name said right before one of deaths (「张建国昨天去世了」: 张建国), optionally with a time
    word between; None for a calling (老李, 王书记, 王姐), a name said of someone else (「王德明的老同事
    昨天去世了」「王德明说老李去世了」) or words in `taken` (relatives, 邻居 …). 走了 counts only as the
    whole message: the name, a time word, 走了 (「姚文斌昨天晚上走了」), after one of `heard` at most."""
    told = clauses(text)
    for clause in told:
        for word in deaths:
            at = clause.find(word)
            while at > 0:
                if (name := _name_ending(_without_time(clause[:at]), taken)) is not None:
                    return name
                at = clause.find(word, at + 1)
    while len(told) > 1 and told[-1] in _AFTERWORDS:  # 「姚文斌走了，是真的吗」
        told = told[:-1]
    said = told[0] if len(told) == 1 else ""
    said = next((said[:-len(w)] for w in _AFTERWORDS if said.endswith(w)), said).rstrip(_GONE_ENDS)
    if said.endswith(_NAME_GONE) and "刚" not in said:  # 「姚文斌刚走了」 may have left a visit
        before = _without_time(said[:-len(_NAME_GONE)])
        before = next((before[len(w):] for w in heard if before.startswith(w)), before)
        if (name := _name_ending(before, taken)) is not None and _introduced(before, name):
            return name
    return None


def _introduced(before: str, name: str) -> bool:
    """Whether name is all of before, or follows what says who the person is (「我们支部的刘桂兰」
    「我们老支书姚文斌」): not a sentence that goes on about something else (「坐了一会儿王芳」)."""
    return before == name or before[:-len(name)].endswith(_SAYING_WHO)


def _without_time(before: str, honours: tuple[str, ...] = _HONOURS) -> str:
    """What comes before a death word, without the time words right before it (昨天晚上, 已经),
    nor 同志 after a name (「姚文斌同志昨天去世了」)."""
    while (said := next((t for t in _NAME_TIMES + honours if before.endswith(t)), None)) is not None:
        before = before[:-len(said)]
    return before


def _someone_named_before(before: str, taken: tuple[str, ...], heard: tuple[str, ...]) -> bool:
    """Whether news is told of someone called by name right before it: 老姚, 小刘, 王书记, or a
    full name after what says who they are or that it was heard (「我听说陈志强住院了」). A full
    name alone is not enough (「高血压住院了」 begins with the surname 高)."""
    called = _without_time(before.rstrip(_LINKING), honours=())
    if _CALLING_ENDS.search(called) and not called.endswith(_NOT_CALLED):
        return True
    before = _without_time(before.rstrip(_LINKING))
    name = _name_ending(before, taken)
    return (name is not None and len(name) >= 3 and before != name
            and (_introduced(before, name) or before[:-len(name)].endswith(heard)))


def _named_answer(text: str, taken: tuple[str, ...]) -> str | None:
    """The name a whole answer is (「姚文斌」「是老姚」「姚文斌同志」), or None."""
    said = text.removeprefix("就").removeprefix("是").rstrip(_GONE_ENDS + "吧呢")
    if _CALLING_ENDS.fullmatch(said):
        return said
    said = _without_time(said)
    return said if _name_ending(said, taken) == said else None


def _name_ending(before: str, taken: tuple[str, ...]) -> str | None:
    for size in (4, 3, 2):
        name = before[-size:]
        if len(name) != size or not all("\u4e00" <= c <= "\u9fff" for c in name):
            continue
        compound = name.startswith(_COMPOUND_SURNAMES)
        if not (compound and size >= 3) and not (not compound and size <= 3 and name[0] in _SURNAMES):
            continue
        given = name[2:] if compound else name[1:]
        if given[0] in _CALLING or re.search(f"(?:{_TITLES})$", name) or any(w in name for w in taken):
            continue
        return name
    return None


def _calling_in(plain: str) -> str | None:
    """Someone called as people call each other (老姚, 小刘, 王书记) anywhere in plain, or None."""
    found = _CALLED_AS.search(plain)
    return found.group() if found else None


def _someone_heard_of(plain: str) -> str | None:
    """Whom 走了 and the like are said of in news heard of (「听说老姚走了」: 老姚), or None."""
    found = _CALLED.search(plain)
    return found.group("who") if found else None


def _person_at(text: str, elders: tuple[str, ...]) -> str | None:
    """The elder text opens with; "" for 他, 她 or 老人 (someone, no kin said); None for no one."""
    if elder := next((w for w in elders if text.startswith(w)), None):
        return elder
    return "" if text.startswith(("他", "她", "老人")) else None


def _nearest(text: str, words: tuple[str, ...]) -> str | None:
    """The one of words text names last (nearest its end), the longer on a tie; None for none."""
    found = [(text.rfind(w) + len(w), len(w), w) for w in words if w in text]
    return max(found)[2] if found else None


def _outsider_in(text: str, others: tuple[str, ...]) -> bool:
    """Whether text names someone outside the family, not as a place or company (在楼下, 跟朋友)."""
    for word in others:
        at = text.find(word)
        if at >= 0 and not text[:at].endswith(_WHERE_OR_WITH):
            return True
    return False


def _says(kind: Kind, plain: str, elder: str | None, someone: bool) -> bool:
    """plain (without the kind's `unless` sayings) names this kind of situation: one of its words,
    走了 and the like only of an elder, 动不了 and the like of anyone (an elder, a child or 我),
    and with one of its only_with words where it has them (一个人在家)."""
    if kind.only_with and _first_in(plain, kind.only_with) is None:
        return False
    said = [w for w in kind.words if w in plain]
    if not said or elder is not None:
        return bool(said)
    return any(w not in kind.needs_person and (someone or w not in kind.needs_someone) for w in said)


def _first_in(plain: str, words: tuple[str, ...]) -> str | None:
    """The first of words (longest first) found in plain."""
    return next((w for w in words if w in plain), None)


def _without(plain: str, sayings: tuple[str, ...]) -> str:
    """plain with each of sayings taken out (救命钱 holds 救命, and is no emergency)."""
    for saying in sayings:
        plain = plain.replace(saying, " ")
    return plain


def _now_words(kind: dict) -> list[str]:
    """A kind's words that say it is happening: its `now` list, or all its words (now = true)."""
    now = kind.get("now", [])
    return kind["words"] if now is True else now


def _longest_first(words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted(words, key=len, reverse=True))


@functools.cache
def _load_cached(content_dir: Path) -> CareWords:
    return CareWords.load(content_dir)


def _in_one_breath(text: str, words: tuple[str, ...]) -> bool:
    """Whether text says one of words with no pause inside it: 「走了以后还会…吗」 does,
    「走了，以后还会…吗」 (the news, then a question) does not."""
    # each piece normalised once, not once for every word looked for in it
    return any(any(w in plain for w in words) for plain in map(normalize, _PAUSE.split(text)))


def _words(values: list[str]) -> tuple[str, ...]:
    return tuple(normalize(v) for v in values)
