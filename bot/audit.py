"""Writing the audit log: who did what to personal data, and when."""

from __future__ import annotations

import os
import pwd
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.clock import SHANGHAI
from bot.models import KIND_NAMES, ROLE_NAMES, STATUS_NAMES, AuditEntry


def cli_actor() -> str:
    """The staff member behind a command: the operating system's account that runs it (its real
    user id, not what the environment claims). Run by root through sudo, the account sudo names
    is added as sudo's own record of it."""
    user = pwd.getpwuid(os.getuid()).pw_name
    via = os.environ.get("SUDO_USER") if os.getuid() == 0 else None
    return f"cli:{user}" + (f"（sudo：{via}）" if via else "")


def record(session: Session, *, actor: str, action: str, at: datetime, target: str | None = None,
           **detail: Any) -> None:
    """Add one entry to the audit log, in the same transaction as the action itself."""
    session.add(AuditEntry(at=at, actor=actor, action=action, target=target, detail=detail))


# What staff read for each action on the 操作记录 page.
ACTION_NAMES = {
    "roster.import": "导入名册", "roster.import_change": "导入名册：改了档案", "roster.export": "导出名册",
    "roster.edit": "修改档案",
    "roster.add": "新增一人",
    "roster.died": "登记去世", "roster.died_undone": "撤销去世登记", "roster.forget": "匿名化",
    "binding.unbind": "解除微信绑定（工作人员）",
    "group.add": "添加分组", "group.sync": "同步微信标签",
    "group.rename": "分组改名", "group.join": "加入分组", "group.leave": "移出分组",
    "staff.add": "新建账号", "staff.disable": "停用账号", "staff.enable": "恢复账号",
    "staff.reset": "重设密码", "staff.link": "关联微信", "staff.link_code": "生成微信关联码",
    "staff.password": "修改密码", "staff.role": "改角色或能看的人",
    "notice.send": "发送通知", "notice.cancel": "取消通知", "ticket.reply": "回复留言",
    "ticket.handled": "处理留言（未回复）",
    "care.close": "处理重要情况", "care.visit": "登记走访", "activity.load": "发布活动",
    "activity.cancel": "取消活动", "activity.roster_export": "导出报名名单",
    "activity.save": "新建或修改活动", "activity.announce": "通知活动", "activity.close": "停止报名",
    "activity.attendance": "登记到场", "activity.signup_add": "电话报名（替人报名）",
    "activity.signup_cancel": "取消报名（工作人员）", "activity.signup_companion": "改带不带家属（工作人员）",
    "study.edit": "修改学习材料", "study.visit_assign": "分派送学上门", "study.visit_done": "登记送学上门",
    "study.visits_export": "导出送学上门名单", "outbox.resend": "重新发送", "jobs.run": "手动运行定时任务",
    "policy.teach": "政策问答：加例句", "policy.out_of_scope": "政策问答：标为不属于",
    "policy.out_of_scope_undone": "政策问答：撤销「不属于」", "policy.teach_undone": "政策问答：撤销归入",
    "policy.answer": "政策问答：改回答", "policy.export": "政策问答：导出到 content/",
}
PAGE = 100  # entries shown at once
# What the details of entries are called, for staff reading the log.
DETAIL_NAMES = {
    "rows": "行数", "created": "新增", "updated": "更新", "unchanged": "未变", "kind": "类型",
    "questions": "问题编号",
    "was": "原状态", "error": "原因", "told": "通知人数", "stopped": "停止份数", "send_at": "发送时间",
    "role": "角色", "group": "分组", "linked": "关联微信", "retiree": "人员编号", "retiree_died": "去世日期",
    "queued": "排队条数", "preview": "仅预览", "people": "人数", "name": "名称", "month": "月份",
    "file": "文件", "day": "日期", "audience": "对象", "accounts": "账号数",
    "announced": "通知微信数", "came": "到场人数", "promoted": "补上的候补", "signup": "报名的人",
    "link": "链接", "retirees": "人员", "to": "分派给", "title": "标题", "uploads": "上传的文件",
    "companion": "带家属", "who": "谁的微信", "tagged": "打上标签人次", "untagged": "取消标签人次",
    "problems": "没同步成的分组", "signups": "取消的报名", "reason": "缘由",
}
# Details holding record ids, and what kind of record: the page names them (a person by name).
NAMED_DETAILS = {"retiree": "retiree", "retirees": "retiree", "signup": "signup", "promoted": "signup",
                 "signups": "signup"}
_ROLE_WORDS = {role.value: name for role, name in ROLE_NAMES.items()}
# Details holding a code, and the words staff read for it (a message's state: 「发送失败」, not dead).
CODED_DETAILS = {"was": {status.value: name for status, name in STATUS_NAMES.items()}}


def detail_text(detail: dict[str, Any], names: dict[str, dict[int, str]] | None = None) -> str:
    """An entry's details in words (「行数 20000；角色 查看；报名的人 张明」), ids of people and
    sign-ups by the names given (names: by kind, then id), times as clerks write them; an edit's
    before and after aside."""
    names = names or {}
    return "；".join(f"{DETAIL_NAMES.get(key, key)} "
                    f"{_word(_decoded(key, value), names.get(NAMED_DETAILS.get(key, ''), {}))}"
                    for key, value in detail.items() if key != "changes" and value is not None)


def change_text(value: Any) -> str:
    """One side of an edit's before and after, as staff read it: 「（空）」, 是/否, a list joined."""
    if value is None or value == "" or value == []:
        return "（空）"
    return _word(value, {})


def _decoded(key: str, value: Any) -> Any:
    return CODED_DETAILS[key].get(value, value) if key in CODED_DETAILS and isinstance(value, str) else value


def _word(value: Any, names: dict[int, str]) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(_word(item, names) for item in value) or "无"
    if isinstance(value, dict):  # a job's messages queued, by kind: 「学习 3 条、通知 1 条」
        return "、".join(f"{KIND_NAMES.get(key, key)} {_word(count, {})} 条"
                        for key, count in value.items()) or "无"
    if isinstance(value, int) and value in names:
        return names[value]
    if isinstance(value, str):
        return _ROLE_WORDS.get(value) or _when(value) or _audience(value) or value
    return str(value)


def _when(text: str) -> str | None:
    """「2026-12-06 19:55」 for a moment the log kept in ISO form; None for other text."""
    if "T" not in text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return f"{moment.astimezone(SHANGHAI) if moment.tzinfo else moment:%Y-%m-%d %H:%M}"


def _audience(text: str) -> str | None:
    """A notice's audience in words: 「全体」, 「分组 第一党支部、选定的 2 人」; None for other text."""
    if text == "all":
        return "全体"
    said = []
    for part in text.split(";"):
        kind, _, value = part.partition(":")
        if kind == "group" and value:
            said.append(f"分组 {value}")
        elif kind == "groupid" and value:
            said.append(f"分组（编号 {value}）")
        elif kind == "retiree" and value:
            said.append(f"选定的 {len(value.split(','))} 人")
        else:
            return None
    return "、".join(said)


def entries(session: Session, *, actor: str = "", action: str = "", target: str = "",
            since: datetime | None = None, until: datetime | None = None,
            page: int = 1) -> tuple[list[AuditEntry], int]:
    """The log, newest first, filtered; one page of it and how many entries match in all."""
    where = [AuditEntry.actor.contains(actor, autoescape=True)] if actor else []
    where += [AuditEntry.action == action] if action else []
    where += [AuditEntry.target == target] if target else []
    where += [AuditEntry.at >= since] if since else []
    where += [AuditEntry.at < until] if until else []
    total = session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(*where)) or 0
    found = session.scalars(sa.select(AuditEntry).where(*where)
                            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                            .offset((max(page, 1) - 1) * PAGE).limit(PAGE)).all()
    return list(found), total
