"""What each role may do: one table, read by every face that shows or changes staff work."""

from __future__ import annotations

import enum

from bot.models import Role, StaffAccount


class Can(enum.Enum):
    """A kind of thing staff do, granted by role."""

    SEE_PRIVATE = "see_private"          # health, address, a full phone number
    EDIT = "edit"                        # change records, import, send, reply
    EXPORT = "export"                    # files holding personal data
    MANAGE_ACCOUNTS = "manage_accounts"  # other staff's accounts


GRANTS: dict[str, frozenset[Can]] = {
    Role.ADMIN: frozenset(Can),
    Role.STAFF: frozenset(Can) - {Can.MANAGE_ACCOUNTS},
    Role.VIEWER: frozenset(),  # reads, with personal details masked
}


def may(account: StaffAccount, can: Can) -> bool:
    """True when the account's role grants it."""
    return can in GRANTS.get(account.role, frozenset())
