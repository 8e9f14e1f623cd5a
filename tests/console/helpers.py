"""A clerk at the console: signs in, follows the pages' own forms (CSRF token included)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from bot.db.engine import transaction
from bot.models import StaffAccount
from bot.services import Services
from bot.staff.accounts import add_account
from bot.staff.passwords import hash_password

PASSWORD = "correct horse battery"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def make_account(services: Services, username: str, role: str = "staff", group: str = "") -> str:
    """An account that has chosen its own password (PASSWORD); its username."""
    with transaction(services.sessions) as session:
        account, _ = add_account(session, username, role, group=group, actor="cli:test",
                                 now=services.clock.now(), display_name=f"{username}同志")
        account.password_hash, account.must_change_password = hash_password(PASSWORD), False
    return username


def account(services: Services, username: str) -> StaffAccount:
    """The account as the database has it now."""
    with services.sessions() as session:
        return session.scalars(sa.select(StaffAccount).where(StaffAccount.username == username)).one()


@dataclass
class Clerk:
    """A browser at the console, as a clerk uses it: it reads each page's CSRF token."""

    client: FlaskClient
    token: str = ""
    seen: list[str] = field(default_factory=list)

    def get(self, path: str, **options: Any) -> TestResponse:
        """Open a page (and keep its form token, as the browser's form would)."""
        response = self.client.get(path, **options)
        if response.mimetype == "text/html" and (found := _TOKEN.search(response.get_data(as_text=True))):
            self.token = found.group(1)
        return response

    def post(self, path: str, data: dict[str, Any] | None = None, *, token: bool = True,
             **options: Any) -> TestResponse:
        """Submit a form (with the token the last page gave, unless token=False)."""
        if token and not self.token:
            self.get("/console/login")
        form = {**({"csrf_token": self.token} if token else {}), **(data or {})}
        return self.client.post(path, data=form, **options)

    def sign_in(self, username: str, password: str = PASSWORD) -> TestResponse:
        """Sign in through the form."""
        self.get("/console/login")
        response = self.post("/console/login", {"username": username, "password": password})
        self.get("/console/today")
        return response
