"""Policy answers (政策问答): the knowledge base in content/policies/ (topics), read with jieba
over its own lexicon and typo table (analyzer, lexicon, typos; jieba's dictionary loaded from a
private cache: dictionary_cache), the router that picks a topic or
asks back (engine) with its second stage by similarity (similar), the words of its answers
(replies), and `python -m bot ask` (ask).

A feature: imports only language, config and care's word list (care.detect: a care situation
is never guessed at); no database: a question changes nothing (the one file it writes is
jieba's dictionary cache, in the user's cache folder);
handlers and the web app build it once and hand it in.
"""

from bot.policies.engine import Decision, PolicyEngine, load_engine

__all__ = ["Decision", "PolicyEngine", "load_engine"]
