"""The month's study material: `content/study/<YYYY-MM>/article.md`, TOML front matter + Markdown.

    +++
    title = "…"
    month = "2026-12"
    groups = ["all"]            # or the names of the groups it is for
    summary = ["…", "…", "…"]   # three short lines for the push
    audio = "audio.mp3"         # optional, a file beside the article or a URL
    images = ["map.jpg"]        # optional, likewise
    [[quiz]]                    # 3 to 5 questions
    question = "…"
    choices = ["…", "…", "…"]
    answer = "B"
    explain = "…"
    +++
    The article, in Markdown.
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from html import unescape
from pathlib import Path
from typing import Any, TypeVar

import markdown

from bot.clock import SHANGHAI
from bot.roster.groups import EVERYONE, EVERYONE_AND_GROUPS, mixes_everyone

log = logging.getLogger(__name__)
FENCE = "+++"
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
LETTERS = "ABCD"
QUIZ_SIZE = (3, 5)
ALL = EVERYONE
T = TypeVar("T")


class MaterialError(ValueError):
    """A material file that cannot be used; the message says which and why (every problem found,
    each also in `problems`, so a form can list them all at once)."""

    def __init__(self, *problems: str) -> None:
        super().__init__("；".join(problems))
        self.problems = list(problems)


class _Found:
    """The problems found so far while reading an article: every one, not only the first."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, problem: str) -> None:
        self.problems.append(problem)

    def read(self, reader: Callable[[], T], instead: T) -> T:
        """What reader returns; instead, its problems noted, when it finds any."""
        try:
            return reader()
        except MaterialError as exc:
            self.problems.extend(exc.problems)
            return instead


@dataclass(frozen=True)
class QuizQuestion:
    """One question: its choices, the right letter, and why."""

    question: str
    choices: tuple[str, ...]
    answer: str
    explain: str

    @property
    def answer_text(self) -> str:
        """The right choice, with its letter."""
        return f"{self.answer}. {self.choices[LETTERS.index(self.answer)]}"

    @property
    def letters(self) -> str:
        """The letters this question's choices go by (「ABC」 for three)."""
        return LETTERS[:len(self.choices)]


@dataclass(frozen=True)
class Material:
    """One month's article."""

    month: str
    title: str
    groups: tuple[str, ...]
    summary: tuple[str, ...]
    body: str
    quiz: tuple[QuizQuestion, ...]
    audio: str | None = None
    images: tuple[str, ...] = ()

    @property
    def for_everyone(self) -> bool:
        """True when the material is for every retiree, not only some groups."""
        return ALL in self.groups

    @property
    def label(self) -> str:
        """「12 月」, how the month is said to retirees."""
        return f"{int(self.month[5:])} 月"

    @property
    def month_end(self) -> datetime:
        """The first moment after the month, in the office's time."""
        year, month = int(self.month[:4]), int(self.month[5:])
        return datetime(year + month // 12, month % 12 + 1, 1, tzinfo=SHANGHAI)

    def html(self) -> str:
        """The article as HTML (raw HTML in the file is escaped, never passed through); a line
        broken inside a Chinese sentence joins up again without the space a browser would show
        for it (「战略转移。红军」, not 「战略转移。 红军」); between Latin words it stays a space."""
        html = _safe_links(markdown.markdown(_escape_html(self.body), extensions=["sane_lists"]))
        # Inside <pre> (text indented as a block: a poem, a table kept as typed) every line stays.
        parts = _PRE.split(html)
        return "".join(part if part.startswith("<pre>") else _SOFT_BREAK_IN_CHINESE.sub("", part)
                       for part in parts)


# A soft line break (a newline inside a paragraph) between two CJK characters or punctuation
# marks (CJK punctuation, ideographs, full-width forms): Chinese writes no space there.
_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef\u2018-\u201f\u2026\u00b7"
_SOFT_BREAK_IN_CHINESE = re.compile(f"(?<=[{_CJK}])[ \t]*\n[ \t]*(?=[{_CJK}])")
_PRE = re.compile(r"(<pre>.*?</pre>)", re.S)


def study_dir(content_dir: Path) -> Path:
    """Where the months' folders are."""
    return content_dir / "study"


def load(content_dir: Path, month: str) -> Material | None:
    """The material of `month`, or None when there is none; a broken file raises MaterialError.

    Read once while the file stays the same: every 学习, 学完了 and quiz answer asks for it.
    """
    path = study_dir(content_dir) / month / "article.md"
    if not MONTH.match(month):
        return None
    try:
        seen = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return None
    version = (seen.st_ino, seen.st_mtime_ns, seen.st_size)  # a file moved into place: a new inode
    cached = _LOADED.get(path)
    if cached is not None and cached[0] == version:
        return cached[1]
    material = parse(path.read_text(encoding="utf-8"), month, path.parent)
    _LOADED[path] = (version, material)
    return material


_LOADED: dict[Path, tuple[tuple[int, int, int], Material]] = {}


def usable(content_dir: Path, month: str) -> Material | None:
    """The material of `month`, or None when there is none or it is broken (logged; `content
    check` names the problem), so no retiree, page or push ever meets a broken file."""
    try:
        return load(content_dir, month)
    except MaterialError as exc:
        log.error("study material %s is broken (python -m bot content check): %s", month, exc)
        return None


def current(content_dir: Path, study_day: int, today: date) -> Material | None:
    """The material being studied today: this month's from its study day on; before that, last
    month's (what the last push and reminder were about), or this month's early if there is none."""
    this_month = f"{today:%Y-%m}"
    last_month = f"{today.replace(day=1) - timedelta(days=1):%Y-%m}"
    for month in (this_month,) if today.day >= study_day else (last_month, this_month):
        if (material := usable(content_dir, month)) is not None:
            return material
    return None


def published(content_dir: Path, study_day: int, today: date) -> list[Material]:
    """What retirees may read today, newest first: the current material and those before it;
    next month's, being prepared, is not out yet."""
    now = current(content_dir, study_day, today)
    if now is None:
        return []
    return [m for m in (usable(content_dir, month) for month in months(content_dir) if month <= now.month)
            if m is not None]


def published_month(content_dir: Path, study_day: int, today: date, month: str) -> Material | None:
    """The month's material if it is out today (published), else None: next month's, being
    prepared, is not, in any face."""
    return next((m for m in published(content_dir, study_day, today) if m.month == month), None)


def months(content_dir: Path) -> list[str]:
    """Every month that has a material folder, newest first."""
    folder = study_dir(content_dir)
    if not folder.is_dir():
        return []
    return sorted((p.name for p in folder.iterdir() if MONTH.match(p.name) and (p / "article.md").is_file()),
                  reverse=True)


def parse(text: str, month: str, folder: Path, coming: Collection[str] = ()) -> Material:
    """Read one article; MaterialError names every problem (a broken file never crashes).
    coming: files not in the folder yet that count as there (uploads about to be kept)."""
    try:
        return _parse(text, month, folder, coming)
    except tomllib.TOMLDecodeError as exc:
        raise MaterialError(f"开头的说明格式有误：{exc}") from exc
    except (AttributeError, TypeError) as exc:
        raise MaterialError(f"有一项的写法不对：{exc}") from exc


def _parse(text: str, month: str, folder: Path, coming: Collection[str]) -> Material:
    front, body = _split(text)
    found = _Found()
    if front.get("month") != month:
        found.add(f"{_key('month')}应为 \"{month}\"（和文件夹同名），现在是 {front.get('month')!r}")
    title = found.read(lambda: _string(front, "title"), "")
    asked = front.get("quiz", [])
    if not isinstance(asked, list):
        found.add(f"{_key('quiz')}应一道一道写成 [[quiz]]")
        asked = []
    quiz = tuple(q for n, raw in enumerate(asked, start=1) if (q := _question(raw, n, found)) is not None)
    if not QUIZ_SIZE[0] <= len(asked) <= QUIZ_SIZE[1]:
        found.add(f"{_key('quiz')}应有 {QUIZ_SIZE[0]} 到 {QUIZ_SIZE[1]} 道，现在有 {len(asked)} 道")
    summary = found.read(lambda: _strings(front, "summary"), ())
    if len(summary) != 3 and summary:
        found.add(f"{_key('summary')}应为三行，现在有 {len(summary)} 行")
    if not body.strip():
        found.add("正文是空的")
    audio = front.get("audio") or None
    if audio is not None and not isinstance(audio, str):
        found.add(f"{_key('audio')}应为文件名或网址")
        audio = None
    images = found.read(lambda: _strings(front, "images", required=False), ())
    for media in ([audio] if audio else []) + list(images):
        if not _is_url(media) and not (folder / media).is_file() and media not in coming:
            found.add(_missing(media, folder))
    groups = found.read(lambda: _strings(front, "groups"), ())
    if mixes_everyone(groups):
        found.add(EVERYONE_AND_GROUPS)
    if found.problems:
        raise MaterialError(*found.problems)
    return Material(month=month, title=title, groups=groups,
                    summary=summary, body=body, quiz=quiz, audio=audio, images=images)


def check_pictures(material: Material, folder: Path) -> None:
    """MaterialError for a picture the article shows (「![灯](deng.png)」) that is not in the folder:
    checked when the material is saved or checked, not when it is read — a month already out
    keeps its page, one picture broken, rather than lose it."""
    if missing := missing_pictures(material.body, folder):
        raise MaterialError(*missing)


def missing_pictures(body: str, folder: Path, coming: Collection[str] = ()) -> list[str]:
    """A sentence for each picture the article shows that is not in the folder (nor coming)."""
    return [_missing(name, folder) for name in _PICTURE.findall(body)
            if not _SCHEME.match(name) and not name.startswith("/") and not (folder / name).is_file()
            and name not in coming]


def _missing(name: str, folder: Path) -> str:
    return f"找不到文件 {name}（应放在这个月的文件夹 {folder.name} 里，或写网址）"


def problems(content_dir: Path) -> list[str]:
    """What is wrong with the study material, one sentence each (for `content check`)."""
    found = []
    folder = study_dir(content_dir)
    for path in sorted(folder.glob("*/article.md")) if folder.is_dir() else []:
        month = path.parent.name
        if not MONTH.match(month):
            found.append(f"{month}/article.md：文件夹名应为年-月，如 2026-12。")
            continue
        try:
            check_pictures(parse(path.read_text(encoding="utf-8"), month, path.parent), path.parent)
        except (MaterialError, UnicodeDecodeError) as exc:
            found.append(f"{month}/article.md：{exc}。")
    return found


def _split(text: str) -> tuple[dict[str, Any], str]:
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != FENCE or FENCE not in (s.strip() for s in lines[1:]):
        raise MaterialError("开头应是用 +++ 围起来的说明（标题、月份、摘要、题目）")
    end = next(i for i, s in enumerate(lines[1:], start=1) if s.strip() == FENCE)
    return tomllib.loads("\n".join(lines[1:end])), "\n".join(lines[end + 1:])


def _question(raw: Any, number: int, found: _Found) -> QuizQuestion | None:
    """One question, or None with its problems noted in found."""
    if not isinstance(raw, dict):
        found.add(f"第 {number} 题格式不对")
        return None
    where = f"第 {number} 题的"
    before = len(found.problems)
    question = found.read(lambda: _string(raw, "question", where), "")
    choices = found.read(lambda: _strings(raw, "choices", where=where), ())
    answer = str(raw.get("answer", "")).strip().upper()
    if choices and not 2 <= len(choices) <= len(LETTERS):
        found.add(f"第 {number} 题应有 2 到 {len(LETTERS)} 个选项")
    elif choices and answer not in LETTERS[:len(choices)]:
        found.add(f"第 {number} 题的{_key('answer')}应为 {LETTERS[0]} 到 {LETTERS[len(choices) - 1]}")
    explain = found.read(lambda: _string(raw, "explain", where), "")
    if len(found.problems) > before:
        return None
    return QuizQuestion(question, choices, answer, explain)


# The article's keys as staff name them; the key follows, for whoever edits the file itself.
KEY_NAMES = {"title": "标题", "month": "月份", "groups": "分组", "summary": "摘要", "quiz": "题目",
             "audio": "音频", "images": "图片", "question": "题目", "choices": "选项", "answer": "答案",
             "explain": "讲解"}


def _key(key: str) -> str:
    """「答案（answer）」: a key of the file as staff read it."""
    return f"{KEY_NAMES[key]}（{key}）" if key in KEY_NAMES else key


def _string(raw: dict[str, Any], key: str, where: str = "") -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise MaterialError(f"{where}{_key(key)}不能为空")
    return value.strip()


def _strings(raw: dict[str, Any], key: str, *, where: str = "", required: bool = True) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise MaterialError(f"{where}{_key(key)}应为一组文字")
    if required and not value:
        raise MaterialError(f"{where}{_key(key)}不能为空")
    return tuple(v.strip() for v in value)


def _is_url(value: str) -> bool:
    return value.startswith(("https://", "http://"))


_PICTURE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)")  # a Markdown picture's address
_LINK = re.compile(r'\b(href|src)="([^"]*)"')
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})


def _safe_links(html: str) -> str:
    """Links and pictures to the web, mail, a phone or the page's own files only: a Markdown
    link to javascript: (or data:, vbscript: …) would run on the reading page; it goes nowhere."""
    def checked(match: re.Match[str]) -> str:
        target = "".join(c for c in unescape(match.group(2)) if c.isprintable() and not c.isspace()).lower()
        scheme = _SCHEME.match(target)
        if scheme is None or scheme.group(1) in SAFE_SCHEMES:
            return match.group(0)
        return f'{match.group(1)}="#"'
    return _LINK.sub(checked, html)


def _escape_html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
