"""Typo fixing by sound and by look: real slips are fixed, real words are left alone."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import PROJECT_ROOT
from bot.policies import PolicyEngine
from bot.policies.typos import TypoFixer, _most_differing


@pytest.mark.parametrize(("typed", "meant"), [
    ("离修费", "离退休费"),  # 离休费, then the standard word for it
    ("报消", "报销"), ("体捡", "体检"), ("托老所", "托老所"),
    ("拖老所", "托老所"), ("信仿", "信访"),
])
def test_a_slip_is_read_as_the_domain_word(engine: PolicyEngine, typed: str, meant: str) -> None:
    assert meant in engine.analyzer.rewrite(typed)


@pytest.mark.parametrize(("typed", "meant"), [
    # Handwriting input picks a character that looks right (content/dictionary/look_alike.txt).
    ("我的挡案在哪", "我的档案在哪"), ("体捡报告在哪拿", "体检报告在哪拿"),
    ("慰间品什么时候发", "慰问品什么时候发"),
])
def test_a_look_alike_slip_is_read_as_the_domain_word(engine: PolicyEngine, typed: str, meant: str) -> None:
    assert engine.analyzer.rewrite(typed) == meant


@pytest.mark.parametrize("text", [
    "我们住在城里",        # 住在 is not 往在: a real word is never a slip, whatever it looks like
    "这个问题怎么办",      # 问题 is a word, not a slip for 间题
    "往医院送锦旗可以吗",  # 往 is a word of its own: 往医院 is not 住医院 (往 is in no look-alike group)
    "我考干部那年",        # nor 考 (老干部)
    "我认真学习了",        # 认真 is a word, not a slip for 认证
    "活动什么时候开始了",  # 始了 starts inside 开始
    "想给领导提点意见",    # 给领导 is not 跟领导: the first character anchors a word
    "明年的报刊怎么订",    # 订 is not rewritten towards a word of another domain
    "做了个大手术",        # 大手 is not 大寿: a two-character fix may not cut into 手术
    "活动是在家里办吗",    # 是 is a word of its own, not a slip for 活动室
    "遗嘱怎么写",          # two of three characters differ: not 遗属证
    "老伴的退休证名字写错了一个字",  # 名 begins 名字: not 退休证明
    "养老今年涨多少",      # 今 begins 今年: not 养老金
    "我发烧了",            # 发烧 is a word the fix would hold and change: not 发少了
])
def test_real_words_are_left_alone(engine: PolicyEngine, text: str) -> None:
    assert engine.analyzer.rewrite(text) == text


def test_a_slip_between_two_words_is_read_alike_in_every_process() -> None:
    """护里费 is one character from 护理费 and from its spoken form 胡里费: which one it is read as
    may not depend on how the process happens to hash strings (each worker would answer otherwise)."""
    program = ("from bot.policies.typos import TypoFixer;"
               "print(TypoFixer(['护理费', '胡里费'], lambda w: False, list).fix('护里费'))")
    read = {subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True,
                           cwd=PROJECT_ROOT, env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout
            for seed in range(8)}
    assert len(read) == 1, read


# A tiny alphabet, so that random words share characters as the vocabulary's do.
_CHARS = "退休费离体检认证"


@settings(max_examples=200, deadline=None)
@given(words=st.sets(st.text(_CHARS, min_size=2, max_size=7), min_size=1, max_size=12), data=st.data())
def test_every_place_a_slip_could_be_is_looked_at(words: set[str], data: st.DataObject) -> None:
    """A slip keeps all but _most_differing(word) of a word's characters (one of two): wherever
    such a variant is written, the fixer looks at it."""
    fixer = TypoFixer(words, lambda w: False, list)
    word = data.draw(st.sampled_from(sorted(words)))
    changed = data.draw(st.sets(st.integers(0, len(word) - 1), max_size=_most_differing(word)))
    variant = "".join("某" if i in changed else c for i, c in enumerate(word))
    before = data.draw(st.text(_CHARS, max_size=3))
    assert (len(before), word) in fixer._candidates(before + variant + data.draw(st.text(_CHARS, max_size=3)))
