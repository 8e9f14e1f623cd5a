"""WeChat's servers as the bot calls them: the client (wechatpy over a pooled HTTP session, one
shared access_token) and the pace of its send calls.

Imports db (the shared store for the token), config and clock; delivery and commands use it.
"""
