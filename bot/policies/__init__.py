"""Policy answers (政策问答): the knowledge base in content/policies/ (topics, and the questions
people asked with the topic they meant: asked.tsv), read with jieba over its own lexicon, typo
table and pinyin letters (analyzer, lexicon, typos, spelled; jieba's dictionary loaded from a private cache:
dictionary_cache over private_cache), the router that picks a topic or asks back (engine) with
its second stage by similarity (similar) and what it learns of questions not ours (outside),
both kept built in the private cache (likeness), the words of its answers (replies), and
`python -m bot ask` (ask).

A feature: imports only language, config and care's word list (care.detect: a care situation
is never guessed at); no database: a question changes nothing (the files it writes are its
caches, in the user's cache folder: jieba's dictionary, the features of its texts, the second
stage's models);
handlers and the web app build it once and hand it in.
"""

from bot.policies.engine import Decision, PolicyEngine, load_engine

# The routes an inbound record has when a policy answer gave its reply (handlers/policy.py
# registers these matchers): what 「不对」 and a 留言 right after refer back to.
ANSWERING_ROUTES = ("match:policy", "match:policy_similar")

__all__ = ["ANSWERING_ROUTES", "Decision", "PolicyEngine", "load_engine"]
