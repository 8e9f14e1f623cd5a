"""The analyser's word patterns (synonyms, fillers): at each place the longest listed word."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.policies.analyzer import _alternation

# A tiny alphabet with a regex's own characters, so that words are prefixes of one another.
_CHARS = "老伴走了以后.*+?(|"


@settings(max_examples=300, deadline=None)
@given(words=st.sets(st.text(_CHARS, min_size=1, max_size=5), min_size=1, max_size=15),
       text=st.text(_CHARS, max_size=30))
def test_the_pattern_finds_what_the_longest_first_alternation_finds(words: set[str], text: str) -> None:
    longest_first = re.compile("|".join(map(re.escape, sorted(words, key=len, reverse=True))))
    pattern = _alternation(words)
    assert pattern is not None
    assert [m.span() for m in pattern.finditer(text)] == [m.span() for m in longest_first.finditer(text)]
