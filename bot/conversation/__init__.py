"""The conversation: one WeChat message, from the delivery the gateway hands over to the
reply, in one transaction (dispatch: claim → handle → record). The message's own shape
(inbound), its record (record), the router that picks a handler and keeps the retiree's place
(router, steps), the context a handler works through (context), and the replies (replies).

Imports accounts, delivery (a late reply, the mailbox), services, language, logs, models, db,
config, clock; the features' handlers and the gateway use it. It knows no feature: handlers
register on its router from outside (handlers/), and the policy engine is handed in.
"""
