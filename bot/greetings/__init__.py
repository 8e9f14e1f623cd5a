"""Greetings: birthdays (solar or lunar), milestone birthdays, and festivals."""
