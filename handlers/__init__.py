"""The chat's handlers: one module per capability, each turning a message into a call of its
feature's functions and a reply, registered explicitly on one router (build_router).

A face: imports the features (activities, care, notices, policies, questions, roster, staff,
study, tickets), the conversation (router, context, replies), delivery, accounts, language, logs,
models, clock; nothing in bot/ imports it but the web app's build.
"""

from __future__ import annotations

from bot.conversation.router import Router


def build_router() -> Router:
    """A router with every capability's handlers, in the order DESIGN.md gives."""
    from handlers import (
        activities,
        binding,
        care,
        fallback,
        intents,
        menu,
        policy,
        staff_link,
        staff_notice,
        study,
        tickets,
        welcome,
    )

    router = Router()
    # care reports before policy answers: 「老伴走了」 is news first, a question second; a command
    # inside a sentence after them: 「老年大学怎么报名」 is a question.
    for module in (welcome, menu, binding, tickets, staff_link, staff_notice, study, activities, care):
        module.register(router)
    intents.register_feelings(router)  # 「心里空落落的」 before policy: no funeral money for a feeling
    care.register_past(router)  # 「我老伴前年就走了」: a loss to acknowledge, not a funeral question
    for module in (policy, intents):
        module.register(router)
    # 「我爸那个茶话会可以带人吗」: an open activity named, before a guess by similarity (which took
    # it for the activity centre); read only for what no command, keyword or intent understood.
    activities.register_by_name(router)
    policy.register_second_stage(router)  # a guess by similarity only when nothing else fits
    care.register_last(router)  # 「在人民医院心内科12床」 just after a report: more about it
    fallback.register(router)
    return router
