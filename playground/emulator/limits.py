"""Things that make the fake Telegram misbehave on purpose: faults and flood limits.

Both are switched on through the control API so tests can prove the bot
survives 5xx answers, slow answers, 429 storms and flood limits. Every call
that passes through here is recorded in the CallLog (also rejected ones).

A fault acts before the call is processed, so a call it refuses has no
effect: that is how "the call did not go through" looks to a client. A
stall holds the call first; the call then goes on (or is refused, with
``drop``), unless its client hung up meanwhile, in which case it never
reaches processing at all (see ``ClientGone``). Clearing the faults ends
the stalls in progress.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import random
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from playground.emulator.errors import ApiError

STATUS_TEXT = {
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
# nginx's "client closed request": logged for a call whose client left during a stall.
CLIENT_GONE = 499


class ClientGone(Exception):
    """The client hung up while its call was stalled; the call is not processed."""


@dataclass
class Fault:
    status: int | None = None
    retry_after: int = 1  # with status 429
    stall_seconds: float = 0.0
    drop: bool = False
    rate: float = 1.0  # the share of matching calls this fault hits
    count: int | None = None  # remaining hits; None: no limit (until `until` or cleared)
    until: float | None = None  # monotonic deadline for time-boxed faults
    methods: frozenset[str] | None = None  # lower-case method names; None = all but getUpdates
    dice: random.Random = field(default_factory=random.Random)
    released: asyncio.Event = field(default_factory=asyncio.Event)  # set: stalls end

    @classmethod
    def from_spec(cls, spec: dict[str, Any], released: asyncio.Event) -> Fault:
        status = spec.get("status")
        stall = float(spec.get("stall_seconds") or 0.0)
        if status is None and stall <= 0:
            raise ValueError("a fault needs 'status' or 'stall_seconds'")
        if status is not None and int(status) not in STATUS_TEXT:
            raise ValueError(f"status must be one of {sorted(STATUS_TEXT)}")
        rate = float(spec.get("rate", 1.0))
        if not 0 < rate <= 1:
            raise ValueError("rate must be in (0, 1]")
        seconds = spec.get("seconds")
        methods = spec.get("methods")
        # Without `seconds`, a fault hits once unless told `count` (null: until cleared).
        count = spec.get("count", None if seconds is not None else 1)
        return cls(
            status=int(status) if status is not None else None,
            retry_after=max(1, int(spec.get("retry_after", 1))),
            stall_seconds=stall,
            drop=bool(spec.get("drop", False)),
            rate=rate,
            count=int(count) if count is not None else None,
            until=time.monotonic() + float(seconds) if seconds is not None else None,
            methods=frozenset(m.lower() for m in methods) if methods else None,
            dice=random.Random(spec.get("seed")),
            released=released,
        )

    def active(self, now: float) -> bool:
        in_time = self.until is None or now < self.until
        return in_time and (self.count is None or self.count > 0)

    def matches(self, method: str) -> bool:
        if self.methods is None:
            return method != "getupdates"
        return method in self.methods

    def hits(self) -> bool:
        """Whether this matching call is one of the `rate` share (always at rate 1)."""
        return self.rate >= 1 or self.dice.random() < self.rate

    async def apply(self, client_gone: Callable[[], bool]) -> None:
        """Stall, then refuse the call (or let it through) as this fault says."""
        if self.stall_seconds:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.released.wait(), self.stall_seconds)
            if client_gone():
                raise ClientGone()
        if self.drop:
            raise fault_error(504)
        if self.status is not None:
            raise fault_error(self.status, self.retry_after)


class FaultInjector:
    def __init__(self) -> None:
        self.faults: list[Fault] = []
        self._released = asyncio.Event()

    def add(self, spec: dict[str, Any]) -> Fault:
        fault = Fault.from_spec(spec, self._released)
        self.faults.append(fault)
        return fault

    def clear(self) -> None:
        # Every fault added so far shares this event, also those already used up.
        self._released.set()
        self._released = asyncio.Event()
        self.faults.clear()

    def take(self, method: str) -> Fault | None:
        """The fault that hits this call (consuming one of its count), if any.

        Faults are tried in the order they were added; one that matches but
        whose dice say "not this call" leaves the call to the next.
        """
        now = time.monotonic()
        self.faults = [f for f in self.faults if f.active(now)]
        for fault in self.faults:
            if fault.matches(method.lower()) and fault.hits():
                if fault.count is not None:
                    fault.count -= 1
                return fault
        return None


def fault_error(status: int, retry_after: int = 1) -> ApiError:
    if status == 429:
        return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)
    return ApiError(status, STATUS_TEXT[status])


class RateLimiter:
    """Rolling one-second windows per chat and globally, like Telegram's flood control."""

    def __init__(self) -> None:
        self.configure(enabled=False)

    def configure(
        self, enabled: bool, per_chat_burst: int = 3, global_per_second: int = 30
    ) -> None:
        self.enabled = enabled
        self.per_chat_burst = int(per_chat_burst)
        self.global_per_second = int(global_per_second)
        self._per_chat: dict[int, deque[float]] = {}
        self._global: deque[float] = deque()

    def settings(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled,
            "per_chat_burst": self.per_chat_burst,
            "global_per_second": self.global_per_second,
        }

    def admit(self, chat_id: int) -> None:
        """Count one message to chat_id or raise 429 with retry_after."""
        if not self.enabled:
            return
        now = time.monotonic()
        chat_window = self._per_chat.setdefault(chat_id, deque())
        for window, limit in (
            (chat_window, self.per_chat_burst),
            (self._global, self.global_per_second),
        ):
            while window and window[0] <= now - 1.0:
                window.popleft()
            if len(window) >= limit:
                retry_after = max(1, math.ceil(window[0] + 1.0 - now))
                raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)
        chat_window.append(now)
        self._global.append(now)


class CallLog:
    """Every Bot API call with its outcome, bounded so long benchmarks stay cheap."""

    def __init__(self, capacity: int = 200_000) -> None:
        self._capacity = capacity
        self.clear()

    def clear(self) -> None:
        self._calls: list[dict[str, Any]] = []
        self._first_seq = 1
        self._seq = 0

    def record(self, method: str, chat_id: Any, status: int, params: dict[str, Any]) -> None:
        self._seq += 1
        self._calls.append(
            {
                "seq": self._seq,
                "method": method,
                "chat_id": chat_id,
                "status": status,
                "at": time.time(),
                "params": params,
            }
        )
        if len(self._calls) > self._capacity * 1.5:
            dropped = len(self._calls) - self._capacity
            del self._calls[:dropped]
            self._first_seq += dropped

    def since(self, seq: int) -> tuple[list[dict[str, Any]], int]:
        start = max(0, seq - self._first_seq + 1)
        return self._calls[start:], self._seq
