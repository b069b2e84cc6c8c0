"""The pending-update queue shared by getUpdates and webhook delivery.

Semantics follow Telegram: an update stays pending until confirmed (a
getUpdates offset above its id, or a 2xx webhook answer) and is then gone
for good; a second concurrent getUpdates terminates the first with 409.
Waiters sleep on an asyncio.Event that is replaced on every change.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass
from typing import Any

from playground.emulator.errors import ApiError

# Telegram leaves these out unless asked for explicitly.
NOT_DEFAULT_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)


@dataclass(eq=False)  # identity matters: duplicates may be equal
class Pending:
    update: dict[str, Any]
    forced: bool = False  # injected with an explicit (maybe old) id: deliver at least once
    delivered: bool = False

    @property
    def update_id(self) -> int:
        return int(self.update["update_id"])

    @property
    def kind(self) -> str:
        return next((key for key in self.update if key != "update_id"), "")


class UpdateQueue:
    def __init__(self) -> None:
        self._pending: list[Pending] = []
        self._next_id = 1
        self._changed = asyncio.Event()
        self._poll_generation = 0
        self.allowed: frozenset[str] | None = None
        self.webhook_active = False
        self.closing = False

    # -- producing -----------------------------------------------------------

    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update (without update_id); returns it with its id."""
        full = {"update_id": self._next_id, **update}
        self._next_id += 1
        self._pending.append(Pending(full))
        self.wake()
        return full

    def inject(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update, keeping an explicit update_id (duplicates allowed)."""
        if not isinstance(update.get("update_id"), int):
            return self.push({k: v for k, v in update.items() if k != "update_id"})
        self._next_id = max(self._next_id, update["update_id"] + 1)
        self._pending.append(Pending(dict(update), forced=True))
        self.wake()
        return update

    def wake(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    def clear(self) -> None:
        self._pending.clear()
        self.wake()

    @property
    def pending_count(self) -> int:
        return len(self._pending)

    # -- consuming: getUpdates ------------------------------------------------

    async def get_updates(
        self, offset: int | None, limit: int, timeout: float, allowed: list[str] | None
    ) -> list[dict[str, Any]]:
        if self.webhook_active:
            raise ApiError(409, WEBHOOK_CONFLICT)
        if allowed is not None:
            self.allowed = frozenset(allowed) if allowed else None
        self._poll_generation += 1
        generation = self._poll_generation
        self.wake()  # an older long-poll must notice it was superseded
        self._confirm(offset)
        deadline = time.monotonic() + timeout
        while True:
            if generation != self._poll_generation:
                raise ApiError(409, POLL_CONFLICT)
            batch = self._take(limit)
            if batch or self.closing:
                return batch
            if self.webhook_active:
                raise ApiError(409, WEBHOOK_CONFLICT)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            await self._wait(remaining)

    async def _wait(self, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), timeout)

    def _confirm(self, offset: int | None) -> None:
        if offset is None or offset == 0:
            return
        if offset < 0:  # Telegram: keep only the last -offset updates
            self._pending = self._pending[offset:]
            return
        self._pending = [
            p for p in self._pending if p.update_id >= offset or (p.forced and not p.delivered)
        ]

    def _is_allowed(self, pending: Pending, allowed: frozenset[str] | None) -> bool:
        if allowed is None:
            return pending.kind not in NOT_DEFAULT_TYPES
        return pending.kind in allowed

    def _take(self, limit: int) -> list[dict[str, Any]]:
        self._drop_disallowed(self.allowed)
        batch = self._pending[:limit]
        for pending in batch:
            pending.delivered = True
        return [p.update for p in batch]

    def _drop_disallowed(self, allowed: frozenset[str] | None) -> None:
        if any(not self._is_allowed(p, allowed) for p in self._pending):
            self._pending = [p for p in self._pending if self._is_allowed(p, allowed)]

    # -- consuming: webhook ---------------------------------------------------------

    def head(self, allowed: frozenset[str] | None) -> Pending | None:
        self._drop_disallowed(allowed)
        return self._pending[0] if self._pending else None

    def deliverable(self, allowed: frozenset[str] | None) -> list[Pending]:
        """Every pending update the webhook may deliver, oldest first."""
        self._drop_disallowed(allowed)
        return list(self._pending)

    def remove(self, pending: Pending) -> None:
        if pending in self._pending:
            self._pending.remove(pending)

    @property
    def changed_event(self) -> asyncio.Event:
        return self._changed
