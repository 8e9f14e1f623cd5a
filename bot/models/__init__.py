"""All tables, split by domain; importing this package registers them on Base.metadata.

Imports only db (its Base and column types): everything above it may use it.
"""

from bot.models.activity import EDITABLE, SIGNUP_NAMES, Activity, ActivityStatus, Signup, SignupStatus
from bot.models.audit import AuditEntry
from bot.models.binding import Binding
from bot.models.care import CareReport
from bot.models.care_tasks import CareTask, CareVisit
from bot.models.conversation import ConversationState
from bot.models.follower import Follower
from bot.models.grants import SubscribeGrant
from bot.models.inbound import InboundMessage
from bot.models.miniprogram import MiniRead, MiniSession, MiniUser
from bot.models.notice import Notice
from bot.models.outbox import (
    CHANNEL_NAMES,
    KIND_NAMES,
    STATUS_NAMES,
    Channel,
    DeliveryReport,
    OutboxMessage,
    OutboxStatus,
)
from bot.models.questions import OUTCOME_NAMES, STATE_NAMES, PolicyOverride, PolicyQuestion
from bot.models.roster import GROUP_KINDS, EmergencyContact, Group, GroupMember, Retiree
from bot.models.scheduler import scheduler_jobs
from bot.models.shared import KvEntry
from bot.models.staff import ROLE_NAMES, Role, StaffAccount
from bot.models.study import StudyReading, StudyVisit
from bot.models.ticket import Ticket

__all__ = [
    "CHANNEL_NAMES",
    "EDITABLE",
    "GROUP_KINDS",
    "KIND_NAMES",
    "OUTCOME_NAMES",
    "ROLE_NAMES",
    "SIGNUP_NAMES",
    "STATE_NAMES",
    "STATUS_NAMES",
    "Activity",
    "ActivityStatus",
    "AuditEntry",
    "Binding",
    "CareReport",
    "CareTask",
    "CareVisit",
    "Channel",
    "ConversationState",
    "DeliveryReport",
    "EmergencyContact",
    "Follower",
    "Group",
    "GroupMember",
    "InboundMessage",
    "KvEntry",
    "MiniRead",
    "MiniSession",
    "MiniUser",
    "Notice",
    "OutboxMessage",
    "OutboxStatus",
    "PolicyOverride",
    "PolicyQuestion",
    "Retiree",
    "Role",
    "Signup",
    "SignupStatus",
    "StaffAccount",
    "StudyReading",
    "StudyVisit",
    "SubscribeGrant",
    "Ticket",
    "scheduler_jobs",
]
