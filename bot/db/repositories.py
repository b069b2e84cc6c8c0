"""The aggregate: every repository over one open transaction (users, inbox, outbox and the rest).

Each method runs inside the caller's transaction (one per update), so a
step's state change, its outgoing messages and the "handled" mark commit or
roll back together. Sealing and unsealing of user words happens in these
repositories and nowhere else.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.crypto import Vault
from bot.db.commitments import Commitments
from bot.db.couples import Couples
from bot.db.inbox import Inbox
from bot.db.ledger import Ledger
from bot.db.listening import Listening
from bot.db.nudges import Nudges
from bot.db.outbox import Outbox
from bot.db.pace import Pace
from bot.db.privacy import Privacy
from bot.db.reflections import Reflections
from bot.db.users import Users


class Repositories:
    """All repositories over one transaction, handed to the code of one update."""

    def __init__(self, connection: AsyncConnection, vault: Vault) -> None:
        self.users = Users(connection, vault)
        self.inbox = Inbox(connection, vault)
        self.outbox = Outbox(connection, vault)
        self.couples = Couples(connection)
        self.ledger = Ledger(connection, vault)
        self.nudges = Nudges(connection)
        self.commitments = Commitments(connection, vault)
        self.reflections = Reflections(connection, vault)
        self.listening = Listening(connection, vault)
        self.privacy = Privacy(connection, vault)
        self.pace = Pace(connection)
