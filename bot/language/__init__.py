"""The bot's language: what it says (content/chat.toml's texts, with the office's details) and
how it reads what people type or say (normalising, numbers, yes and no, digits, sounds).

Imports only config: everything above it may use it.
"""
