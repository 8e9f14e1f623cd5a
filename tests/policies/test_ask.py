"""`python -m bot ask --json`: one JSON object per question, as the evaluation tools read it."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from bot.config import PROJECT_ROOT, Settings
from bot.policies.ask import run_ask


def ask(settings: Settings, *questions: str) -> list[dict]:
    """The JSON records for the questions."""
    out = io.StringIO()
    assert run_ask(settings, as_json=True, stdin=io.StringIO("\n".join(questions) + "\n"), stdout=out) == 0
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_each_question_gets_its_topic_candidates_and_answer(settings: Settings) -> None:
    [record] = ask(settings, "党费可以在手机上交吗")
    assert record["question"] == "党费可以在手机上交吗"
    assert record["topic"] == "party-fee"
    assert record["candidates"][0] == "party-fee"
    assert record["answer"].startswith("【党费缴纳】")


def test_an_unrelated_question_has_a_null_topic_and_the_kind_reply(settings: Settings) -> None:
    [record] = ask(settings, "讲个笑话吧")
    assert record["topic"] is None and record["candidates"] == []
    assert "回复「留言」" in record["answer"]


def test_close_topics_give_a_null_topic_with_the_choices(settings: Settings) -> None:
    [record] = ask(settings, "体检和党费")
    assert record["topic"] is None
    assert set(record["candidates"]) == {"health-checkup", "party-fee"}
    assert record["answer"].startswith("您是想问：")


def test_blank_lines_are_skipped_and_order_is_kept(settings: Settings) -> None:
    records = ask(settings, "体检都查什么", "", "老年大学学费多少")
    assert [r["topic"] for r in records] == ["health-checkup", "senior-university"]


def test_the_command_runs_without_any_config_or_wechat_keys(tmp_path: Path) -> None:
    # With no config.toml and no WeChat keys, as `qa_dev_eval.py` runs it.
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(PROJECT_ROOT)}
    done = subprocess.run([sys.executable, "-m", "bot", "ask", "--json"], input="离休费几号发\n",
                          capture_output=True, text=True, cwd=tmp_path, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert record["topic"] == "pension-payment"
    assert done.stderr == ""  # jieba's loading chatter stays out of the output


def test_content_dir_from_settings_is_used(settings: Settings, tmp_path: Path) -> None:
    content = shutil.copytree(PROJECT_ROOT / "content", tmp_path / "content")
    (content / "policies" / "party-fee.toml").write_text(
        (content / "policies" / "party-fee.toml").read_text(encoding="utf-8")
        .replace('title = "党费缴纳"', 'title = "交党费"'), encoding="utf-8")
    [record] = ask(replace(settings, content_dir=content), "党费交多少")
    assert record["answer"].startswith("【交党费】")
