"""PerUserOrder (bot/telegram/ordering.py) as PTB drives it: one task per update, through the
processor's slots. A user's backlog holds one slot; their order holds; nobody waits
behind someone else's flood."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.telegram.ordering import PerUserOrder

ANN, BEN = 1, 2


def update(update_id: int, user: int) -> Update:
    return Update.de_json(
        {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": 0,
                "text": "hi",
                "from": {"id": user, "is_bot": False, "first_name": "U"},
                "chat": {"id": user, "type": "private"},
            },
        },
        None,
    )


class Drains:
    """Stands in for the turn handler: records each run; Ann's first run waits for a gate."""

    def __init__(self) -> None:
        self.runs: list[int] = []
        self.gate = asyncio.Event()

    async def handle(self, update_id: int, user: int) -> None:
        self.runs.append(update_id)
        if update_id == 1:
            await self.gate.wait()


async def test_a_flood_holds_one_slot_and_others_go_past_it():
    processor = PerUserOrder(max_concurrent_updates=4)
    drains = Drains()
    flood = [
        asyncio.create_task(processor.process_update(update(n, ANN), drains.handle(n, ANN)))
        for n in range(1, 301)
    ]
    ben = asyncio.create_task(processor.process_update(update(301, BEN), drains.handle(301, BEN)))
    try:
        await asyncio.wait_for(asyncio.shield(ben), 5)  # done while Ann's first turn still runs
        assert drains.runs == [1, 301]
        assert processor.current_concurrent_updates == 1, "Ann's 300 updates hold one slot"
    finally:
        drains.gate.set()
        await asyncio.gather(*flood, ben)
    # Her backlog is folded into one more drain, after the first: never two at once.
    assert drains.runs == [1, 301, 300]
    assert processor.current_concurrent_updates == 0


async def test_an_update_arriving_during_the_last_drain_gets_a_drain_after_it():
    processor = PerUserOrder()
    drains = Drains()
    first = asyncio.create_task(processor.process_update(update(1, ANN), drains.handle(1, ANN)))
    await asyncio.sleep(0)
    late = asyncio.create_task(processor.process_update(update(2, ANN), drains.handle(2, ANN)))
    try:
        await asyncio.wait_for(asyncio.shield(late), 5)  # at once: the owner will run it
        assert drains.runs == [1]
    finally:
        drains.gate.set()
        await asyncio.gather(first, late)
    assert drains.runs == [1, 2]


async def test_different_users_are_handled_concurrently():
    processor = PerUserOrder()
    started: list[int] = []
    both = asyncio.Event()

    async def handle(user: int) -> None:
        started.append(user)
        if len(started) == 2:
            both.set()
        await asyncio.wait_for(both.wait(), 5)

    await asyncio.gather(
        processor.process_update(update(1, ANN), handle(ANN)),
        processor.process_update(update(2, BEN), handle(BEN)),
    )
    assert sorted(started) == [ANN, BEN]
