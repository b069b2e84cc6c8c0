"""Things that make the fake Telegram misbehave on purpose: faults and flood limits.

Both are switched on through the control API so tests can prove the bot
survives 5xx answers, slow answers and 429 Too Many Requests. Every call
that passes through here is recorded in the CallLog (also rejected ones).
"""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from playground.emulator.errors import ApiError

STATUS_TEXT = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


@dataclass
class Fault:
    status: int | None = None
    stall_seconds: float = 0.0
    drop: bool = False
    count: int | None = None  # remaining matching calls, or None with `until`
    until: float | None = None  # monotonic deadline for time-boxed faults
    methods: frozenset[str] | None = None  # lower-case method names; None = all but getUpdates

    @classmethod
    def from_spec(cls, spec: dict[str, Any]) -> Fault:
        status = spec.get("status")
        stall = float(spec.get("stall_seconds") or 0.0)
        if status is None and stall <= 0:
            raise ValueError("a fault needs 'status' or 'stall_seconds'")
        if status is not None and int(status) not in STATUS_TEXT:
            raise ValueError(f"status must be one of {sorted(STATUS_TEXT)}")
        seconds = spec.get("seconds")
        methods = spec.get("methods")
        return cls(
            status=int(status) if status is not None else None,
            stall_seconds=stall,
            drop=bool(spec.get("drop", False)),
            count=None if seconds is not None else int(spec.get("count", 1)),
            until=time.monotonic() + float(seconds) if seconds is not None else None,
            methods=frozenset(m.lower() for m in methods) if methods else None,
        )

    def active(self, now: float) -> bool:
        if self.until is not None:
            return now < self.until
        return bool(self.count and self.count > 0)

    def matches(self, method: str) -> bool:
        if self.methods is None:
            return method != "getupdates"
        return method in self.methods


class FaultInjector:
    def __init__(self) -> None:
        self.faults: list[Fault] = []

    def add(self, spec: dict[str, Any]) -> Fault:
        fault = Fault.from_spec(spec)
        self.faults.append(fault)
        return fault

    def clear(self) -> None:
        self.faults.clear()

    def take(self, method: str) -> Fault | None:
        """The fault that applies to this call (consuming one of its count), if any."""
        now = time.monotonic()
        self.faults = [f for f in self.faults if f.active(now)]
        for fault in self.faults:
            if fault.matches(method.lower()):
                if fault.count is not None:
                    fault.count -= 1
                return fault
        return None


def fault_error(status: int) -> ApiError:
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
