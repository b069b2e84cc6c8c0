"""One module per feature, named as people know it: the effects each feature's flows ask
for. Importing this package registers them all (bot/turn/effects.py holds the registry)."""

from bot.features import (  # noqa: F401  (importing registers each module's effects)
    agreements,
    commitments,
    data_rights,
    linking,
    listening,
    practices,
    progress,
    reminders,
    responsibility,
    safety_plan,
    shares,
    steps,
    vision,
)
