"""What staff commands share: one transaction, a one-line result, a clear refusal."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from bot.config import load_settings
from bot.db.engine import transaction
from bot.services import Services, build_services

Action = Callable[[Services, Session], str]


class RollBack(Exception):
    """Raised by an action to undo everything it did and still succeed (a dry run); the
    message is printed as its result."""


@contextmanager
def command_services(*, wechat: bool = True) -> Iterator[Services]:
    """The services a command runs with (config.toml, or BOT_CONFIG), closed when it is done;
    wechat=False for commands that never talk to WeChat."""
    services = build_services(load_settings(wechat=wechat))
    try:
        yield services
    finally:
        services.close()


def in_transaction(action: Action, refusals: tuple[type[Exception], ...] = ()) -> int:
    """Run action in one transaction and print its result; a refusal prints why, changes nothing."""
    with command_services() as services:
        try:
            with transaction(services.sessions) as session:
                print(action(services, session))
        except RollBack as done:
            print(done)
        except refusals as exc:
            print(exc, file=sys.stderr)
            return 1
    return 0
