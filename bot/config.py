"""Settings from config.toml, with secrets overridable by environment variables."""

from __future__ import annotations

import base64
import binascii
import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MODES = ("plain", "compat", "safe")


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the message is one sentence for the person starting the bot."""


@dataclass(frozen=True)
class WeChatSettings:
    """The official account's credentials and how the server talks to WeChat."""

    appid: str = ""
    secret: str = ""
    token: str = ""
    encoding_aes_key: str = ""
    mode: str = "safe"
    api_base_url: str = "https://api.weixin.qq.com/"
    timeout: float = 5.0
    reply_budget: float = 4.0
    max_clock_skew: int = 300


@dataclass(frozen=True)
class OfficeSettings:
    """What each office fills in once: its name, window address, phone and hours."""

    name: str = "离退休干部管理中心"
    address: str = ""
    phone: str = ""
    hours: str = ""
    # Local values the policy answers quote; one left empty reads "please call us" instead.
    pension_pay_day: str = ""
    medical_window: str = ""
    medical_deadline: str = ""
    checkup_time: str = ""
    checkup_hospital: str = ""
    nursing_allowance: str = ""
    funeral_grant: str = ""
    survivor_allowance: str = ""
    petition_day: str = ""
    university: str = ""
    university_fee: str = ""
    activity_center: str = ""
    activity_center_hours: str = ""


@dataclass(frozen=True)
class StaffSettings:
    """Who looks after the retirees: their openids get alerts (lock-outs, reports, previews)."""

    openids: tuple[str, ...] = ()
    ticket_overdue_hours: int = 24  # a 留言 unanswered this long is listed as overdue


@dataclass(frozen=True)
class DeliverySettings:
    """How the outbox sender reaches people within WeChat's rules."""

    custom_per_window: int = 5      # customer-service messages allowed per 48-hour window
    mass_per_month: int = 4         # mass messages one follower of a service account receives a month
    sends_per_minute: int = 1200    # calls to WeChat's send APIs, across this sender
    parallel: int = 8               # sends one sender has in flight at once
    claim_lease: float = 15         # seconds a sender's claimed batch is hidden from other senders
    send_lease: float = 30          # seconds one send may take before, unfinished, it is uncertain
    report_wait: float = 600        # seconds to wait for WeChat's report on an uncertain template send
    # kind of message → its template: {id, fields} (bot.delivery.templates), or an id alone
    templates: dict[str, Any] = field(default_factory=dict)
    # kind of message → the official account's 订阅通知 template: {id, fields, page, long_term}
    subscribe_templates: dict[str, Any] = field(default_factory=dict)
    # kind of message → the mini-program's subscribe-message template: {id, fields, page}
    mini_templates: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StudySettings:
    """The monthly study day (集中学习日): when its messages go, and how reading links are signed."""

    day: int = 5
    eve_time: str = "18:00"         # the day before: 「明天是集中学习日」
    push_time: str = "09:00"        # on the day: the summary and the reading link
    reminder_after_days: int = 3    # one reminder this many days later, to those who have not read it
    reminder_time: str = "09:30"
    alert_days_before: int = 2      # staff are told this many days ahead if the material is missing
    link_secret: str = ""           # signs reading links; empty: derived from the AppSecret


@dataclass(frozen=True)
class GreetingSettings:
    """Birthday and festival greetings, and birthday visits."""

    time: str = "08:00"                     # greetings go out at this time
    milestones: tuple[int, ...] = (80, 90, 100)  # ages that get a 大寿 greeting and a staff visit
    every_year_from: int = 90               # and every birthday from this age on
    visit_lead_days: int = 14               # the 上门祝寿 task is created this many days ahead
    bereavement_days: int = 100             # no festival greetings this long after a death in the family
    qingming_note: bool = False             # a gentle word at 清明 (never a greeting)


@dataclass(frozen=True)
class ActivitySettings:
    """Activities and sign-ups."""

    reminder_time: str = "16:00"  # the day before an activity, everyone with a place is reminded


@dataclass(frozen=True)
class ConsoleSettings:
    """The staff console: how sign-ins are kept and guarded."""

    secret_key: str = ""        # signs session cookies; empty: derived from the AppSecret
    idle_minutes: int = 120     # a session unused this long must sign in again
    lockout_after: int = 5      # wrong passwords in a row that lock an account …
    lockout_minutes: int = 15   # … for this long (or until an administrator resets it)
    upload_dir: str = "var/uploads"  # roster files wait here between upload and import (owner only)


@dataclass(frozen=True)
class MiniProgramSettings:
    """The mini-program (its own app at WeChat) whose JSON API is /api/v1."""

    appid: str = ""
    secret: str = ""
    session_days: int = 30  # a login stays good this long after its last use
    # Pass free text (留言) through WeChat's content check (msg_sec_check) before keeping it.
    content_check: bool = True
    # 消息推送 (the mini-program's server URL, /wxa/events, XML): its Token and, for 安全模式,
    # its EncodingAESKey. Empty token: no push is taken (subscribe grants come from the client).
    token: str = ""
    encoding_aes_key: str = ""


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from config.toml."""

    wechat: WeChatSettings = field(default_factory=WeChatSettings)
    office: OfficeSettings = field(default_factory=OfficeSettings)
    staff: StaffSettings = field(default_factory=StaffSettings)
    study: StudySettings = field(default_factory=StudySettings)
    delivery: DeliverySettings = field(default_factory=DeliverySettings)
    activities: ActivitySettings = field(default_factory=ActivitySettings)
    greetings: GreetingSettings = field(default_factory=GreetingSettings)
    console: ConsoleSettings = field(default_factory=ConsoleSettings)
    miniprogram: MiniProgramSettings = field(default_factory=MiniProgramSettings)
    database_url: str = "sqlite:///var/yinling.db"
    redis_url: str = ""
    content_dir: Path = PROJECT_ROOT / "content"
    conversation_ttl: int = 1800
    public_url: str = ""  # where retirees' phones reach this server, e.g. https://yinling.example.cn

    def validate(self, *, wechat: bool = True) -> Settings:
        """Raise ConfigError naming the first problem that would stop the bot from working.

        wechat=False: for commands that never talk to WeChat (content check, ask).
        """
        if not 1 <= self.study.day <= 28:
            raise ConfigError(f"[study] day 应为 1 到 28 之间的日子，现在是 {self.study.day}。")
        for name in ("eve_time", "push_time", "reminder_time"):
            clock_time(getattr(self.study, name), f"[study] {name}")
        clock_time(self.activities.reminder_time, "[activities] reminder_time")
        clock_time(self.greetings.time, "[greetings] time")
        if not 1 <= self.study.reminder_after_days <= 20:
            raise ConfigError("[study] reminder_after_days 应为 1 到 20 天。")
        if wechat:
            self._validate_wechat()
        return self

    def require_public_url(self) -> Settings:
        """For the processes that send reading links (the web app, the scheduler): an address
        retirees' phones can open, or start-up stops here rather than links go out broken."""
        if not self.public_url.startswith(("https://", "http://")):
            raise ConfigError("缺少 public_url：学习材料的阅读链接要用它（手机能打开的本服务网址，"
                              "例如 https://yinling.example.cn）。请在 config.toml 中填写，"
                              "或设置环境变量 BOT_PUBLIC_URL。")
        return self

    def _validate_wechat(self) -> None:
        w = self.wechat
        if w.mode not in MODES:
            raise ConfigError(f"[wechat] mode 应为 plain、compat 或 safe 之一，现在是 {w.mode!r}。")
        for name, env in (("appid", "BOT_WECHAT_APPID"), ("secret", "BOT_WECHAT_SECRET"),
                          ("token", "BOT_WECHAT_TOKEN")):
            if not getattr(w, name):
                raise ConfigError(f"缺少 [wechat] {name}：请在 config.toml 中填写，或设置环境变量 {env}。")
        if w.mode != "plain":
            check_aes_key(w.encoding_aes_key)


ENV_OVERRIDES = {
    "BOT_WECHAT_APPID": ("wechat", "appid"),
    "BOT_WECHAT_SECRET": ("wechat", "secret"),
    "BOT_WECHAT_TOKEN": ("wechat", "token"),
    "BOT_WECHAT_ENCODING_AES_KEY": ("wechat", "encoding_aes_key"),
    "BOT_WECHAT_MODE": ("wechat", "mode"),
    "BOT_WECHAT_API_BASE_URL": ("wechat", "api_base_url"),
    "BOT_DATABASE_URL": ("", "database_url"),
    "BOT_REDIS_URL": ("", "redis_url"),
    "BOT_PUBLIC_URL": ("", "public_url"),
    "BOT_CONSOLE_SECRET_KEY": ("console", "secret_key"),
    "BOT_MINIPROGRAM_APPID": ("miniprogram", "appid"),
    "BOT_MINIPROGRAM_SECRET": ("miniprogram", "secret"),
    "BOT_MINIPROGRAM_TOKEN": ("miniprogram", "token"),
    "BOT_MINIPROGRAM_ENCODING_AES_KEY": ("miniprogram", "encoding_aes_key"),
}


def clock_time(value: str, name: str) -> tuple[int, int]:
    """(hour, minute) of a "HH:MM" setting; ConfigError naming the setting otherwise."""
    hour, _, minute = value.partition(":")
    if not (hour.isdigit() and minute.isdigit() and int(hour) < 24 and int(minute) < 60):
        raise ConfigError(f"{name} 应写成 \"09:00\" 这样的时间，现在是 {value!r}。")
    return int(hour), int(minute)


def check_aes_key(key: str) -> None:
    """Raise ConfigError unless key is a 43-character EncodingAESKey that decodes to 32 bytes."""
    hint = "EncodingAESKey 不正确：应为公众平台「服务器配置」里显示的 43 位字符。"
    if len(key) != 43:
        raise ConfigError(hint)
    try:
        raw = base64.b64decode(key + "=", validate=True)
    except binascii.Error as exc:
        raise ConfigError(hint) from exc
    if len(raw) != 32:
        raise ConfigError(hint)


def config_path() -> Path:
    """The config file named by BOT_CONFIG, or ./config.toml."""
    return Path(os.environ.get("BOT_CONFIG", "config.toml"))


def load_settings(path: Path | None = None, overrides: dict[str, Any] | None = None, *,
                  wechat: bool = True) -> Settings:
    """Read the TOML file (if present), apply environment variables and overrides, validate.

    wechat=False skips the WeChat credentials, for commands that never talk to WeChat.
    """
    raw = _read_toml(path or config_path())
    for env, (section, key) in ENV_OVERRIDES.items():
        if os.environ.get(env):
            (raw.setdefault(section, {}) if section else raw)[key] = os.environ[env]
    for dotted, value in (overrides or {}).items():
        section, _, key = dotted.rpartition(".")
        (raw.setdefault(section, {}) if section else raw)[key] = value
    return _build(raw).validate(wechat=wechat)


def _read_toml(path: Path) -> dict[str, Any]:
    if not path.exists():
        if "BOT_CONFIG" in os.environ:
            raise ConfigError(f"找不到配置文件 {path}（由环境变量 BOT_CONFIG 指定）。")
        return {}
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"配置文件 {path} 格式有误：{exc}。") from exc


def _build(raw: dict[str, Any]) -> Settings:
    wechat = _section(WeChatSettings, raw.pop("wechat", {}), "wechat")
    office = _section(OfficeSettings, raw.pop("office", {}), "office")
    staff = _section(StaffSettings, raw.pop("staff", {}), "staff")
    study = _section(StudySettings, raw.pop("study", {}), "study")
    delivery = _section(DeliverySettings, raw.pop("delivery", {}), "delivery")
    activities = _section(ActivitySettings, raw.pop("activities", {}), "activities")
    greetings = _section(GreetingSettings, raw.pop("greetings", {}), "greetings")
    console = _section(ConsoleSettings, raw.pop("console", {}), "console")
    miniprogram = _section(MiniProgramSettings, raw.pop("miniprogram", {}), "miniprogram")
    top = _section(Settings, _flatten_top(raw), "")
    return Settings(**{**top.__dict__, "wechat": wechat, "office": office, "staff": staff,
                       "study": study, "delivery": delivery, "activities": activities,
                       "greetings": greetings, "console": console, "miniprogram": miniprogram})


def _flatten_top(raw: dict[str, Any]) -> dict[str, Any]:
    """Accept [database] url / [redis] url sections as well as top-level keys."""
    flat = {k: v for k, v in raw.items() if not isinstance(v, dict)}
    if "url" in raw.get("database", {}):
        flat["database_url"] = raw["database"]["url"]
    if "url" in raw.get("redis", {}):
        flat["redis_url"] = raw["redis"]["url"]
    if "content_dir" in flat:
        flat["content_dir"] = Path(flat["content_dir"])
    return flat


def _section(cls: type, values: dict[str, Any], name: str) -> Any:
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(values) - set(known))
    if unknown:
        where = f"[{name}] " if name else ""
        raise ConfigError(
            f"配置文件里有不认识的设置 {where}{unknown[0]}，请对照 config.example.toml 检查拼写。")
    try:
        return cls(**{k: _coerce(known[k].type, v) for k, v in values.items()})
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"配置 {name or '顶层'} 中有一项的值类型不对：{exc}。") from exc


def _coerce(type_name: Any, value: Any) -> Any:
    kinds = {"float": float, "int": int, "bool": _as_bool, "str": str,
             "tuple[str, ...]": lambda v: tuple(str(x) for x in v),
             "tuple[int, ...]": lambda v: tuple(int(x) for x in v)}
    return kinds.get(str(type_name), lambda v: v)(value)


def _as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)
