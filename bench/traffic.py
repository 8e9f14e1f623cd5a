"""The traffic retirees really send, for bench/webhook.py: a mix, and the database it needs.

    .venv/bin/python bench/traffic.py seed     (with BOT_CONFIG: the sample office, bench users bound)

The mix is made of episodes, each one conversation as the dialogue corpus and the knowledge base
write them, in these shares of episodes:

| episode | share | from |
|---|---:|---|
| a policy question, typed | 30 % | content/policies/*.toml examples (how retirees ask) |
| a policy question, then 「1」 for the first related answer | 10 % | the same |
| a policy question by voice (recognised text) | 15 % | the same, with WeChat's 。 |
| 报名 → a number → a confirmation | 12 % | tests/dialogues/signup.toml |
| 学习, 往期, 学完了, 答题 and answers | 12 % | tests/dialogues/study.toml |
| 留言 and its text | 6 % | tests/dialogues/tickets.toml |
| greetings, thanks, voice, typos | 10 % | tests/dialogues/courtesy_voice.toml |
| 菜单 and a number | 5 % | — |

Only dialogues of people already bound (`self`, `family`) are used: every bench user is bound.
Each user's turns arrive in order, a few hundred requests apart.
"""

from __future__ import annotations

import random
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EPISODES = (("policy", 30), ("policy_related", 10), ("policy_voice", 15), ("signup", 12),
            ("study", 12), ("tickets", 6), ("courtesy_voice", 10), ("menu", 5))
Turn = tuple[str, str]  # (kind: "text" or "voice", what was said)


def _questions() -> list[str]:
    return [q for path in sorted((ROOT / "content" / "policies").glob("*.toml"))
            for q in tomllib.loads(path.read_text(encoding="utf-8")).get("examples", [])]


def _dialogues(name: str) -> list[list[Turn]]:
    """The corpus's dialogues of bound people, as turns (menu clicks and follows left out)."""
    raw = tomllib.loads((ROOT / "tests" / "dialogues" / f"{name}.toml").read_text(encoding="utf-8"))
    out = []
    for dialogue in raw["dialogue"]:
        if dialogue["who"] not in ("self", "family"):
            continue
        turns = [_turn(t["say"]) for t in dialogue["turns"] if not t["say"].startswith(("点击:", "关注"))]
        if turns:
            out.append(turns)
    return out


def _turn(said: str) -> Turn:
    return ("voice", said.removeprefix("语音:")) if said.startswith("语音:") else ("text", said)


class Mix:
    """Episodes drawn at random (seeded) in the shares above."""

    def __init__(self, seed: int = 7) -> None:
        self._rng = random.Random(seed)
        self._questions = _questions()
        self._corpus = {name: _dialogues(name) for name in ("signup", "study", "tickets", "courtesy_voice")}
        self._names = [name for name, _ in EPISODES]
        self._weights = [weight for _, weight in EPISODES]

    def episode(self) -> list[Turn]:
        """One conversation's turns."""
        kind = self._rng.choices(self._names, self._weights)[0]
        question = self._rng.choice(self._questions)
        if kind == "policy":
            return [("text", question)]
        if kind == "policy_related":
            return [("text", question), ("text", "1")]
        if kind == "policy_voice":
            return [("voice", question + "。")]
        if kind == "menu":
            return [("text", "菜单"), ("text", str(self._rng.randint(1, 6)))]
        return self._rng.choice(self._corpus[kind])


def turns(count: int, users: int, seed: int = 7) -> Iterator[tuple[int, Turn]]:
    """count (user, turn) pairs: user n's turns in order, users taking turns round-robin."""
    mix = Mix(seed)
    queues: list[list[Turn]] = [[] for _ in range(users)]
    for n in range(count):
        queue = queues[n % users]
        if not queue:
            queue.extend(mix.episode())
        yield n % users, queue.pop(0)


def seed_database(users: int) -> None:
    """The sandbox's sample office (200 retirees, groups, an activity), and the bench users
    bound to them: the first 200 as the retirees themselves, the others as their family."""
    sys.path.insert(0, str(ROOT))
    import sqlalchemy as sa

    from bot.config import load_settings
    from bot.db.engine import transaction
    from bot.models import Binding, Follower, Retiree
    from bot.sandbox.seed import seed
    from bot.services import build_services

    services = build_services(load_settings())
    try:
        seed(services)
        now = services.clock.now()
        with transaction(services.sessions) as session:
            people = list(session.scalars(sa.select(Retiree.id).order_by(Retiree.id)))
            for n in range(users):
                openid = user_openid(n)
                session.add(Follower(openid=openid, active=True, first_seen_at=now))
                family = n >= len(people)
                session.add(Binding(openid=openid, retiree_id=people[n % len(people)], bound_at=now,
                                    role="agent" if family else "self", relation="女儿" if family else None))
    finally:
        services.close()


def user_openid(n: int) -> str:
    """The bench's n-th user."""
    return f"o_bench_user_{n:04d}"


if __name__ == "__main__":
    if sys.argv[1:2] == ["seed"]:
        seed_database(int(sys.argv[2]) if len(sys.argv) > 2 else 500)
    else:
        sys.exit(__doc__)
