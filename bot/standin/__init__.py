"""A local stand-in for the WeChat API servers, for the sandbox, tests and benchmarks."""

from bot.standin.app import create_standin_app
from bot.standin.records import Call
from bot.standin.server import StandinServer
from bot.standin.settings import StandinSettings
from bot.standin.state import StandinState

__all__ = ["Call", "StandinServer", "StandinSettings", "StandinState", "create_standin_app"]
