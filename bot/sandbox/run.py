"""`python -m bot sandbox`: the stand-in, the server and the sender on this machine, then chat."""

from __future__ import annotations

import base64
import json
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
import tomlkit

from bot.config import PROJECT_ROOT, Settings, load_settings
from bot.db.migrate import upgrade
from bot.sandbox.chat import run_chat
from bot.sandbox.sample_roster import generate
from bot.sandbox.seed import SANDBOX_ADMIN, ensure_console_admin, seed
from bot.services import build_services

_SAMPLE = generate(1)[0]
TRY_NAME, TRY_DIGITS, TRY_AREA = _SAMPLE[1], str(_SAMPLE[15])[-4:], _SAMPLE[13]  # 姓名, 联系电话, 居住片区
SANDBOX_ROSTER_HINT = "content/sample/roster.csv，可用 python -m bot roster export 导出查看"

VAR = Path(os.environ.get("BOT_SANDBOX_DIR", PROJECT_ROOT / "var"))
SANDBOX_CONFIG = VAR / "sandbox.toml"
RUNNING = VAR / "sandbox.running.json"  # while a sandbox runs: its ports, for a second chat
SANDBOX_USER, SANDBOX_STAFF = "o_sandbox_user_0001", "o_sandbox_staff_0001"
SANDBOX_MINI_USER = "o_sandbox_mini_0001"  # a family member trying the mini-program

CONFIG_TEMPLATE = """\
# 沙盒配置：由 `python -m bot sandbox` 生成，只用于本机试用，不连真实微信。
database_url = "sqlite:///{db}"

[wechat]
appid = "wx_sandbox_appid"
secret = "sandbox_secret"
token = "{token}"
encoding_aes_key = "{aes_key}"
mode = "safe"
api_base_url = "http://127.0.0.1:8801/"

[miniprogram]
# 小程序：微信里是另一个应用，有自己的 AppID（沙盒里由同一个微信模拟服务扮演）
appid = "wx_sandbox_mini"
secret = "sandbox_mini_secret"

[office]
name = "示例市离退休干部管理中心"
address = "示例市人民路 88 号 1 楼服务窗口"
phone = "0000-12345678"
hours = "周一至周五 上午 8:30—12:00，下午 2:30—5:30"
pension_pay_day = "每月 10 日"
medical_window = "中心 1 楼 2 号窗口"
medical_deadline = "每月 1 日至 20 日"
checkup_time = "每年 4 月至 6 月"
checkup_hospital = "示例市第一人民医院体检中心"
nursing_allowance = "按示例市标准，生活不能完全自理的每人每月 500 元"
funeral_grant = "按示例市标准 5000 元"
survivor_allowance = "按示例市标准，每人每月 800 元"
petition_day = "每周三上午"
university = "示例市老年大学（人民路 90 号）"
university_fee = "每门课每学期 200 元"
activity_center = "人民路 88 号 2 楼"
activity_center_hours = "每天 8:00—17:30，周一上午闭馆"

[study]
day = 5

[staff]
openids = ["{staff}"]

[delivery.templates]
# 工作人员提醒走模板消息：工作人员很少给公众号发消息，客服消息的 48 小时窗口常常是关着的。
staff = "SANDBOX_STAFF_ALERT"
"""


def write_sandbox_config(path: Path = SANDBOX_CONFIG) -> Path:
    """Create the sandbox's config (fresh secrets, SQLite under var/) unless it exists; it and
    the sandbox's database are readable by their owner only (those made by older versions too)."""
    for made in path.parent.glob("sandbox*"):
        made.chmod(0o600)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        aes_key = base64.b64encode(secrets.token_bytes(32)).decode()[:43]
        path.write_text(CONFIG_TEMPLATE.format(db=VAR / "sandbox.db", token=secrets.token_hex(16),
                                               aes_key=aes_key, staff=SANDBOX_STAFF), encoding="utf-8")
    return path


def point_config_at(standin_port: int, bot_port: int, path: Path = SANDBOX_CONFIG) -> None:
    """Write the ports this run really uses into the sandbox's config, so that it tells the
    truth to whoever reads it or starts a command with it (comments and all else kept)."""
    document = tomlkit.parse(path.read_text(encoding="utf-8"))
    document["public_url"] = f"http://127.0.0.1:{bot_port}"
    document["wechat"]["api_base_url"] = f"http://127.0.0.1:{standin_port}/"  # type: ignore[index]
    path.write_text(tomlkit.dumps(document), encoding="utf-8")


def running_sandbox() -> dict[str, int] | None:
    """The ports of the sandbox running now on this machine (its bot and stand-in), or None."""
    try:
        running = json.loads(RUNNING.read_text(encoding="utf-8"))
        os.kill(int(running["pid"]), 0)  # still alive (signal 0 only asks)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return {"bot": int(running["bot"]), "standin": int(running["standin"])}


# The web server's first start on a machine reads every asked question's features into the user's
# cache (bot.policies.similar) and builds the second stage's models of them (bot.policies.likeness):
# about 20 s for 20,000 on 2026-12-05's slower machine, where 20 s was not enough for the sandbox's
# first start; later starts read both back, in about 1.2 s there.
SERVER_START = 180.0
SLOW_AFTER = 4.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, what: str, proc: subprocess.Popen, seconds: float = 20,
                   slow_note: str = "") -> None:
    """Return once url answers; stop with a sentence if proc exits or seconds pass (slow_note
    printed once if it takes more than a few seconds)."""
    start = time.monotonic()
    deadline = start + seconds
    while time.monotonic() < deadline:
        if slow_note and time.monotonic() - start > SLOW_AFTER:
            print(slow_note, flush=True)
            slow_note = ""
        if proc.poll() is not None:
            raise SystemExit(f"{what} 没能启动（退出码 {proc.returncode}），请看上面的提示。")
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise SystemExit(f"{what} 在 {seconds:.0f} 秒内没有启动。")


def run_sandbox(chat: bool = True) -> int:
    """Start everything for a local trial and open the chat; stop it all on exit."""
    os.environ["BOT_CONFIG"] = str(write_sandbox_config())
    standin_port, bot_port = _free_port(), _free_port()
    point_config_at(standin_port, bot_port)
    os.environ["BOT_WECHAT_API_BASE_URL"] = f"http://127.0.0.1:{standin_port}/"
    os.environ["BOT_PUBLIC_URL"] = f"http://127.0.0.1:{bot_port}"  # the study pages
    settings = load_settings()
    logging.getLogger("alembic").setLevel(logging.WARNING)  # its INFO lines would bury the greeting
    upgrade(settings.database_url)
    services = build_services(settings)
    plan = seed(services)
    password = ensure_console_admin(services, VAR / "console-admin.txt")
    services.close()
    logs = (VAR / "sandbox.log").open("a", encoding="utf-8")
    py = sys.executable
    procs: list[subprocess.Popen] = []
    _stop_as_on_ctrl_c()
    try:
        standin = _start(procs, [py, "-m", "bot.standin", "--port", str(standin_port),
                                 "--appid", settings.wechat.appid,
                                 "--secret", settings.wechat.secret,
                                 "--mini-appid", settings.miniprogram.appid,
                                 "--mini-secret", settings.miniprogram.secret,
                                 *_reports_to(settings, bot_port)],
                         logs)
        _wait_until_up(f"http://127.0.0.1:{standin_port}/_standin/calls", "微信模拟服务", standin)
        server = _start(procs, [py, "-m", "bot", "serve", "--port", str(bot_port)], logs)
        _wait_until_up(f"http://127.0.0.1:{bot_port}/healthz", "银龄助手服务", server, SERVER_START,
                       "（第一次启动或问答库改过以后，要先把问答库读一遍，约半分钟，请稍候……）")
        _start(procs, [py, str(PROJECT_ROOT / "scheduler.py")], logs)  # it drains the outbox too
        print(f"示例数据：{plan.rows} 位虚构的离退休干部（{SANDBOX_ROSTER_HINT}）。")
        print(f"试试身份绑定：回复「绑定」，姓名 {TRY_NAME}，电话后四位 {TRY_DIGITS}。")
        print("试试政策问答：「离休费几号发」「看病的钱怎么报」「老伴走了抚恤金怎么算」；留言：「留言」。")
        print("试试学习（绑定以后）：「学习」「往期」「答题」「学完了」；阅读页面在浏览器里也能打开。")
        print("试试活动（绑定以后）：「报名」「我的报名」「取消报名」。")
        print(f"试试工作人员（先绑定成{TRY_NAME}）：输入 /staff 换成工作人员的微信，"
              f"发「通知 {TRY_AREA} 明天九点开会」，回复 1 确认；/me 换回，就收到这条通知。")
        print(f"工作台：浏览器打开 http://127.0.0.1:{bot_port}/console/ ，登录名 {SANDBOX_ADMIN}，"
              + (f"密码 {password}" if password else "密码是您改过的那个") + "。")
        api = f"http://127.0.0.1:{bot_port}/api/v1"
        print(f"小程序接口（接口说明 {api}/openapi.json ）：\n"
              f"  政策问答：curl -s {api}/policy/ask -H 'Content-Type: application/json'"
              """ -d '{"question": "离休费几号发"}'\n"""
              f"  登录：先取一个 wx.login 登录码 curl -s 'http://127.0.0.1:{standin_port}/_standin/wxa-code"
              f"?openid={SANDBOX_MINI_USER}'，\n"
              f"        再换登录凭证 curl -s -X POST {api}/session -H 'Content-Type: application/json'"
              """ -d '{"code": "上一步的 code"}'\n"""
              f"  绑定（家属代办）：curl -s -X POST {api}/me/binding"
              f" -H 'Authorization: Bearer 上一步的 token' -H 'Content-Type: application/json'"
              f""" -d '{{"name": "{TRY_NAME}", "digits": "{TRY_DIGITS}", "relation": "子女"}}'\n"""
              f"  之后：{api}/me/notices 我的通知，{api}/activities 活动，{api}/study/months 学习")
        RUNNING.write_text(json.dumps({"pid": os.getpid(), "bot": bot_port, "standin": standin_port}),
                           encoding="utf-8")
        print(f"沙盒已启动：服务 http://127.0.0.1:{bot_port}/wechat ，"
              f"微信模拟服务 http://127.0.0.1:{standin_port}/ ，日志 {logs.name}")
        print("再开一个终端试家属（另一个微信，沙盒开着就能用）："
              ".venv/bin/python -m bot chat --openid o_family_0001")
        if not chat:
            procs[0].wait()
            return 0
        return run_chat(settings.wechat, f"http://127.0.0.1:{bot_port}/wechat",
                        f"http://127.0.0.1:{standin_port}", SANDBOX_USER,
                        staff_openids=settings.staff.openids)
    finally:
        for sig in (*STOPPING, signal.SIGINT):  # a second signal must not cut the clean-up short
            signal.signal(sig, signal.SIG_IGN)
        RUNNING.unlink(missing_ok=True)
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=10)
        logs.close()


STOPPING = (signal.SIGTERM, signal.SIGHUP)


def _stop_as_on_ctrl_c() -> None:
    """`kill` (SIGTERM) and a closed terminal (SIGHUP) end the sandbox as Ctrl-C does, through its
    clean-up: by default they ended this process alone, leaving the stand-in, the server and the
    scheduler running and holding their ports."""
    def stop(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)
    for sig in STOPPING:
        signal.signal(sig, stop)


def _reports_to(settings: Settings, bot_port: int) -> list[str]:
    """The stand-in's options to report template messages to the bot, as WeChat does."""
    wechat = settings.wechat
    encrypted = ["--report-aes-key", wechat.encoding_aes_key] if wechat.mode != "plain" else []
    return ["--report-to", f"http://127.0.0.1:{bot_port}/wechat", "--report-token", wechat.token,
            *encrypted]


def _start(procs: list[subprocess.Popen], cmd: list[str], logs) -> subprocess.Popen:
    proc = subprocess.Popen(cmd, stdout=logs, stderr=subprocess.STDOUT, cwd=PROJECT_ROOT)
    procs.append(proc)
    return proc
