"""Configuration: config.toml, environment overrides, and one clear sentence when something is wrong."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT, ConfigError, load_settings

GOOD_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = f"""
database_url = "sqlite:///x.db"
[wechat]
appid = "wx123"
secret = "s3cret"
token = "tok"
encoding_aes_key = "{GOOD_KEY}"
mode = "safe"
reply_budget = 3
[office]
name = "某区老干部局"
phone = "010-1234"
"""


def test_a_complete_file_loads(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, GOOD))
    assert settings.wechat.appid == "wx123" and settings.wechat.reply_budget == 3.0
    assert settings.office.name == "某区老干部局"


def test_the_example_config_documents_every_setting() -> None:
    from dataclasses import fields

    from bot.config import Settings

    example = (PROJECT_ROOT / "config.example.toml").read_text(encoding="utf-8")
    sections = {f.name: f.default_factory for f in fields(Settings) if f.name != "content_dir"
                and callable(f.default_factory)}
    keys = {f.name for f in fields(Settings)} - set(sections) - {"content_dir"}
    keys |= {f.name for make in sections.values() for f in fields(make())}
    missing = [f"{name} =" for name in keys if f"{name} =" not in example and f".{name}]" not in example]
    missing += [f"[{name}]" for name in sections if f"[{name}]" not in example]
    assert missing == []


def test_secrets_come_from_the_environment_over_the_file(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_WECHAT_TOKEN", "from-env")
    monkeypatch.setenv("BOT_WECHAT_SECRET", "env-secret")
    settings = load_settings(write(tmp_path, GOOD))
    assert (settings.wechat.token, settings.wechat.secret) == ("from-env", "env-secret")


def test_the_file_is_found_through_bot_config(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_CONFIG", str(write(tmp_path, GOOD)))
    assert load_settings().wechat.appid == "wx123"


@pytest.mark.parametrize("change,expected", [
    ('encoding_aes_key = "short"', "EncodingAESKey"),
    (f'encoding_aes_key = "{GOOD_KEY[:-1]}!"', "EncodingAESKey"),
    ('token = ""', "BOT_WECHAT_TOKEN"),
    ('secret = ""', "BOT_WECHAT_SECRET"),
    ('mode = "secure"', "plain、compat 或 safe"),
    ('reply_budjet = 3', "reply_budjet"),
], ids=["short-key", "bad-base64", "no-token", "no-secret", "bad-mode", "typo"])
def test_a_wrong_setting_is_one_clear_sentence(tmp_path: Path, change: str, expected: str) -> None:
    key = change.split(" =")[0]
    lines = [line for line in GOOD.splitlines() if not line.startswith(f"{key} =")]
    lines.insert(lines.index("[wechat]") + 1, change)
    with pytest.raises(ConfigError) as failure:
        load_settings(write(tmp_path, "\n".join(lines)))
    assert expected in str(failure.value)


def test_plain_mode_needs_no_aes_key(tmp_path: Path) -> None:
    text = GOOD.replace(f'encoding_aes_key = "{GOOD_KEY}"', "").replace('"safe"', '"plain"')
    assert load_settings(write(tmp_path, text)).wechat.mode == "plain"


def _start(tmp_path: Path, *command: str, config_text: str = GOOD.replace(GOOD_KEY, "not-a-key"),
           ) -> subprocess.CompletedProcess[str]:
    config = write(tmp_path, config_text)
    return subprocess.run([sys.executable, *command], cwd=PROJECT_ROOT, capture_output=True,
                          text=True, timeout=60, env={"BOT_CONFIG": str(config), "PATH": ""})


SERVE = ("-m", "bot", "serve")
GUNICORN = ("-m", "gunicorn", "-c", str(PROJECT_ROOT / "gunicorn.conf.py"), "-b", "127.0.0.1:0",
            "bot:create_app()")


@pytest.mark.parametrize("command", [SERVE, GUNICORN], ids=["serve", "gunicorn"])
def test_start_up_with_a_wrong_key_stops_with_one_sentence(tmp_path: Path, command) -> None:
    result = _start(tmp_path, *command)
    assert result.returncode == 2
    assert "无法启动：EncodingAESKey 不正确" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", [SERVE, GUNICORN, (str(PROJECT_ROOT / "scheduler.py"),)],
                         ids=["serve", "gunicorn", "scheduler"])
def test_without_a_public_url_the_processes_that_send_reading_links_do_not_start(
        tmp_path: Path, command) -> None:
    result = _start(tmp_path, *command, config_text=GOOD)  # everything else is right
    assert result.returncode == 2
    assert "无法启动：缺少 public_url" in result.stderr and "BOT_PUBLIC_URL" in result.stderr
    assert "Traceback" not in result.stderr
