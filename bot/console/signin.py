"""Signing in and out, changing one's password, and the guard in front of every console page.

A session is a signed cookie holding the account's id, its session epoch and when it was last
used: an account disabled or given a new password (its epoch grows) loses every session at once,
in every worker; one left unused for [console] idle_minutes signs in again. Every POST carries a
CSRF token (Flask-WTF), the sign-in form included.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Response, g, redirect, request, session, url_for
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from bot.console.web import (
    BODY_LIMITS,
    FORM_LIMIT,
    console,
    db,
    error_page,
    now,
    page,
    saving,
    services,
    staff,
)
from bot.models import StaffAccount
from bot.staff.accounts import StaffError, change_password, sign_in

csrf = CSRFProtect()
log = logging.getLogger(__name__)
OPEN = {"console.static", "console.sign_in"}  # reachable without signing in
UNCHANGED_PASSWORD_MAY = {"console.password", "console.sign_out"}


@console.before_request
def guard() -> BaseResponse | None:
    """Load the signed-in account, or send the visitor to sign in; check CSRF on every POST."""
    if request.endpoint not in OPEN:
        account, expired = _signed_in()
        if account is None:
            return _to_sign_in(expired)
        g.staff = account
        # The account stays loaded, and the transaction that read it ends here: on SQLite a
        # transaction holds the database's lock, which the shared store's own would wait for.
        db().expunge(account)
        db().rollback()
        if account.must_change_password and request.endpoint not in UNCHANGED_PASSWORD_MAY:
            return redirect(url_for("console.password"))
    if request.method == "POST":
        request.max_content_length = BODY_LIMITS.get(request.endpoint or "", FORM_LIMIT)
        csrf.protect()
    return None


def _signed_in() -> tuple[StaffAccount | None, bool]:
    """The session's account, and whether a session was there but is no longer good."""
    if "staff" not in session:
        return None, False
    account = db().get(StaffAccount, session["staff"])
    idle = now().timestamp() - session.get("seen", 0) > services().settings.console.idle_minutes * 60
    if account is None or account.disabled_at is not None or idle \
            or account.session_epoch != session.get("epoch"):
        session.clear()
        return None, True
    session["seen"] = int(now().timestamp())
    return account, False


def _to_sign_in(expired: bool) -> BaseResponse:
    """To the sign-in page, and back afterwards to the page asked for — for a form sent, the page
    it was on, saying that what was sent was not done (a reply typed before the session ended)."""
    posted = request.method == "POST"
    page_sent_from = urlsplit(request.referrer or "")._replace(scheme="", netloc="").geturl()
    back = page_sent_from if posted else request.full_path
    target = url_for("console.sign_in", next=back or None, expired=1 if expired else None,
                     lost=1 if posted else None)
    if request.headers.get("HX-Request"):  # htmx swaps fragments: tell it to load the whole page
        return Response(status=204, headers={"HX-Redirect": target})
    return redirect(target)


@console.route("/login", methods=["GET", "POST"], endpoint="sign_in")
def sign_in_page() -> BaseResponse | tuple[str, int]:
    """The sign-in form, and signing in with it."""
    refusal = "登录已过期，请重新登录。" if request.args.get("expired") else ""
    if request.args.get("lost"):  # a form sent without a session: nothing it asked for was done
        refusal = (f"{refusal or '请先登录。'}刚才提交的内容没有保存、也没有发出，"
                   "登录后回到原来的页面，请再做一次。")
    if request.method == "POST":
        outcome = sign_in(services().sessions, request.form.get("username", ""),
                          request.form.get("password", ""), now=now(), rules=services().settings.console)
        if outcome.account is not None:
            _start_session(outcome.account)
            return redirect(_safe_next(request.args.get("next")))
        refusal = outcome.refusal
    return page("sign_in.html", 401 if refusal and request.method == "POST" else 200, refusal=refusal,
                username=request.form.get("username", ""))


@console.post("/logout")
def sign_out() -> BaseResponse:
    """End this session, and any copy of its cookie: the account's sessions start anew."""
    if "staff" in g:
        with saving() as tx:
            account = tx.get(StaffAccount, staff().id)
            account.session_epoch += 1
    session.clear()
    return redirect(url_for("console.sign_in"))


@console.route("/password", methods=["GET", "POST"])
def password() -> BaseResponse | tuple[str, int]:
    """Change one's own password (required after a one-time password)."""
    problem = ""
    if request.method == "POST":
        new = request.form.get("new", "")
        if new != request.form.get("again", ""):
            problem = "两次输入的新密码不一样。"
        else:
            try:
                with saving() as tx:
                    account = tx.get(StaffAccount, staff().id)
                    change_password(tx, account, request.form.get("old", ""), new, now=now())
                    _start_session(account)
                return redirect(url_for("console.today"))
            except StaffError as exc:
                problem = str(exc)
    return page("password.html", 400 if problem else 200, problem=problem)


def _start_session(account: StaffAccount) -> None:
    session.clear()
    session.permanent = False  # ends with the browser too
    session.update(staff=account.id, epoch=account.session_epoch, seen=int(now().timestamp()))


def _safe_next(target: str | None) -> str:
    """Where to go after signing in: a console page of this site, never another site."""
    parts = urlsplit(target or "")
    if target and not parts.scheme and not parts.netloc and parts.path.startswith("/console/"):
        return target
    return url_for("console.today")


for status in (400, 403, 404, 405, 413):
    console.register_error_handler(status, lambda exc, status=status: error_page(status))


@console.errorhandler(Exception)
def _unexpected(exc: Exception) -> HTTPException | tuple[str, int]:
    """A fault of ours: logged, and a page in Chinese with the way back, not Flask's English one;
    what the request began is rolled back first (the page reads the signed-in account again)."""
    if isinstance(exc, HTTPException):
        return exc
    log.exception("console %s %s failed", request.method, request.path)
    if "db" in g:
        g.db.rollback()
    return error_page(500)
