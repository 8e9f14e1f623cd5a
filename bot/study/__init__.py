"""The monthly study day (集中学习日): material, pushes, reading records, the quiz and reports."""
