"""The delivery engine: who a message is for, how WeChat lets us reach them, and the mailbox."""
