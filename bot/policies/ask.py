"""`python -m bot ask`: what the bot would answer to each question on standard input."""

from __future__ import annotations

import json
import sys
from typing import TextIO

from bot.config import Settings
from bot.language.texts import Texts
from bot.policies.engine import Decision, PolicyEngine, load_engine
from bot.policies.replies import answer_text, which_text


def run_ask(settings: Settings, as_json: bool, stdin: TextIO = sys.stdin,
            stdout: TextIO = sys.stdout) -> int:
    """Answer one question per input line: a JSON object per line, or readable text."""
    engine = load_engine(settings.content_dir)
    texts = Texts.load(settings.content_dir, settings)
    for line in stdin:
        question = line.rstrip("\n")
        if not question.strip():
            continue
        decision = engine.decide(question)
        answer = reply_for(engine, texts, decision, question)
        if as_json:
            record = {"question": question, "topic": decision.topic,
                      "candidates": list(decision.candidates), "answer": answer}
            stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            stdout.write(f"{question}\n→ {decision.topic or '（不作政策回答）'}\n{answer}\n\n")
        stdout.flush()
    return 0


def reply_for(engine: PolicyEngine, texts: Texts, decision: Decision, question: str) -> str:
    """The text the bot would send for a question's decision (the fallback when there is no topic)."""
    if decision.topic is not None:
        return answer_text(engine, texts, decision.topic, also=engine.also_offered(question, decision))
    if decision.ask_which:
        return which_text(engine, texts, decision.candidates)
    return texts.get("replies.fallback", menu=texts.menu())
