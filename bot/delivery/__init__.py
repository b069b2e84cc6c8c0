"""The one pipe out: the outbox sender, Telegram's rate limits, and what became of a share."""
