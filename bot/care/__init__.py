"""Care (关怀): reports of hospital stays, danger and deaths that reach staff at once (intake,
detect), the reports staff work through, and the visits planned from them; with the staff
commands for them.

A feature: imports delivery, roster (recording a death), activities (a death cancels the sign-ups
to come: deaths), greetings (its commands list the 上门祝寿 tasks too), language, audit,
command_support, services, models, config, clock; faces use it.
"""

# The routes a care report's messages are recorded under (handlers/care.py registers the matcher
# 「care」 and the steps 「care.*」): their words are health, shown only to roles that see it.
HEALTH_ROUTES = ("urgent:care", "match:care", "step:care.")
