"""The runtime: Telegram in, flow steps, one transaction, the one pipe out."""

import os

# Opt in to PTB's coming API now: retry_after as a timedelta, no deprecation noise.
os.environ.setdefault("PTB_TIMEDELTA", "1")
