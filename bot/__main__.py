"""`python -m bot …`: the bot's commands."""

import sys

from bot.cli import main

sys.exit(main(sys.argv[1:]))
