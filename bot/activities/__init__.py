"""Activities and sign-ups: exact seats, a fair waitlist, and messages that reach everyone once."""
