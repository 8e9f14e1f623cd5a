"""WeChat's door: the /wechat endpoint (endpoint), its wire format — signatures, encryption,
XML, refusals — (wire), answering each delivery once within the 5-second budget (answer,
handoff), and the plain WSGI it is served with (wsgi).

A face: imports the conversation (which answers), delivery (for WeChat's delivery reports),
config; nothing imports it but the web app and the local stand-ins.
"""
