"""Care: reports of hospital stays, danger and deaths that reach staff at once."""
