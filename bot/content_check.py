"""`python -m bot content check`: everything in content/ that would misbehave, found before a retiree does."""

from __future__ import annotations

import string
import tomllib
from collections import defaultdict
from pathlib import Path

from bot.care.detect import CareWords
from bot.config import ConfigError, Settings
from bot.delivery.templates import problems as template_problems
from bot.greetings.calendar import LUNAR_FESTIVALS, SOLAR_FESTIVALS
from bot.greetings.morning import GreetingTexts
from bot.language.office import office_values, placeholder_problems
from bot.language.texts import Texts
from bot.policies.engine import PolicyEngine, example_problem, own_question, read_knowledge_base
from bot.policies.lexicon import Lexicon
from bot.policies.replies import longest_answer_text
from bot.policies.topics import Topic
from bot.study.material import problems as study_problems
from bot.wechat_api.rules import WECHAT_TEXT_LIMIT


def check_content(settings: Settings) -> list[str]:
    """One sentence per problem in content/ (chat texts, policy topics, dictionaries, study) and
    in the template table that shapes what retirees see ([delivery.templates])."""
    content = settings.content_dir
    problems = _check_chat(content / "chat.toml", settings)
    topics, lexicon, asked, policy_problems = read_knowledge_base(content)
    problems += policy_problems
    problems += [f"study/{p}" for p in study_problems(content)]
    problems += _check_care(content, {t.id for t in topics})
    problems += _check_greetings(content, settings)
    problems += _check_topics(topics, settings)
    problems += template_problems(settings.delivery.templates)
    problems += template_problems(settings.delivery.subscribe_templates, "delivery.subscribe_templates")
    problems += template_problems(settings.delivery.mini_templates, "delivery.mini_templates")
    if topics and not problems:  # routing checks need a knowledge base that loads
        engine = PolicyEngine(topics, lexicon, asked=asked)
        problems += _check_routing(engine, topics)
        problems += _check_synonyms(engine, lexicon)
        problems += _check_answers(engine, Texts.load(content, settings))
    return problems


def _check_care(content: Path, topic_ids: set[str]) -> list[str]:
    try:
        words = CareWords.load(content)
    except ConfigError as exc:
        return [f"care.toml：{exc}"]
    return [f"care.toml：{kind.name} 的 topics 里有不存在的话题「{t}」。"
            for kind in words.kinds for t in kind.topics if t not in topic_ids]


def _check_greetings(content: Path, settings: Settings) -> list[str]:
    try:
        words = GreetingTexts.load(content)
    except ConfigError as exc:
        return [f"greetings：{exc}"]
    known = {*LUNAR_FESTIVALS.values(), *SOLAR_FESTIVALS.values(), "清明"}
    problems = [f"greetings/festivals.toml：不认识的节日「{name}」。"
                for name in words.festivals if name not in known]
    festival_texts = [t for f in words.festivals.values() for t in f.get("texts", [])]
    texts = [*words.ordinary, *words.milestone, *festival_texts]
    values = {**office_values(settings), "name": "张明", "age": 90}
    for text in texts:
        try:
            text.format(**values)
        except (KeyError, IndexError, ValueError):
            problems.append(f"greetings：这句里有不认识的花括号：{text[:30]}…")
    return problems


def _check_chat(path: Path, settings: Settings) -> list[str]:
    try:
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        return [f"chat.toml：读不出来（{exc}）。"]
    known = office_values(settings)
    return [f"chat.toml：{{{name}}} 不是可用的办公室信息。" for name in _placeholders_in(raw)
            if name.startswith("office_") and name not in known]


def _check_topics(topics: list[Topic], settings: Settings) -> list[str]:
    problems: list[str] = []
    known_values = office_values(settings)
    ids = {t.id for t in topics}
    owners: dict[str, list[str]] = defaultdict(list)
    seen: set[str] = set()
    for t in topics:
        where = f"policies/{t.path.name}"
        if t.id in seen:
            problems.append(f"{where}：id「{t.id}」和别的文件重复了。")
        seen.add(t.id)
        if t.path.stem != t.id:
            problems.append(f"{where}：文件名应与 id 相同（{t.id}.toml）。")
        if not t.title:
            problems.append(f"{where}：title 是空的。")
        if not t.answer:
            problems.append(f"{where}：answer 是空的。")
        if not t.keywords and not t.broad:
            problems.append(f"{where}：没有关键词（keywords）。")
        problems += [f"{where}：related 里的「{r}」不是已有的话题。"
                     for r in t.related if r not in ids or r == t.id]
        problems += [f"{where}：{p}" for p in placeholder_problems(t.answer, known_values)]
        for word in (*t.keywords, *t.broad):
            owners[word].append(t.id)
    problems += [f"关键词「{w}」同时属于 {'、'.join(o)}，问到它时分不清。"
                 for w, o in owners.items() if len(set(o)) > 1]
    return problems


def _check_routing(engine: PolicyEngine, topics: list[Topic]) -> list[str]:
    """Each keyword asked on its own, and each example question, must reach its topic."""
    problems: list[str] = []
    for t in topics:
        where = f"policies/{t.path.name}"
        for word in (*t.keywords, *t.broad):
            decision = engine.decide(own_question(word), known=False)  # by its words alone
            if t.id != decision.topic and t.id not in decision.candidates:
                problems.append(f"{where}：关键词「{word}」单独问时找不到这个话题{_got(decision.topic)}。")
        problems += [f"{where}：例句「{example}」{problem}" for example in t.examples
                     if (problem := example_problem(engine, t.id, example))]
    return problems


def _check_synonyms(engine: PolicyEngine, lexicon: Lexicon) -> list[str]:
    known = engine.terms()
    return [f"dictionary/synonyms.toml：「{c}」不是任何话题的关键词或辅助词，这组说法不起作用。"
            for c in sorted(set(lexicon.synonyms.values())) if c not in known]


def _check_answers(engine: PolicyEngine, texts: Texts) -> list[str]:
    problems = []
    for topic_id, topic in engine.topics.items():
        size = len(longest_answer_text(engine, texts, topic_id).encode())
        if size > WECHAT_TEXT_LIMIT:
            problems.append(f"policies/{topic.path.name}：回答太长（{size} 字节，微信最多约 "
                            f"{WECHAT_TEXT_LIMIT} 字节），请删短一些。")
    return problems


def _placeholders_in(node: object) -> set[str]:
    if isinstance(node, str):
        try:
            return {f for _, f, _, _ in string.Formatter().parse(node) if f}
        except ValueError:
            return set()
    if isinstance(node, dict):
        return set().union(*map(_placeholders_in, node.values()))
    if isinstance(node, list):
        return set().union(*map(_placeholders_in, node))
    return set()


def _got(topic: str | None) -> str:
    return f"（认成了 {topic}）" if topic else ""
