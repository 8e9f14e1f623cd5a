"""The retiree roster (名册): its fields and how each is read (fields, rows), spreadsheets in
and out with every problem reported by row (sheets, importer, export), groups and WeChat tags
(groups, tags), forgetting a person (privacy), finding who is binding (identify); with the
staff commands for them.

A feature: imports wechat_api (tags, through services), accounts, delivery (staff alerts),
language, audit, command_support, services, models, db, logs, config, clock; activities and study
write their sheets with it, faces use the rest.
"""
