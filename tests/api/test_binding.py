"""身份绑定 in the mini-program: by name and the phone's last four digits with the chat's lock-out,
by the phone number WeChat verified, as family (代办) for a living or a late retiree; a person
bound in the chat is bound here when WeChat names both accounts by one unionid; 我的 shows the
person (phone masked) and their family."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask.testing import FlaskClient

from bot.accounts.binding import unbind
from bot.db.engine import transaction
from bot.delivery.audience import resolve
from bot.models import Binding, Follower, MiniUser, OutboxMessage, Retiree, StudyReading
from bot.scheduling.jobs import link_unionids
from bot.services import Services
from bot.standin.server import StandinServer
from tests.activities.helpers import load_activity
from tests.office_fixtures import Branch

BIND = "/api/v1/me/binding"
Headers = Callable[..., dict[str, str]]


def test_a_retiree_binds_by_name_and_digits_and_sees_himself_masked(
        client: FlaskClient, branch: Branch, signed_in: Headers, mini: Services) -> None:
    me = signed_in("o_mini_wang")
    bound = client.post(BIND, headers=me, json={"name": "王芳", "digits": "0003"})
    assert bound.status_code == 201
    person = bound.get_json()["person"]
    assert person == {"name": "王芳", "branch": "第一支部", "phone": "139****0003", "role": "self",
                      "relation": None}
    assert client.get("/api/v1/me", headers=me).get_json()["person"]["name"] == "王芳"
    again = client.post(BIND, headers=me, json={"name": "王芳", "digits": "0003"})
    assert again.status_code == 409 and "先解除绑定" in again.get_json()["message"]
    with mini.sessions() as session:
        binding = session.scalar(sa.select(Binding).where(Binding.openid == "o_mini_wang"))
    assert binding.app == "mini" and binding.role == "self"


def test_digits_typed_full_width_and_a_name_with_a_space_in_it_bind_as_in_the_chat(
        client: FlaskClient, branch: Branch, signed_in: Headers) -> None:
    full_width = client.post(BIND, headers=signed_in("o_mini_wang"),
                             json={"name": "王 芳", "digits": "０００３"})
    assert full_width.status_code == 201 and full_width.get_json()["person"]["name"] == "王芳"
    pasted = client.post(BIND, headers=signed_in("o_mini_li"),
                         json={"name": "李华\u200b", "digits": "0000"})
    assert pasted.status_code == 201
    five = client.post(BIND, headers=signed_in("o_mini_five"), json={"name": "王芳", "digits": "12345"})
    assert five.status_code == 422 and five.get_json()["message"] == "「电话后四位」不对：请填 4 位数字"


def test_a_relation_is_read_as_the_chat_reads_it_and_one_it_does_not_know_costs_no_try(
        client: FlaskClient, branch: Branch, signed_in: Headers, mini: Services) -> None:
    me = signed_in("o_mini_li_girl")
    for said in ("本人", "<b>x</b>"):
        refused = client.post(BIND, headers=me, json={"name": "李华", "digits": "0000", "relation": said})
        assert refused.status_code == 422 and "「关系」不对" in refused.get_json()["message"]
    with mini.sessions() as session:
        failures = sa.select(MiniUser.bind_failures).where(MiniUser.openid == "o_mini_li_girl")
        assert session.scalar(failures) == 0
    bound = client.post(BIND, headers=me, json={"name": "李华", "digits": "0000", "relation": "闺女"})
    assert bound.status_code == 201 and bound.get_json()["person"]["relation"] == "女儿"


def test_three_wrong_answers_lock_binding_for_a_day_and_tell_staff(
        client: FlaskClient, branch: Branch, signed_in: Headers, mini: Services) -> None:
    me = signed_in("o_mini_guess")
    answers = [client.post(BIND, headers=me, json={"name": "王芳", "digits": d}) for d in ("1111", "2222")]
    assert [(a.status_code, a.get_json()["message"]) for a in answers] == [
        (404, "姓名和电话后四位没有对上，还可以再试 2 次。"),
        (404, "姓名和电话后四位没有对上，还可以再试 1 次。")]
    locked = client.post(BIND, headers=me, json={"name": "王芳", "digits": "3333"})
    assert locked.status_code == 403 and locked.get_json()["code"] == "locked"
    assert "11 月 23 日 9 点" in locked.get_json()["message"]  # 24 hours after 2026-11-22 09:30
    right = client.post(BIND, headers=me, json={"name": "王芳", "digits": "0003"})  # even right: locked
    assert right.status_code == 403
    with mini.sessions() as session:
        [alert] = session.scalars(sa.select(OutboxMessage).where(
            OutboxMessage.kind == "staff", OutboxMessage.recipient == "o_staff_1")).all()
        follower_locks = session.scalar(sa.select(sa.func.count()).select_from(Follower)
                                        .where(Follower.bind_locked_until.is_not(None)))
    assert "【绑定锁定】" in alert.payload["text"] and "王芳" in alert.payload["text"]
    assert follower_locks == 0  # the mini-program user's own lock, not a chat follower's


def test_a_daughter_binds_for_her_late_father_only_as_family(
        client: FlaskClient, branch: Branch, signed_in: Headers) -> None:
    me = signed_in("o_mini_zhao_daughter")
    as_self = client.post(BIND, headers=me, json={"name": "赵强", "digits": "0000"})
    assert as_self.status_code == 409 and as_self.get_json()["code"] == "deceased"
    as_family = client.post(BIND, headers=me, json={"name": "赵强", "digits": "0000", "relation": "子女"})
    assert as_family.status_code == 201
    assert as_family.get_json()["person"]["role"] == "agent"
    assert as_family.get_json()["person"]["relation"] == "子女"


def test_family_binding_in_the_mini_program_is_told_to_the_family_already_bound(
        client: FlaskClient, branch: Branch, signed_in: Headers, mini: Services) -> None:
    son = client.post(BIND, headers=signed_in("o_mini_sun_son"),
                      json={"name": "孙兰", "digits": "0000", "relation": "子女"})
    assert son.status_code == 201
    with mini.sessions() as session:
        told = session.scalars(sa.select(OutboxMessage).where(
            OutboxMessage.dedupe_key.like("binding:%"))).all()
    assert [m.recipient for m in told] == ["o_sun_daughter"]  # her daughter, bound in the chat
    assert "孙兰同志家属（子女）" in told[0].payload["text"]


def test_for_a_late_retiree_no_activity_is_offered_and_nothing_is_studied(
        client: FlaskClient, branch: Branch, signed_in: Headers, mini: Services, tmp_path) -> None:
    load_activity(mini, tmp_path, capacity=5)  # 冬至茶话会, for 第一支部, where 赵强 was
    me = signed_in("o_mini_zhao_daughter")
    assert client.post(BIND, headers=me, json={"name": "赵强", "digits": "0000", "relation": "子女"}
                       ).status_code == 201
    assert client.get("/api/v1/activities", headers=me).get_json()["activities"] == []
    signup = client.post("/api/v1/activities/1/signup", headers=me, json={})
    assert signup.status_code == 409 and signup.get_json()["code"] == "deceased"  # not 「只面向部分支部」
    assert signup.get_json()["message"].startswith("赵强同志已经不在了")  # the chat's words, his name
    read = client.post("/api/v1/study/2026-11/read", headers=me)
    assert read.status_code == 409 and read.get_json()["code"] == "deceased"
    with mini.sessions() as session:
        assert session.scalars(sa.select(StudyReading)).all() == []


def test_a_second_account_binding_as_the_same_person_is_asked_to_bind_as_family(
        client: FlaskClient, branch: Branch, signed_in: Headers) -> None:
    assert client.post(BIND, headers=signed_in("o_mini_wang"), json={"name": "王芳", "digits": "0003"}
                       ).status_code == 201
    other = signed_in("o_mini_wang_son")
    as_self = client.post(BIND, headers=other, json={"name": "王芳", "digits": "0003"})
    assert as_self.status_code == 409 and as_self.get_json()["code"] == "self_taken"
    assert "家属请选择与老人的关系" in as_self.get_json()["message"]
    as_family = client.post(BIND, headers=other, json={"name": "王芳", "digits": "0003", "relation": "子女"})
    assert as_family.status_code == 201 and as_family.get_json()["person"]["role"] == "agent"


def test_the_phone_wechat_verified_binds_without_guessing(
        client: FlaskClient, branch: Branch, signed_in: Headers, standin: StandinServer) -> None:
    me = signed_in("o_mini_wang_phone")
    code = standin.mint_phone_code("13900000003")
    bound = client.post(f"{BIND}/phone", headers=me, json={"phone_code": code})
    assert bound.status_code == 201 and bound.get_json()["person"]["name"] == "王芳"
    other = signed_in("o_mini_other")
    reused = client.post(f"{BIND}/phone", headers=other, json={"phone_code": code})
    assert reused.status_code == 422 and reused.get_json()["code"] == "phone_code_invalid"
    unknown = client.post(f"{BIND}/phone", headers=other,
                          json={"phone_code": standin.mint_phone_code("13700009999")})
    assert unknown.status_code == 404 and "后四位" in unknown.get_json()["message"]
    shared = client.post(f"{BIND}/phone", headers=other,  # 张明, 李华 … share 13800000000 on file
                         json={"phone_code": standin.mint_phone_code("13800000000")})
    assert shared.status_code == 409 and shared.get_json()["code"] == "ambiguous"
    named = client.post(f"{BIND}/phone", headers=other,
                        json={"phone_code": standin.mint_phone_code("13800000000"), "name": "李华"})
    assert named.status_code == 201 and named.get_json()["person"]["name"] == "李华"


def test_bound_in_the_chat_means_bound_here_when_wechat_names_one_unionid(
        client: FlaskClient, branch: Branch, mini: Services, standin: StandinServer,
        signed_in: Headers) -> None:
    for follower in ("o_zhang", "o_sun_daughter"):
        standin.state.follow(follower)
    standin.link_unionid("o_sun_daughter", "u_sun_daughter")  # her official-account openid …
    standin.link_unionid("o_mini_sun_daughter", "u_sun_daughter")  # … and her mini-program one
    assert link_unionids(mini) == 1
    me = signed_in("o_mini_sun_daughter")
    person = client.get("/api/v1/me", headers=me).get_json()["person"]
    assert person["name"] == "孙兰" and person["role"] == "agent" and person["relation"] == "女儿"
    stranger = signed_in("o_mini_stranger")
    assert client.get("/api/v1/me", headers=stranger).get_json()["person"] is None
    with mini.sessions() as session:
        asked = dict(session.execute(sa.select(Follower.openid, Follower.unionid)).all())
        assert session.scalar(sa.select(MiniUser.unionid).where(MiniUser.openid == "o_mini_sun_daughter")) \
            == "u_sun_daughter"
    assert asked["o_sun_daughter"] == "u_sun_daughter" and asked["o_zhang"] == ""  # asked: none


def test_me_lists_the_family_acting_for_the_retiree_and_unbinding_ends_it(
        client: FlaskClient, branch: Branch, signed_in: Headers, mini: Services) -> None:
    me = signed_in("o_mini_sun_son")
    client.post(BIND, headers=me, json={"name": "孙兰", "digits": "0000", "relation": "子女"})
    agents = client.get("/api/v1/me", headers=me).get_json()["agents"]
    assert sorted((a["relation"], a["app"]) for a in agents) == [("女儿", "oa"), ("子女", "mini")]
    assert client.delete(BIND, headers=me).status_code == 204
    assert client.get("/api/v1/me", headers=me).get_json()["person"] is None
    assert client.delete(BIND, headers=me).status_code == 404
    with transaction(mini.sessions) as session:
        kept = session.scalar(sa.select(Binding).where(Binding.openid == "o_mini_sun_son"))
        assert kept.unbound_at is not None  # kept for the record


def test_someone_not_bound_is_asked_to_bind_before_acting(client: FlaskClient, branch: Branch,
                                                          signed_in: Headers) -> None:
    answer = client.get("/api/v1/activities", headers=signed_in("o_mini_new"))
    assert answer.status_code == 403 and answer.get_json()["code"] == "not_bound"
    assert "姓名" in answer.get_json()["message"]


def test_binding_as_self_in_the_mini_program_does_not_cut_off_the_family_in_the_chat(
        client: FlaskClient, branch: Branch, signed_in: Headers, mini: Services) -> None:
    me = signed_in("o_mini_sun_herself")
    assert client.post(BIND, headers=me, json={"name": "孙兰", "digits": "0000"}).status_code == 201
    with mini.sessions() as session:
        reach = resolve(session, f"retiree:{branch.ids['孙兰']}")
    assert {r.openid for r in reach.recipients} == {"o_sun_daughter", "o_mini_sun_herself"}


def test_unbinding_sticks_and_unbinding_in_the_chat_unbinds_the_same_person_here(
        client: FlaskClient, branch: Branch, mini: Services, standin: StandinServer,
        signed_in: Headers) -> None:
    standin.state.follow("o_sun_daughter")
    standin.link_unionid("o_sun_daughter", "u_sun")
    standin.link_unionid("o_mini_sun", "u_sun")
    link_unionids(mini)
    me = signed_in("o_mini_sun")
    assert client.get("/api/v1/me", headers=me).get_json()["person"]["name"] == "孙兰"
    assert client.delete(BIND, headers=me).status_code == 204
    assert client.get("/api/v1/me", headers=me).get_json()["person"] is None  # not adopted again
    again = signed_in("o_mini_sun")  # a new login neither
    assert client.get("/api/v1/me", headers=again).get_json()["person"] is None
    rebound = client.post(BIND, headers=again, json={"name": "孙兰", "digits": "0000", "relation": "子女"})
    assert rebound.status_code == 201
    with transaction(mini.sessions) as session:  # now she unbinds in the chat
        chat = session.scalar(sa.select(Binding).where(Binding.openid == "o_sun_daughter"))
        unbind(session, chat, mini.clock.now())
    assert client.get("/api/v1/me", headers=again).get_json()["person"] is None


def test_a_landline_on_file_shows_only_its_last_four(client: FlaskClient, branch: Branch,
                                                     signed_in: Headers, mini: Services) -> None:
    with transaction(mini.sessions) as session:
        session.get_one(Retiree, branch.ids["王芳"]).phone = "0571-87650003"
    me = signed_in("o_mini_landline")
    person = client.post(BIND, headers=me, json={"name": "王芳", "digits": "0003"}).get_json()["person"]
    assert person["phone"] == "****0003"
