"""The runtime: Telegram in, flow steps, one transaction, the one pipe out."""
