"""The sandbox: the whole product on one machine with no WeChat account (`python3 dev.py
sandbox`). The stand-in plays WeChat's servers, wechat_side plays WeChat's client towards the
bot, sample_roster and seed fill a fresh database (and make the console's 管理员), chat is the
terminal chat, run starts it all.

A face: imports the gateway's wire, the conversation, roster, staff, services, models, db,
config, clock.
"""
