"""Floods: hundreds of messages a second from one person are answered once, kindly.

A person in a conversation waits for the answer before writing much more. A
stuck key, a long paste split into pieces or a script does not: its updates
arrive while earlier ones of the same person still wait in the inbox
("behind"). When more than FLOOD_LIMIT updates that came in behind were
written within FLOOD_WINDOW, each further one that comes in behind is set
aside: marked handled without stepping the flow or replying. The first one
set aside in a while brings one kind notice, so no words vanish unexplained.

Everything is read from the inbox rows (the time Telegram says each was
written, when each arrived, when each was handled), so the rule holds across
workers and restarts, and a backlog delivered at once after an outage keeps
the pace at which it was written. Someone who types fast but waits for the
answers, or forwards a batch of ten, is never set aside; nor is a text that
speaks of crisis, which always reaches the safety answer.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.db.inbox import Inbox, PendingUpdate
from bot.db.repositories import Repositories
from bot.db.users import UserRecord
from bot.telegram.adapter import Incoming
from bot.telegram.render import renderer_for
from flows.crisis import detect
from flows.engine import Say

FLOOD_LIMIT = 20
FLOOD_WINDOW = timedelta(seconds=10)
NOTICE = ("common.flood",)


async def set_aside(
    repos: Repositories, pending: PendingUpdate, incoming: Incoming, user: UserRecord, now: datetime
) -> int | None:
    """Set this update aside if it is part of a flood, with the notice if it is the first.

    None when it is no flood (take it as usual); otherwise how many messages were queued.
    """
    if not _may_set_aside(incoming) or not await is_flood(repos.inbox, pending):
        return None
    assert pending.user_id is not None and pending.written_at is not None  # is_flood checked
    noticed = await repos.inbox.set_aside_since(pending.user_id, pending.written_at - FLOOD_WINDOW)
    await repos.inbox.set_aside(pending.update_id, now)
    if noticed:
        return 0
    calls = renderer_for(user).render(Say(NOTICE), user.chat_id)
    await repos.outbox.add_many([(user.chat_id, call.method, call.params) for call in calls], now)
    return len(calls)


async def is_flood(inbox: Inbox, pending: PendingUpdate) -> bool:
    """Whether this update came in behind more than FLOOD_LIMIT others written just before."""
    if pending.user_id is None or pending.written_at is None:
        return False  # not a person's message, or not yet written: nothing to count
    since = pending.written_at - FLOOD_WINDOW
    return await inbox.burst(pending, since, FLOOD_LIMIT + 1) > FLOOD_LIMIT


def _may_set_aside(incoming: Incoming) -> bool:
    """Only what a person says in a private chat; never (un)blocking, never crisis words."""
    if not incoming.private or incoming.event is None or incoming.blocked is not None:
        return False
    text = getattr(incoming.event, "text", None) or getattr(incoming.event, "caption", None)
    return not (isinstance(text, str) and detect(text, incoming.locale) is not None)
