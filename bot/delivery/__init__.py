"""Delivery: everything the bot sends outside a reply. Whom a message is for (audience), the
outbox it waits in and the sender that drains it (outbox, queue, attempt), which of WeChat's
channels can reach them now (channels, window, book) and what each carries (templates: typed
fields and their limits), mass sends and their reports (mass, reports), the mailbox for who
could not be reached, what a person has had (inbox), what did not get through (problems), and
alerts to staff (staff_alerts).

Imports services, wechat_api (the mini-program's client; the account's through services),
accounts (subscribe grants, mini-program users), language, audit, logs, models, db, config,
clock; the conversation, the features and the faces use it. It knows no feature.
"""
