"""The one pipe out: every Bot API call the bot makes goes through here.

Replies wait in the outbox table until Telegram confirmed them. The sender
claims due calls (one per chat at a time, so a chat's messages keep their
order), respects the rate limits, backs off on 5xx and timeouts, waits as
told on 429, and closes a chat that blocked the bot (403), except for the words
a partner chose to send it: those are held for its return, and their writer hears
what became of them (bot/delivery/reports.py).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import warnings
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from telegram import Bot, InputFile
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.warnings import PTBUserWarning

from bot.clock import Clock
from bot.db.database import Database
from bot.db.outbox import OutgoingCall
from bot.db.repositories import Repositories
from bot.delivery import reports as delivery
from bot.delivery.ratelimit import RateLimiter
from bot.telegram.render import FILE_NAME, UPLOAD, Call

log = logging.getLogger(__name__)

# Told, inside the transaction that marks a call sent, what Telegram answered.
Receipt = Callable[[Repositories, OutgoingCall, object, datetime], Awaitable[None]]

# The outbox stores calls by their Bot API name; PTB would rather we used its
# typed methods, but a generic call is what makes stored calls replayable.
warnings.filterwarnings("ignore", message="Please use 'Bot\\.", category=PTBUserWarning)

# Long enough for one claimed batch to be sent (rate-limit waits plus PTB's
# connect/write/read timeouts), short enough that a crashed worker's claims
# are picked up by another within seconds.
LEASE = timedelta(seconds=20)
# A call must start on its way this long before its lease ends, or it is given back
# unsent: PTB's connect, write and read timeouts, and the commit that marks it sent,
# must all fit in what is left, or another worker could claim it and send it too.
SEND_WINDOW = timedelta(seconds=12)
CLAIM_BATCH = 30
# Calls in flight at once: PTB's connection pool for them (bot.runtime) holds 64.
MAX_IN_FLIGHT = 64
IDLE_POLL_SECONDS = 1.0
# How long a stop waits for the calls in flight (PTB's timeouts are 5 s each).
STOP_GRACE_SECONDS = 8.0
MAX_BACKOFF_SECONDS = 60.0
_ALREADY_DONE = ("message is not modified",)


def _with_files(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The stored parameters, with files (kept as base64 in the outbox) ready to upload,
    and without what only we read (a share's report)."""
    return {
        name: InputFile(base64.b64decode(value[UPLOAD]), filename=value[FILE_NAME])
        if isinstance(value, Mapping) and UPLOAD in value
        else value
        for name, value in delivery.api_params(payload).items()
    }


def _message_id(result: object) -> int | None:
    """The id Telegram gave a message it accepted (kept so /erase can delete it)."""
    return result.get("message_id") if isinstance(result, Mapping) else None


def backoff(attempts: int) -> float:
    return min(MAX_BACKOFF_SECONDS, 0.5 * 2**attempts)


def _seconds(retry_after: int | timedelta) -> float:
    if isinstance(retry_after, timedelta):
        return retry_after.total_seconds()
    return float(retry_after)


class Sender:
    def __init__(
        self,
        db: Database,
        bot: Bot,
        clock: Clock,
        limiter: RateLimiter,
        max_age: timedelta,
        receipt: Receipt | None = None,
    ) -> None:
        self._db = db
        self._receipt = receipt
        self._bot = bot
        self._clock = clock
        self._limiter = limiter
        self._max_age = max_age
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._stopping = False
        # Deliveries waiting to be marked sent, and the task writing them (see _done).
        self._marks: list[tuple[OutgoingCall, object, asyncio.Future]] = []
        self._marking: asyncio.Task | None = None

    # ------------------------------------------------------------ lifecycle

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-sender")

    async def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """Lets the calls in flight finish before stopping: a call cut off after
        Telegram took it would be sent again after the restart."""
        if self._task is None:
            return
        self._stopping = True
        self._wake.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(self._task), grace)
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None
        if self._marking is not None:  # what Telegram took is marked before the database closes
            with contextlib.suppress(Exception):
                await self._marking

    def wake(self) -> None:
        """New calls were committed to the outbox."""
        self._wake.set()

    # ------------------------------------------------------------ sending

    async def call_now(self, call: Call) -> None:
        """A call not worth keeping if it fails (a button's toast, a typing hint).

        Neither is a message, so neither takes a slot of the message budget: waiting
        behind a queue of nudges would make a toast arrive after Telegram's deadline."""
        try:
            await self._bot.do_api_request(call.method, api_kwargs=dict(call.params))
        except TelegramError as error:
            log.info("%s not delivered: %s", call.method, type(error).__name__)

    async def deliver_due(self) -> int:
        """Send what is due now, one round per chat; returns how many were sent."""
        claimed = await self._claim()
        if not claimed:
            return 0
        results = await asyncio.gather(*(self._deliver(call) for call in claimed))
        return sum(results)

    async def _run(self) -> None:
        """Claims while there is room, without waiting for the calls in flight: a slow
        send holds up nobody else, and a chat's next call, claimable once its previous
        one is marked sent, goes at once (each landing wakes this loop)."""
        flying: set[asyncio.Task] = set()
        try:
            while not self._stopping:
                self._wake.clear()
                claimed: list[OutgoingCall] = []
                room = MAX_IN_FLIGHT - len(flying)
                if room > 0:
                    try:
                        claimed = await self._claim(min(room, CLAIM_BATCH))
                    except Exception:
                        log.exception("sender claim failed; retrying")
                for call in claimed:
                    task = asyncio.create_task(self._deliver(call))
                    flying.add(task)
                    task.add_done_callback(lambda done: self._landed(flying, done))
                if len(claimed) < CLAIM_BATCH and not self._stopping:
                    await self._idle()
            # Stopping: the calls in flight finish (stop() bounds the wait).
            await asyncio.gather(*flying, return_exceptions=True)
        finally:
            for task in flying:
                task.cancel()

    def _landed(self, flying: set[asyncio.Task], task: asyncio.Task) -> None:
        flying.discard(task)
        error = None if task.cancelled() else task.exception()
        if error is not None:
            log.error("sending an outbox call failed: %s", type(error).__name__, exc_info=error)
        self._wake.set()

    async def _idle(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), IDLE_POLL_SECONDS)

    async def _claim(self, limit: int = CLAIM_BATCH) -> list[OutgoingCall]:
        async with self._db.transaction() as repos:
            return await repos.outbox.claim(self._clock.now(), LEASE, limit)

    async def _deliver(self, call: OutgoingCall) -> int:
        await self._limiter.acquire(call.chat_id)
        if call.lease_until is not None and self._clock.now() > call.lease_until - SEND_WINDOW:
            # Waited too long for a slot: what is left of the lease may not cover the send.
            async with self._db.transaction() as repos:
                await repos.outbox.release(call)
            return 0
        try:
            result = await self._bot.do_api_request(
                call.method, api_kwargs=_with_files(call.payload)
            )
        except RetryAfter as error:
            wait = _seconds(error.retry_after)
            self._limiter.pause(wait)
            await self._later(call, wait, "429 retry after", count_attempt=False)
        except Forbidden as error:
            await self._blocked(call, str(error))
        except BadRequest as error:
            await self._refused(call, error)
        except NetworkError as error:  # 5xx, timeouts, connection errors
            await self._later(call, backoff(call.attempts), type(error).__name__)
        except TelegramError as error:
            await self._later(call, backoff(call.attempts), type(error).__name__)
        else:
            await self._done(call, result)
            return 1
        return 0

    # ------------------------------------------------------------ bookkeeping

    async def _done(self, call: OutgoingCall, result: object = None) -> None:
        """Mark the call sent, together with the others delivered meanwhile: one
        transaction for all of them (a group commit), not one each. Each waits for its
        own commit, so nothing is reported done before it is written."""
        marked = asyncio.get_running_loop().create_future()
        self._marks.append((call, result, marked))
        if self._marking is None or self._marking.done():
            self._marking = asyncio.create_task(self._write_marks(), name="outbox-marks")
        await marked

    async def _write_marks(self) -> None:
        while self._marks:
            batch, self._marks = self._marks, []
            try:
                await self._mark(batch)
            except Exception:
                # One bad receipt (a deadlock, say) must not hold back the rest: one by one.
                for one in batch:
                    try:
                        await self._mark([one])
                    except Exception as error:
                        if not one[2].done():
                            one[2].set_exception(error)
            for _, _, marked in batch:
                if not marked.done():
                    marked.set_result(None)

    async def _mark(self, batch: list[tuple[OutgoingCall, object, asyncio.Future]]) -> None:
        # Rows locked in one order by every worker, so two batches cannot deadlock.
        ordered = sorted(batch, key=lambda item: (item[0].chat_id, item[0].id))
        async with self._db.transaction() as repos:
            now = self._clock.now()
            for call, result, _ in ordered:
                await repos.outbox.mark_sent(call.id, now, _message_id(result))
                await delivery.delivered(repos, call, now)
                if self._receipt is not None:
                    await self._receipt(repos, call, result, now)

    async def _later(
        self, call: OutgoingCall, seconds: float, error: str, count_attempt: bool = True
    ) -> None:
        now = self._clock.now()
        async with self._db.transaction() as repos:
            if now - call.created_at > self._max_age:
                log.warning("outbox call %s expired after %s attempts", call.id, call.attempts)
                await repos.outbox.give_up(call.id, f"expired: {error}")
                return
            await repos.outbox.retry_later(
                call.id, now + timedelta(seconds=seconds), error, count_attempt
            )

    async def _blocked(self, call: OutgoingCall, error: str) -> None:
        now = self._clock.now()
        async with self._db.transaction() as repos:
            # A partner's words wait for the chat's return; the rest of its queue closes.
            waiting = await repos.outbox.pending_of(call.chat_id)
            await delivery.held(repos, waiting, error, now)
            await repos.outbox.give_up_chat(call.chat_id, error)
            user = await repos.users.get(call.chat_id)
            if user is not None:
                await repos.users.set_active(user.id, False, now)
        log.info("chat %s blocked the bot; marked inactive", call.chat_id)

    async def _refused(self, call: OutgoingCall, error: BadRequest) -> None:
        if any(reason in error.message.lower() for reason in _ALREADY_DONE):
            await self._done(call)
            return
        # A refusal is a bug on our side, never a reason to retry forever.
        log.error("Telegram refused %s (outbox %s): %s", call.method, call.id, error.message)
        async with self._db.transaction() as repos:
            await repos.outbox.give_up(call.id, error.message)
