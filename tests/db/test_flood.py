"""The flood rule (bot/turn/flood.py) on SQLite and PostgreSQL: what is set aside, what never is.

Each case writes inbox rows the way Intake does (Telegram's date inside the
payload) and hands them one by one, in order, to the real rule, on a clock
that moves as a worker's would: arrivals, then each turn a millisecond later.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from bot.db.database import Database
from bot.telegram.adapter import Incoming
from bot.turn.flood import FLOOD_LIMIT, FLOOD_WINDOW, set_aside
from flows.engine import TextInput

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
USER = 7
TURN = timedelta(milliseconds=1)
TAKEN, ASIDE, NOTICE = "taken", "aside", "notice"


class Inbox:
    """One user's inbox, fed and drained on a clock the test moves."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.now = T0
        self.next_id = 1
        self.texts: dict[int, str] = {}

    async def arrive(self, written: Iterable[datetime], text: str = "hello") -> None:
        """Updates written at these moments reach us together now (one getUpdates batch)."""
        rows = []
        for moment in written:
            payload = {
                "update_id": self.next_id,
                "message": {
                    "message_id": self.next_id,
                    "date": int(moment.timestamp()),
                    "text": text,
                },
            }
            rows.append((self.next_id, USER, payload))
            self.texts[self.next_id] = text
            self.next_id += 1
        async with self.db.transaction() as repos:
            await repos.inbox.add(rows, self.now)

    async def drain(self) -> list[str]:
        """Take every waiting update in order, as bot.turn.turns does; what became of each."""
        verdicts = []
        while True:
            self.now += TURN
            async with self.db.transaction() as repos:
                pending = await repos.inbox.next_for(USER)
                if pending is None:
                    return verdicts
                user = await repos.users.lock(USER, USER, "en", self.now)
                incoming = Incoming(USER, USER, event=TextInput(self.texts[pending.update_id]))
                queued = await set_aside(repos, pending, incoming, user, self.now)
                if queued is None:
                    await repos.inbox.mark_handled(pending.update_id, self.now)
                verdicts.append(TAKEN if queued is None else NOTICE if queued else ASIDE)

    async def notices_queued(self) -> int:
        async with self.db.transaction() as repos:
            return await repos.outbox.count()

    async def arrive_and_drain(self, written: Iterable[datetime], text: str = "hello") -> list[str]:
        await self.arrive(written, text)
        return await self.drain()


def every(seconds: float, count: int, start: datetime = T0) -> list[datetime]:
    return [start + timedelta(seconds=seconds * n) for n in range(count)]


async def test_a_burst_is_answered_up_to_the_limit_then_set_aside_with_one_notice(db):
    inbox = Inbox(db)
    verdicts = await inbox.arrive_and_drain(every(0.01, 60))
    # The first came in with nothing waiting; the next FLOOD_LIMIT came in behind it.
    assert verdicts[: FLOOD_LIMIT + 1] == [TAKEN] * (FLOOD_LIMIT + 1)
    assert verdicts[FLOOD_LIMIT + 1 :] == [NOTICE] + [ASIDE] * (60 - FLOOD_LIMIT - 2)
    assert await inbox.notices_queued() == 1


async def test_a_flood_arriving_in_several_batches_brings_one_notice(db):
    inbox = Inbox(db)
    first = await inbox.arrive_and_drain(every(0.005, 30))
    # Nothing waits now, but the flood goes on in the same seconds, in more batches.
    await inbox.arrive(every(0.005, 20, T0 + timedelta(seconds=0.5)))
    await inbox.arrive(every(0.005, 20, T0 + timedelta(seconds=1)))
    rest = await inbox.drain()
    assert first.count(NOTICE) == 1
    assert rest.count(NOTICE) == 0 and rest[1:] == [ASIDE] * 39
    assert rest[0] == TAKEN, "the first of a batch arrived with nothing waiting"


async def test_a_forwarded_batch_of_ten_is_answered_in_full(db):
    inbox = Inbox(db)
    for start in range(0, 30, 6):  # batches of ten a few seconds apart: 50 in half a minute
        moment = T0 + timedelta(seconds=start)
        inbox.now = moment
        assert await inbox.arrive_and_drain([moment] * 10) == [TAKEN] * 10


async def test_fast_typing_that_waits_for_the_answers_is_never_a_flood(db):
    inbox = Inbox(db)
    for moment in every(0.25, 60):  # four a second for fifteen seconds, each after its answer
        inbox.now = moment
        assert await inbox.arrive_and_drain([moment]) == [TAKEN]


async def test_a_backlog_written_slowly_and_delivered_at_once_is_answered_in_full(db):
    inbox = Inbox(db)
    inbox.now = T0 + timedelta(hours=1)  # after an outage, Telegram hands over an hour's words
    verdicts = await inbox.arrive_and_drain(every(60, 40))
    assert verdicts == [TAKEN] * 40


async def test_after_a_flood_a_calm_message_is_answered_and_a_new_flood_noticed_again(db):
    inbox = Inbox(db)
    assert (await inbox.arrive_and_drain(every(0.01, 40))).count(NOTICE) == 1
    inbox.now = T0 + timedelta(seconds=3)  # still inside the window, but nothing waits
    assert await inbox.arrive_and_drain([inbox.now]) == [TAKEN]
    later = T0 + FLOOD_WINDOW * 2
    inbox.now = later
    verdicts = await inbox.arrive_and_drain(every(0.01, 40, later))
    assert verdicts.count(NOTICE) == 1 and verdicts.count(TAKEN) == FLOOD_LIMIT + 1
    assert await inbox.notices_queued() == 2


async def test_crisis_words_inside_a_flood_are_never_set_aside(db):
    inbox = Inbox(db)
    await inbox.arrive(every(0.01, 30))
    await inbox.arrive(every(0.01, 1, T0 + timedelta(seconds=0.3)), "i want to kill myself")
    verdicts = await inbox.drain()
    assert verdicts[-1] == TAKEN and verdicts.count(ASIDE) + verdicts.count(NOTICE) == 9
