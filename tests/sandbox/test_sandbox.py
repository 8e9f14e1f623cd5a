"""The sandbox a new staff member starts with README's first command, and its chat terminal."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from bot import create_app
from bot.config import PROJECT_ROOT
from bot.db.engine import transaction
from bot.delivery import outbox
from bot.sandbox.chat import ChatSession
from bot.services import Services, build_services
from bot.standin import StandinServer


def test_the_sandbox_starts_everything_and_chats(tmp_path: Path) -> None:
    """On a fresh machine: no cache of the knowledge base yet, so its server's first start reads
    every asked question (about 20 s on a slow machine, which once outlasted the sandbox's wait)."""
    from bot.sandbox.run import TRY_DIGITS, TRY_NAME

    script = (f"菜单\n2\n/voice\n/voice 使用指南\n绑定\n{TRY_NAME}\n{TRY_DIGITS}\n报名\n1\n"
              "/staff\n通知 全体 明天上午九点开会\n1\n/me\n菜单\n/quit\n")
    errors = tmp_path / "stderr.txt"
    with errors.open("w") as stderr:
        sandbox = subprocess.Popen([sys.executable, "-m", "bot", "sandbox"], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=stderr, text=True, cwd=PROJECT_ROOT,
                                   env={**os.environ, "BOT_SANDBOX_DIR": str(tmp_path),
                                        "XDG_CACHE_HOME": str(tmp_path / "fresh-cache")})
    start_up = [sandbox.stdout.readline()]
    while start_up[-1] and "沙盒已启动" not in start_up[-1]:  # up to its last start-up line
        start_up.append(sandbox.stdout.readline())
    assert "第一次启动" in start_up[0]  # the wait is explained
    signed_in = _sign_in_as_printed("".join(start_up))  # while the sandbox runs
    asked = _ask_as_printed("".join(start_up))
    family = _second_chat(tmp_path)  # a family member's terminal beside it, as printed
    config = (tmp_path / "sandbox.toml").read_text(encoding="utf-8")
    sandbox.stdin.write(script)
    sandbox.stdin.close()
    out = "".join(start_up) + sandbox.stdout.read()
    sandbox.stdout.close()
    assert sandbox.wait(timeout=120) == 0, errors.read_text() + (tmp_path / "sandbox.log").read_text()
    assert "沙盒已启动" in out
    assert "今日" in signed_in and "沙盒管理员" in signed_in  # the printed address and password work
    assert asked["topic"]["title"] in asked["text"] and "发放日" in asked["text"]  # the curl line answers
    assert asked["me"] == {"font_scale": 100, "person": None, "agents": []}  # logging in as printed works
    assert asked["bound"]["role"] == "agent" and asked["bound"]["name"]  # and binding as printed
    log = (tmp_path / "sandbox.log").read_text()
    assert "找到" in signed_in and '"GET /console/people" 200' in log and "q=0001" not in log  # no searches
    assert "回复 1" in out and "办公时间" in out  # the menu, then item 2
    assert "没听清" in out and "字太小" in out  # voice without and with recognition
    assert f"您好，{TRY_NAME}同志，绑定成功" in out  # the sample roster is there to bind to
    assert "回复 1　茶话会" in out and "回复 1 确认报名" in out  # a sample activity two weeks ahead
    assert "现在用 o_sandbox_staff_0001 发消息" in out  # /staff: the sample config has a staff member
    assert "将发给 1 人" in out and "已安排发送，通知编号 1" in out  # everyone bound: the one just bound
    assert "alembic" not in out  # start-up shows the greeting, not migration logs
    assert "-m bot chat --openid o_family_0001" in out and "回复 1" in family  # the second chat answered
    standin_url = re.search(r"微信模拟服务 (http://127\.0\.0\.1:\d+/)", out).group(1)
    assert f'api_base_url = "{standin_url}"' in config  # the config names the ports really used
    assert not (tmp_path / "sandbox.running.json").exists()  # gone with the sandbox
    assert (tmp_path / "sandbox.toml").exists() and (tmp_path / "sandbox.db").exists()
    made = [p for p in tmp_path.iterdir() if p.name.startswith("sandbox") and p.is_file()]
    assert {p.name: oct(p.stat().st_mode & 0o777) for p in made} == {p.name: "0o600" for p in made}


def test_kill_stops_everything_the_sandbox_started(tmp_path: Path) -> None:
    """`kill` (or a closed terminal) stops the stand-in, the server and the scheduler too, as
    Ctrl-C does: none is left running, holding its port."""
    marker = f"BOT_SANDBOX_DIR={tmp_path}"
    sandbox = subprocess.Popen([sys.executable, "-m", "bot", "sandbox", "--no-chat"], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True, cwd=PROJECT_ROOT,
                               env={**os.environ, "BOT_SANDBOX_DIR": str(tmp_path)})
    line = sandbox.stdout.readline()
    while line and "沙盒已启动" not in line:
        line = sandbox.stdout.readline()
    started = _started_with(marker)
    assert len(started) >= 4  # the sandbox, the stand-in, the server, the scheduler
    sandbox.terminate()
    assert sandbox.wait(timeout=60) != 0
    sandbox.stdout.close()
    left = _started_with(marker)
    for pid in left:  # not to leave them to the next test
        os.kill(pid, 9)
    assert left == []


def _started_with(marker: str) -> list[int]:
    """The processes whose environment holds marker (all a sandbox starts inherit it)."""
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if marker.encode() in environ.read_bytes().split(b"\0"):
                found.append(int(environ.parent.name))
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return found


def _second_chat(sandbox_dir: Path) -> str:
    """`python -m bot chat --openid …` in another terminal while the sandbox runs: no config
    given, it finds the sandbox; what it printed for 「菜单」."""
    env = {k: v for k, v in os.environ.items() if k != "BOT_CONFIG"} | {"BOT_SANDBOX_DIR": str(sandbox_dir)}
    chat = subprocess.run([sys.executable, "-m", "bot", "chat", "--openid", "o_family_0001"],
                          input="菜单\n/quit\n", capture_output=True, text=True, timeout=60,
                          cwd=PROJECT_ROOT, env=env)
    assert chat.returncode == 0, chat.stderr
    return chat.stdout


def _ask_as_printed(printed: str) -> dict:
    """Run the API lines the sandbox printed: ask a policy question, mint a login code and log
    in with it, read 我的 with the token, bind as family with the printed name and digits; the
    answer, 我的 before binding and the person bound."""
    import json
    import re

    import requests

    urls = re.findall(r"curl -s(?: -X POST)? '?(http://[^ ']+)", printed)
    ask, mint, log_in, bind = urls[0], urls[1], urls[2], urls[3]
    binding = json.loads(re.search(r"""-d '(\{"name".*?\})'""", printed).group(1))
    answer = requests.post(ask, json={"question": "离休费几号发"}, timeout=10).json()
    code = requests.get(mint, timeout=10).json()["code"]
    token = requests.post(log_in, json={"code": code}, timeout=10).json()["token"]
    signed = {"Authorization": f"Bearer {token}"}
    me = requests.get(log_in.replace("/session", "/me"), headers=signed, timeout=10).json()
    bound = requests.post(bind, json=binding, headers=signed, timeout=10).json()
    return {**answer, "me": me, "bound": bound.get("person")}


def _sign_in_as_printed(printed: str) -> str:
    """Sign in to the console with the address, name and password the sandbox printed; 今日."""
    import re

    import requests

    found = re.search(r"(http://\S+/console/) ，登录名 (\S+)，密码 (\S+)。", printed)
    assert found, printed
    url, username, password = found.groups()
    browser = requests.Session()
    form = browser.get(f"{url}login", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    today = browser.post(f"{url}login", data={"csrf_token": token, "username": username,
                                              "password": password}, timeout=10)
    found = browser.get(f"{url}people", params={"q": "0001"}, timeout=10)
    return today.text + found.text


@pytest.fixture
def live_bot(settings, clock, standin: StandinServer) -> Iterator[tuple[str, Services]]:
    """The bot on a real port (real clock: the chat signs with the time now)."""
    wired = replace(settings, wechat=replace(settings.wechat, api_base_url=standin.base_url))
    services = build_services(wired)
    server = make_server("127.0.0.1", 0, create_app(services=services), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/wechat", services
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
        services.close()


def test_chat_shows_replies_and_the_pushes_that_reach_the_user(live_bot, standin) -> None:
    url, services = live_bot
    chat = ChatSession(services.settings.wechat, url, standin.base_url, "o_chat_user_0001")
    assert "办公时间" in chat.send("联系我们")
    with transaction(services.sessions) as session:
        outbox.enqueue(session, recipient="o_chat_user_0001", dedupe_key="notice:1",
                       text="明天上午九点集中学习。", now=services.clock.now())
    assert outbox.drain(services) == 1  # the chat opened the 48-hour window when it wrote
    _, shown = chat.pushes_since(0)
    assert shown == ["【客服消息】明天上午九点集中学习。"]


def test_the_terminal_shows_a_template_message_as_the_phone_does(api_services: Services, standin) -> None:
    old_style = {"first": {"value": "您好"}, "keyword1": {"value": "明天上午九点集中学习"},
                 "remark": {"value": "谢谢"}}
    api_services.wechat.post("message/template/send",
                             data={"touser": "o_far", "template_id": "TPL", "data": old_style})
    chat = ChatSession(api_services.settings.wechat, "http://127.0.0.1:1/wechat", standin.base_url, "o_far")
    _, shown = chat.pushes_since(0)
    assert shown == ["【模板消息】\n  明天上午九点集中学习"]  # no first, no remark: no longer shown
