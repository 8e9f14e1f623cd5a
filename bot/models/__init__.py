"""All tables, split by domain; importing this package registers them on Base.metadata."""

from bot.models.conversation import ConversationState
from bot.models.follower import Follower
from bot.models.inbound import InboundMessage
from bot.models.outbox import OutboxMessage, OutboxStatus
from bot.models.shared import KvEntry

__all__ = [
    "ConversationState",
    "Follower",
    "InboundMessage",
    "KvEntry",
    "OutboxMessage",
    "OutboxStatus",
]
