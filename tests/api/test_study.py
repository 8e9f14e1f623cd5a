"""学习 in the mini-program: the months and the one studied now, a month's material as HTML and
as Markdown, 「我已学习」 recorded for the retiree (as family too) exactly as the reading page
records it, and the quiz one question at a time with its explanation."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask.testing import FlaskClient

from bot.models import StudyReading
from bot.services import Services
from bot.study.material import load
from tests.office_fixtures import Branch

Headers = Callable[..., dict[str, str]]


def test_the_months_and_a_months_material_as_html_and_markdown(
        client: FlaskClient, branch: Branch, signed_in: Headers, mini: Services) -> None:
    me = signed_in("o_mini_reader")
    months = client.get("/api/v1/study/months", headers=me).get_json()
    assert months["current"] == "2026-11"  # 11-22: November's, from its study day on
    assert [m["month"] for m in months["months"]] == ["2026-11", "2026-10"]  # December's is not out yet
    assert client.get("/api/v1/study/2026-12", headers=me).status_code == 404
    assert {m["read"] for m in months["months"]} == {None}  # not bound: nobody's reading to show
    body = client.get("/api/v1/study/2026-11", headers=me).get_json()
    article = load(mini.settings.content_dir, "2026-11")
    assert body["title"] == article.title and body["summary"] == list(article.summary)
    assert body["markdown"] == article.body and body["html"].startswith("<") and "<script" not in body["html"]
    assert body["quiz_count"] == len(article.quiz)
    assert client.get("/api/v1/study/2031-01", headers=me).status_code == 404
    assert client.get("/api/v1/study/2026-11").status_code == 401


def test_i_have_read_it_is_recorded_for_the_retiree_once_as_family(
        client: FlaskClient, branch: Branch, signed_in: Headers, mini: Services) -> None:
    me = signed_in("o_mini_li_daughter")
    unbound = client.post("/api/v1/study/2026-11/read", headers=me)
    assert unbound.status_code == 403 and unbound.get_json()["code"] == "not_bound"
    client.post("/api/v1/me/binding", headers=me, json={"name": "李华", "digits": "0000", "relation": "子女"})
    first = client.post("/api/v1/study/2026-11/read", headers=me)
    assert first.status_code == 200 and first.get_json() == {"first": True, "by_family": True}
    assert client.post("/api/v1/study/2026-11/read", headers=me).get_json()["first"] is False
    months = client.get("/api/v1/study/months", headers=me).get_json()["months"]
    assert {m["month"]: m["read"] for m in months} == {"2026-11": True, "2026-10": False}
    early = client.post("/api/v1/study/2026-12/read", headers=me)  # next month's, read a month early
    assert early.status_code == 404
    with mini.sessions() as session:
        [reading] = session.scalars(sa.select(StudyReading)).all()
    assert (reading.retiree_id, reading.month, reading.via, reading.by_agent) == (
        branch.ids["李华"], "2026-11", "mini", True)


def test_the_quiz_one_question_at_a_time_with_the_explanation(
        client: FlaskClient, branch: Branch, signed_in: Headers, mini: Services) -> None:
    me = signed_in("o_mini_quiz")
    quiz = load(mini.settings.content_dir, "2026-11").quiz
    first = client.get("/api/v1/study/2026-11/quiz/1", headers=me).get_json()
    assert first["question"] == quiz[0].question and first["count"] == len(quiz)
    assert "answer" not in first and first["choices"]["A"] == quiz[0].choices[0]
    wrong = client.post("/api/v1/study/2026-11/quiz/1", headers=me, json={"choice": "A"}).get_json()
    assert wrong == {"right": False, "answer": quiz[0].answer_text, "explain": quiz[0].explain, "next": 2}
    last = len(quiz)
    right = client.post(f"/api/v1/study/2026-11/quiz/{last}", headers=me,
                        json={"choice": quiz[-1].answer}).get_json()
    assert right["right"] is True and right["next"] is None
    assert client.get(f"/api/v1/study/2026-11/quiz/{last + 1}", headers=me).status_code == 404
    bad = client.post("/api/v1/study/2026-11/quiz/1", headers=me, json={"choice": "E"})
    assert bad.status_code == 422 and bad.get_json()["message"] == "「选项」不对：请选一个字母，A 到 D"


def test_the_whole_quiz_answered_counts_the_month_as_studied_as_in_the_chat(
        client: FlaskClient, branch: Branch, signed_in: Headers, mini: Services) -> None:
    me = signed_in("o_mini_li_daughter")
    client.post("/api/v1/me/binding", headers=me, json={"name": "李华", "digits": "0000", "relation": "子女"})
    count = len(load(mini.settings.content_dir, "2026-11").quiz)
    for number in range(1, count):
        client.post(f"/api/v1/study/2026-11/quiz/{number}", headers=me, json={"choice": "A"})
    months = client.get("/api/v1/study/months", headers=me).get_json()["months"]
    assert {m["month"]: m["read"] for m in months}["2026-11"] is False  # not before the last one
    client.post(f"/api/v1/study/2026-11/quiz/{count}", headers=me, json={"choice": "A"})
    months = client.get("/api/v1/study/months", headers=me).get_json()["months"]
    assert {m["month"]: m["read"] for m in months}["2026-11"] is True
    with mini.sessions() as session:
        [reading] = session.scalars(sa.select(StudyReading)).all()
    assert (reading.retiree_id, reading.via, reading.by_agent) == (branch.ids["李华"], "mini", True)


def test_a_letter_the_question_does_not_offer_is_refused_and_a_small_letter_is_taken(
        client: FlaskClient, branch: Branch, signed_in: Headers, mini: Services) -> None:
    """D for a question of three choices had been judged (and, on the last question, counted the
    month as studied); the chat takes only the letters it showed. 「c」 is C, as in the chat."""
    me = signed_in("o_mini_letters")
    quiz = load(mini.settings.content_dir, "2026-11").quiz
    number, question = next((n, q) for n, q in enumerate(quiz, start=1) if len(q.choices) < 4)
    past = client.post(f"/api/v1/study/2026-11/quiz/{number}", headers=me, json={"choice": "D"})
    assert past.status_code == 422
    assert past.get_json()["message"] == f"这道题请选 {'、'.join(question.letters)} 中的一个。"
    small = client.post(f"/api/v1/study/2026-11/quiz/{number}", headers=me,
                        json={"choice": question.answer.lower()}).get_json()
    assert small["right"] is True
    wide = chr(ord(question.answer) + 0xFEE0)  # 「Ｃ」, as a phone's keyboard may type it
    placed = str("ABCD".index(question.answer) + 1)  # 「3」 for C
    for said in (wide, placed):  # both are the chat's answers too
        answered = client.post(f"/api/v1/study/2026-11/quiz/{number}", headers=me, json={"choice": said})
        assert answered.status_code == 200 and answered.get_json()["right"] is True
