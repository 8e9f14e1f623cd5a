"""The learning loop of 政策问答 (没答上的问题): the questions the bot could not answer, asked
「您是想问」 about, or was told were answered wrong, kept masked (keeping); grouped for staff
(grouping); taught to a topic as examples, marked out of scope, or answered anew (teaching);
the knowledge base every worker answers from, content/ with those changes on top, reloaded
without a restart (knowledge), which also reads a message's words ahead of its transaction, with
the care words; and the changes written back into content/ (export).

A feature: imports policies, care (its words), models, services, audit, language (the office's
placeholders), logs (masking), wechat_api (its text limit), config; faces use it.
"""
