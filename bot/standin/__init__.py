"""A local stand-in for WeChat's API servers, for the sandbox, tests and benchmarks: the
endpoints the bot calls (tokens, messages, mass sends, tags, templates, user info, and the
mini-program's login, phone numbers and content checks, with its own app and tokens) with
WeChat's errors and limits, its records of every call, and a control API for tests.

A face (it runs beside the bot, never inside it): imports the gateway's plain WSGI, the
sandbox's client side, wechat_api's numbers, config. The bot imports nothing of it.
"""

from bot.standin.app import create_standin_app
from bot.standin.records import Call
from bot.standin.server import StandinServer
from bot.standin.settings import StandinSettings
from bot.standin.state import StandinState

__all__ = ["Call", "StandinServer", "StandinSettings", "StandinState", "create_standin_app"]
