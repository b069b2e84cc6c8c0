"""Telegram at the edges: updates in (adapter, intake, polling, webhook, ordering), calls
out (render), and the HTTP client PTB talks through."""
