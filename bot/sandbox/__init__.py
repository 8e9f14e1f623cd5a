"""The sandbox: the bot on one machine with no WeChat account (a local stand-in plays WeChat)."""
