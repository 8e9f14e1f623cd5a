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


# What only an account over the whole office may do, whatever its role: accounts hold every
# branch's people (an administrator scoped to one branch could otherwise give an account, or
# themselves through another, the whole office, or reset an office-wide administrator's password).
OFFICE_WIDE_ONLY = frozenset({Can.MANAGE_ACCOUNTS})


def may(account: StaffAccount, can: Can) -> bool:
    """True when the account's role grants it (and its scope: OFFICE_WIDE_ONLY)."""
    if can in OFFICE_WIDE_ONLY and account.group_id is not None:
        return False
    return can in GRANTS.get(account.role, frozenset())
