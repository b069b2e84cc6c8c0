"""The kinds of nudge: what each says when it comes due, and when it comes round again.

A kind turns a due row into *occurrences* (each named by a stable key, e.g.
the day, or one commitment's check-in) and each occurrence into a message.
The scheduler records every occurrence before queueing it, so a key is sent
at most once; a snoozed message is the same key sent again later.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

from bot.db import commitments as C
from bot.db import ledger as L
from bot.db.nudges import NudgeRecord
from bot.db.repositories import Repositories
from bot.db.users import UserRecord
from bot.nudges.rhythm import EVERY_DAY, Rhythm, next_daily, next_once, rhythm_of
from content import catalog
from flows.agreements import answer_buttons
from flows.engine import Button, Label, Say, item_data, menu_data
from flows.safety_check import private_mode

EMPATHY, CHECKIN, WEEKLY, WAITING = "empathy", "checkin", "weekly", "waiting"
STANDING_KINDS = (EMPATHY, CHECKIN, WEEKLY)
KINDS = (EMPATHY, CHECKIN, WEEKLY, WAITING)
# "Fewer of these" steps through these spacings (days between occurrences);
# a kind with none left is turned off.
SPACINGS = {EMPATHY: (1, 2, 4, 7), CHECKIN: (1, 2, 4, 7), WEEKLY: (1, 14, 28), WAITING: ()}
NO_REPEAT_DAYS = 31  # an empathy prompt does not come back within a month
WAITING_AFTER = timedelta(hours=24)
SUNDAY = 6


@dataclass(frozen=True)
class Occasion:
    """One due row of one user, being handled inside the scheduler's transaction."""

    repos: Repositories
    user: UserRecord
    nudge: NudgeRecord
    day: date
    now: datetime


# ---------------------------------------------------------------- rhythms


def rhythm_for(user: UserRecord, kind: str) -> Rhythm | None:
    """When this kind may reach this user; None when it may not at all."""
    profile = user.profile
    switched_on = profile.get("nudges_on")
    if not profile.get("onboarded") or (switched_on is not None and kind not in switched_on):
        return None
    if kind == EMPATHY and private_mode(profile):
        return None  # couple exercises stay off for someone who may not be safe
    rhythm = rhythm_of(profile, user.time_zone, user.reminder_time)
    if rhythm is None or kind != WEEKLY:
        return rhythm
    return rhythm_of(profile, user.time_zone, user.reminder_time, days=(_weekly_day(rhythm),))


def _weekly_day(rhythm: Rhythm) -> int:
    # Sunday if it is one of their days, otherwise the last of the week they chose.
    return SUNDAY if SUNDAY in rhythm.days or not rhythm.days else max(rhythm.days)


def next_standing(user: UserRecord, nudge: NudgeRecord, after: datetime) -> None:
    """Moves a repeating row to its next due moment (or to rest when there is none)."""
    rhythm = rhythm_for(user, nudge.kind)
    found = None if rhythm is None else next_daily(rhythm, after, nudge.last_day, nudge.every_days)
    nudge.due_at = found[0] if found else None
    nudge.state = {**nudge.state, "day": found[1].isoformat() if found else None}


def next_one_off(user: UserRecord, nudge: NudgeRecord, wanted: datetime) -> None:
    # Reminders off, or this kind switched off: it rests until they are back on.
    rhythm = rhythm_for(user, nudge.kind)
    nudge.due_at = None if rhythm is None else next_once(rhythm, wanted)


async def reschedule(repos: Repositories, user: UserRecord, now: datetime) -> None:
    """After a change of zone, time, days, quiet hours, pause or switches, or a return."""
    existing = {(n.kind, n.ref): n for n in await repos.nudges.for_user(user.id)}
    for kind in STANDING_KINDS:
        nudge = existing.get((kind, "")) or NudgeRecord(0, user.id, kind, "", None)
        next_standing(user, nudge, now)
        if nudge.id:
            await repos.nudges.advance(nudge)
        else:
            await repos.nudges.put(user.id, kind, nudge.due_at, state=nudge.state)
    for nudge in existing.values():
        if not nudge.standing:
            next_one_off(user, nudge, max(now, nudge.due_at or now))
            await repos.nudges.advance(nudge)


async def remind_later(repos: Repositories, user_id: int, ref: str, now: datetime) -> None:
    """Once, a day from now: a gentle word if something is still waiting for them.

    *ref* names what waits: ``v<version id>`` a proposal, ``l<exercise>.<attempt>.<status>``
    a listening exercise at that point. Each ref is reminded of at most once.
    """
    user = await repos.users.get(user_id)
    if user is None:
        return
    nudge = NudgeRecord(0, user_id, WAITING, ref, None)
    next_one_off(user, nudge, now + WAITING_AFTER)
    if nudge.due_at is not None:
        await repos.nudges.put(
            user_id, WAITING, nudge.due_at, ref=nudge.ref, state={"occurrence": nudge.ref}
        )


# ---------------------------------------------------------------- occurrences

Occurrences = Callable[[Occasion], Awaitable[list[str]]]
Message = Callable[[Occasion, str, int], Awaitable[Say | None]]


def _later_buttons(sent_id: int) -> tuple[Button, ...]:
    return (
        Button("nudges.snooze_hour", item_data("z", sent_id, "hour")),
        Button("nudges.snooze_day", item_data("z", sent_id, "day")),
        Button("nudges.fewer", item_data("z", sent_id, "fewer")),
    )


@cache  # the catalog never changes while running; scanning it per user cost half a dispatch
def empathy_pool(role: str | None, step: int) -> tuple[str, ...]:
    words = catalog()
    ids = {key.split(".")[0] for key in words.section("empathy_prompts")}
    return tuple(
        sorted(
            pid
            for pid in ids
            if (role or "private") in words.lists[f"empathy_prompts.{pid}.roles"]
            and str(step) in words.lists[f"empathy_prompts.{pid}.steps"]
        )
    )


async def _empathy_due(o: Occasion) -> list[str]:
    pool = empathy_pool(o.user.profile.get("role"), int(o.user.profile.get("step") or 1))
    recent = list(o.nudge.state.get("recent", ()))[-NO_REPEAT_DAYS:]
    fresh = [pid for pid in pool if pid not in recent] or pool
    chosen = random.Random(f"{o.user.id}:{o.day.isoformat()}").choice(fresh)
    o.nudge.state = {**o.nudge.state, "recent": [*recent, chosen][-NO_REPEAT_DAYS:]}
    return [f"{o.day.isoformat()}:{chosen}"]


async def _empathy_message(o: Occasion, key: str, sent_id: int) -> Say | None:
    prompt = key.split(":")[-1]
    if not catalog(o.user.locale).has(f"empathy_prompts.{prompt}.text"):
        return None
    return Say(
        ("nudges.empathy", f"empathy_prompts.{prompt}.text"), buttons=(_later_buttons(sent_id),)
    )


async def _checkin_due(o: Occasion) -> list[str]:
    keys = []
    for commitment in await o.repos.commitments.of_user(o.user.id):
        if commitment.applies_on(o.day):
            checkin_id = await o.repos.commitments.ask(commitment.id, o.user.id, o.day, o.now)
            keys.append(f"c{checkin_id}")
    return keys


async def _checkin_message(o: Occasion, key: str, sent_id: int) -> Say | None:
    checkin = await o.repos.commitments.checkin(int(key[1:]))
    commitment = None if checkin is None else await o.repos.commitments.get(checkin.commitment_id)
    if (
        checkin is None
        or checkin.result is not None
        or commitment is None
        or (commitment.status != C.ACTIVE)
    ):
        return None  # answered meanwhile, or the commitment was paused or ended
    answers = tuple(
        Button(f"nudges.checkin_{result}", item_data("k", checkin.id, result))
        for result in ("kept", "partly", "missed")
    )
    # A snoozed check-in may arrive the next day: it then names the day it is about.
    return Say(
        ("nudges.checkin" if checkin.day == o.day else "nudges.checkin_earlier",),
        {"text": commitment.text, "day": Label(f"days.{checkin.day.weekday()}")},
        buttons=(answers, _later_buttons(sent_id)),
    )


async def _weekly_due(o: Occasion) -> list[str]:
    week_start = o.day - timedelta(days=o.day.weekday())
    return [f"w{week_start.isoformat()}"]


async def _weekly_message(o: Occasion, key: str, sent_id: int) -> Say | None:
    return Say(
        ("nudges.weekly",),
        buttons=((Button("nudges.weekly_start", menu_data("weekly")),), _later_buttons(sent_id)),
    )


async def _waiting_due(o: Occasion) -> list[str]:
    return [o.nudge.ref]


async def _waiting_message(o: Occasion, key: str, sent_id: int) -> Say | None:
    if key.startswith("l"):
        return await _listening_message(o, key, sent_id)
    return await _proposal_message(o, key, sent_id)


async def _proposal_message(o: Occasion, key: str, sent_id: int) -> Say | None:
    version = await o.repos.ledger.version(int(key[1:]))
    couple = await o.repos.couples.active_for(o.user.id)
    if (
        version is None
        or couple is None
        or version.couple_id != couple.id
        or version.awaiting_id != o.user.id
        or version.state != L.PENDING
        or (version.expires_at is not None and version.expires_at <= o.now)
    ):
        return None  # answered, withdrawn or expired meanwhile: nothing to remind of
    return Say(
        ("nudges.waiting",),
        {"text": version.text},
        buttons=(*answer_buttons(version.id), _later_buttons(sent_id)),
    )


async def _listening_message(o: Occasion, key: str, sent_id: int) -> Say | None:
    exercise_id, attempt, status = key[1:].split(".")
    exercise = await o.repos.listening.get(int(exercise_id))
    couple = await o.repos.couples.active_for(o.user.id)
    if (
        exercise is None
        or couple is None
        or exercise.couple_id != couple.id
        or exercise.status != status
        or exercise.attempt != int(attempt)
        or private_mode(o.user.profile)
    ):
        return None  # answered, paused or ended meanwhile: nothing to remind of
    return Say(
        (f"nudges.listening_{status}",),
        buttons=((Button("nudges.listening_open", menu_data("listen")),), _later_buttons(sent_id)),
    )


@dataclass(frozen=True)
class Kind:
    occurrences: Occurrences
    message: Message


REGISTRY: dict[str, Kind] = {
    EMPATHY: Kind(_empathy_due, _empathy_message),
    CHECKIN: Kind(_checkin_due, _checkin_message),
    WEEKLY: Kind(_weekly_due, _weekly_message),
    WAITING: Kind(_waiting_due, _waiting_message),
}

__all__ = ["EVERY_DAY", "KINDS", "REGISTRY", "SPACINGS", "STANDING_KINDS", "Occasion"]
