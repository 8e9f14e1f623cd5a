"""The scheduler process: one leader at a time (leader), APScheduler with its jobs stored in the
database on Beijing time (schedule), the jobs — plain functions of the services that only
enqueue or drain (jobs) — and a daily job run by hand for a chosen day (by_hand).

A face: imports the features whose jobs it runs (activities, greetings, study, tickets),
accounts (lapsed mini-program logins), delivery, wechat_api (the leader's lease, the store's
purge), audit, command_support (its Chinese parser), logs, services, models, db, config, clock.
"""
