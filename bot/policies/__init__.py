"""Policy answers: the knowledge base in content/policies/ and the jieba router over it."""

from bot.policies.engine import Decision, PolicyEngine, load_engine

__all__ = ["Decision", "PolicyEngine", "load_engine"]
