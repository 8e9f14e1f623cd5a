"""The monthly study day (集中学习日): its material (material), the pushes before, on and after
the day (pushes), the reading page and its signed links (page, links), reading records and
the quiz (readings), reports and 送学上门 visits (report); with the staff commands for them.

A feature: imports delivery, roster (spreadsheets), audit, command_support, services, models, db,
config, clock; faces use it (handlers, the web app's reading page, the scheduler, commands).
"""
