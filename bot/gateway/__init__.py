"""WeChat's door: the /wechat endpoint (endpoint), its wire format — signatures, encryption,
XML, refusals — (wire), answering each delivery once within the 5-second budget (answer,
handoff), the plain WSGI it is served with (wsgi), and the mini-program's pushes at
/wxa/events (wxa_events); the subscription events both take, kept as grants (subscriptions).

A face: imports the conversation (which answers), delivery (for WeChat's delivery reports),
accounts (grants), services, models, db, logs, config; nothing imports it but the web app
and the local stand-ins.
"""
