"""身份绑定 from the mini-program: as the retiree or as family (代办), by name and the phone's
last four digits (the chat's rule and lock-out, bot.roster.identify) or by the phone number
WeChat verified (getPhoneNumber's one-time code); and unbinding."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from pydantic import Field
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from wechatpy.exceptions import WeChatClientException

from bot.accounts import binding as b
from bot.accounts.kinship import kinship_of
from bot.api.account import Me, me_of
from bot.api.spec import (
    NEEDS_LOGIN,
    Error,
    Refused,
    Request,
    api,
    blueprint,
    bound,
    documented,
    services,
    signed_in,
)
from bot.models import MiniUser
from bot.roster import identify
from bot.wechat_api.miniprogram import phone_number

log = logging.getLogger(__name__)


class ByDigits(Request):
    """Who the user is, as the chat asks: the retiree's name and their phone's last four digits."""

    name: str = Field(min_length=1, max_length=40, description="老同志的姓名")
    digits: str = Field(pattern=r"^\d{4}$", description="登记电话的后四位")
    relation: str | None = Field(default=None, min_length=1, max_length=10,
                                 description="家属代办时与老同志的关系，如子女、配偶；本人不填")


class ByPhone(Request):
    """Who the user is, by the phone number WeChat verified (getPhoneNumber's one-time code)."""

    phone_code: str = Field(min_length=1, max_length=128, description="手机号快速验证组件给的 code")
    name: str | None = Field(default=None, min_length=1, max_length=40,
                             description="老同志的姓名：一个号码登记了两位老同志（如夫妻）时才需要")
    relation: str | None = Field(default=None, min_length=1, max_length=10,
                                 description="家属代办时与老同志的关系，如子女、配偶；本人不填")


BOUND = documented(HTTP_201=Me, HTTP_401=Error, HTTP_403=Error, HTTP_404=Error, HTTP_409=Error,
                   HTTP_422=Error, HTTP_502=Error)


@blueprint.post("/me/binding")
@api.validate(json=ByDigits, resp=BOUND, tags=["我的"], security=NEEDS_LOGIN)
def bind_by_digits(json: ByDigits) -> Any:
    """绑定身份：老同志的姓名和登记电话的后四位（本人或家属代办）。"""
    s = services()
    relation = _relation(json.relation)  # before any try is counted
    return _bind(lambda session, user: identify.by_digits(session, s.settings, s.texts, user, json.name,
                                                          json.digits, s.clock.now()),
                 relation, by_phone=False)


@blueprint.post("/me/binding/phone")
@api.validate(json=ByPhone, resp=BOUND, tags=["我的"], security=NEEDS_LOGIN)
def bind_by_phone(json: ByPhone) -> Any:
    """绑定身份：用微信验证过的手机号，和名册上登记的电话对上。"""
    with signed_in():  # a stranger's code never reaches WeChat (each call counts against our quota)
        pass
    relation = _relation(json.relation)
    number = _verified_number(json.phone_code)
    now = services().clock.now()
    return _bind(lambda session, user: identify.by_phone(session, user, number, json.name, now),
                 relation, by_phone=True)


def _relation(said: str | None) -> str | None:
    """The relation as the chat understands it (闺女 is 女儿); one it does not know is a 422."""
    if said is None:
        return None
    relation = kinship_of(services().texts).relation(said)
    if relation is None:
        raise Refused(422, "invalid",
                      "「关系」不对：请写和老同志的关系，如子女、女儿、儿子、配偶、老伴、孙女；老同志本人绑定，不用填。")
    return relation


def _bind(attempt: Callable[[Session, MiniUser], identify.Attempt], relation: str | None, *,
          by_phone: bool) -> Any:
    """Bind the signed-in user to the one person the attempt finds, else refuse saying why. The
    refusal is raised after the transaction ends: a wrong answer (and the lock) must stay counted."""
    with signed_in() as (session, user):
        if (binding := bound(session, user)) is not None:
            raise Refused(409, "already_bound",
                          f"已经绑定了{binding.retiree.name}同志。要换人，请先解除绑定。")
        found = attempt(session, user)
        if (refusal := _refusal(session, user, found, relation, by_phone=by_phone)) is None:
            assert found.retiree is not None  # what _refusal found no fault with
            try:
                with session.begin_nested():  # the same form sent twice at once: the first binds
                    identify.bind(session, services().texts, user, found.retiree, services().clock.now(),
                                  relation=relation)
            except IntegrityError:
                raise Refused(409, "already_bound", "已经绑定好了。") from None
            return me_of(session, user), 201
    raise refusal


@blueprint.delete("/me/binding")
@api.validate(resp=documented("HTTP_204", HTTP_401=Error, HTTP_404=Error), tags=["我的"],
              security=NEEDS_LOGIN)
def unbind() -> Any:
    """解除绑定。"""
    with signed_in() as (session, user):
        if (binding := bound(session, user)) is None:
            raise Refused(404, "not_bound", "还没有绑定身份。")
        b.unbind(session, binding, services().clock.now())
    return "", 204


def _verified_number(code: str) -> str:
    """The number WeChat verified for getPhoneNumber's code."""
    s = services()
    try:
        return phone_number(s.settings, s.store, code)
    except WeChatClientException as exc:
        log.warning("phone number refused by WeChat: %s", exc.errcode)
        if exc.errcode is None:
            raise Refused(502, "wechat_unavailable", "暂时连不上微信，请稍后再试。") from None
        raise Refused(422, "phone_code_invalid",
                      "手机号验证已过期，请再点一次「用微信手机号绑定」。") from None


def _refusal(session: Session, user: MiniUser, attempt: identify.Attempt, relation: str | None, *,
             by_phone: bool) -> Refused | None:
    """Why the attempt binds nobody, or None when it found the one person to bind."""
    person = attempt.retiree
    if person is not None:
        if person.deceased and relation is None:
            return Refused(409, "deceased", f"{person.name}同志已经去世。家属请选择与老人的关系后再绑定。")
        if relation is None and b.someone_else_is_them(session, user, person):
            return Refused(409, "self_taken", f"{person.name}同志本人已经用另一个微信绑定过了。"
                                              "家属请选择与老人的关系后再绑定。")
        return None
    if attempt.locked_until is not None:
        until = identify.reopens(attempt.locked_until)
        return Refused(403, "locked",
                       f"连续三次没有对上，绑定已暂停，请 {until}以后再试，或打电话给工作人员。")
    if attempt.ambiguous:
        return Refused(409, "ambiguous", "名册上有几位老同志对得上，请打电话给工作人员帮您绑定。")
    if by_phone:
        return Refused(404, "phone_not_on_file",
                       "名册上没有登记这个手机号。请用老同志的姓名和登记电话的后四位绑定。")
    return Refused(404, "no_match", f"姓名和电话后四位没有对上，还可以再试 {attempt.left} 次。")
