"""Greetings: birthdays (solar or lunar), milestone birthdays with their 上门祝寿 visits, and
festivals, each sent once on its morning.

A feature: imports delivery, language, services, models, db, config; faces use it.
"""
