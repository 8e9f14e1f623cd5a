"""Naming people in a list (通知 → 选人, 关怀 → 登记): by name or 编号 in any capitals, and two
namesakes without a 编号 each reachable by the 内部编号 the problem names."""

from __future__ import annotations

from bot.db.engine import transaction
from bot.roster.edit import edit_person, form_values
from bot.roster.search import named, person_called
from bot.services import Services
from tests.office_fixtures import add_person


def test_namesakes_without_a_number_are_named_apart_and_reachable_by_the_internal_number(
        office: Services) -> None:
    with transaction(office.sessions) as session:
        first, second = (add_person(session, office.clock.now(), "李淑芬") for _ in range(2))
        second.birth_date = second.birth_date.replace(year=1941)
        session.flush()
        _, problems = named(session, "李淑芬")
        assert problems == [f"「李淑芬」有 2 位同名，请照抄其中一位的编号（连同「内部编号」几个字）："
                            f"内部编号 {first.id}（1938 年生）、内部编号 {second.id}（1941 年生）。"]
        for typed in (f"内部编号 {second.id}", f"内部编号 {second.id}（1941 年生）"):
            people, problems = named(session, typed)
            assert ([p.id for p in people], problems) == ([second.id], [])


def test_a_number_in_other_capitals_is_the_one_on_file_and_taken_for_nobody_else(office: Services) -> None:
    with transaction(office.sessions) as session:
        wang, tang = (add_person(session, office.clock.now(), name) for name in ("王建国", "汤春生"))
        wang.number = "LT00010"
        session.flush()
        assert [p.id for p in named(session, "lt00010")[0]] == [wang.id]
        edit = edit_person(session, tang.id, {**form_values(tang), "number": "lt00010"}, actor="cli:test",
                           now=office.clock.now())
        assert "已经有人用了（王建国：LT00010）" in edit.problems["number"] and tang.number is None


def test_a_full_name_in_a_sentence_names_one_person_not_namesakes_nor_a_shorter_one(office: Services) -> None:
    with transaction(office.sessions) as session:
        yao, wang = (add_person(session, office.clock.now(), name) for name in ("姚文斌", "王明华"))
        add_person(session, office.clock.now(), "王明")
        for _ in range(2):
            add_person(session, office.clock.now(), "李淑芬")
        assert person_called(session, "姚文斌") is yao
        assert person_called(session, "王明华") is wang  # not 王明
        assert person_called(session, "李淑芬") is None  # namesakes: staff read the words
        assert person_called(session, "张建国") is None
