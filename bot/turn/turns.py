"""One turn per update: load state, step the flow, save state and replies, in one transaction.

Updates wait in the inbox table until handled. A user's updates are taken
strictly in update_id order under a lock on their row, so the order holds
across any number of workers, and a crash before the commit leaves the
update pending for the next start: nothing is lost and nothing runs twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy.exc import DBAPIError
from telegram import Bot, Update

import bot.features  # noqa: F401  (registers the effects the flows ask for)
from bot.clock import Clock
from bot.db.database import Database
from bot.db.outbox import OutgoingCall
from bot.db.repositories import Repositories
from bot.db.users import UserRecord
from bot.delivery import reports as delivery
from bot.nudges.kinds import reschedule
from bot.telegram.adapter import Incoming, read_update
from bot.telegram.render import Call, renderer_for
from bot.turn import flood
from bot.turn.effects import EffectContext, LinkRules, Notice, run_effect
from flows import FLOWS
from flows.engine import (
    ButtonPress,
    Context,
    EditButtons,
    Outcome,
    Say,
    Session,
    Toast,
    parse_callback,
)
from flows.language import LOCALE, LOCALE_CHOSEN
from flows.questions import REMINDERS_OFF
from flows.router import after_effect, route
from flows.safety_check import private_mode

log = logging.getLogger(__name__)

DEADLOCK_RETRIES = 3
# Answers that change when (or whether) nudges are due: the user's rows move with them.
RHYTHM_ANSWERS = frozenset(
    {
        "onboarded",
        "time_zone",
        "reminder_time",
        "reminder_days",
        "quiet_hours",
        "nudges_on",
        "safety",
    }
)


@dataclass
class TurnResult:
    """What a committed turn leaves for the sender."""

    queued: int = 0
    ephemeral: list[Call] = field(default_factory=list)
    # False once the turn saw, before its commit, that nothing else of the user waits:
    # the drain can end without a transaction just to find the inbox empty. (An update
    # stored after that commit is handed to PTB, and bot.telegram.ordering runs one more drain.)
    more: bool = True


@dataclass(frozen=True)
class Lookups:
    find_zone_by_name: Callable[[str], str | None]
    find_zone_at: Callable[[float, float], str | None]


class Turns:
    def __init__(
        self, db: Database, bot: Bot, clock: Clock, lookups: Lookups, rules: LinkRules | None = None
    ) -> None:
        self._db = db
        self._bot = bot
        self._clock = clock
        self._lookups = lookups
        self._rules = rules or LinkRules()

    async def drain(self, user_id: int | None) -> TurnResult:
        """Handle every pending update of one user, oldest first."""
        total = TurnResult()
        while True:
            result = await self._one_with_retry(user_id)
            if result is None:
                return total
            total.queued += result.queued
            total.ephemeral.extend(result.ephemeral)
            if not result.more:
                return total

    async def _one_with_retry(self, user_id: int | None) -> TurnResult | None:
        # Two partners acting on each other at the same instant can deadlock on
        # PostgreSQL; the database picks a victim, whose turn simply runs again.
        for attempt in range(DEADLOCK_RETRIES):
            try:
                return await self._one(user_id)
            except DBAPIError as error:
                if "deadlock" not in str(error.orig).lower() or attempt == DEADLOCK_RETRIES - 1:
                    raise
                log.warning("deadlock on a turn; retrying")
        return None

    async def _one(self, user_id: int | None) -> TurnResult | None:
        now = self._clock.now()
        async with self._db.transaction() as repos:
            # Someone we know is locked first: what we then read of their inbox is ours to
            # handle, with no second look (two statements fewer in every turn).
            user = None if user_id is None else await repos.users.lock_existing(user_id)
            pending = await repos.inbox.next_for(user_id)
            if pending is None:
                return None
            incoming = read_update(Update.de_json(dict(pending.payload), self._bot))
            if incoming.user_id is None or incoming.chat_id is None:  # no person: both None
                await repos.inbox.mark_handled(pending.update_id, now)
                return TurnResult()
            if user is None:
                user = await repos.users.lock(
                    incoming.user_id, incoming.chat_id, incoming.locale, now
                )
                # Another worker may have taken this update while we waited for the lock.
                current = await repos.inbox.next_for(user_id)
                if current is None or current.update_id != pending.update_id:
                    return TurnResult()
            flood_notices = await flood.set_aside(repos, pending, incoming, user, now)
            if flood_notices is not None:
                return TurnResult(flood_notices)
            result = await self._handle(repos, user, incoming, now)
            await repos.inbox.mark_handled(pending.update_id, now)
            result.more = await repos.inbox.next_for(user_id) is not None
            return result

    async def _handle(
        self, repos: Repositories, user: UserRecord, incoming: Incoming, now: datetime
    ) -> TurnResult:
        came_back = not user.is_active and not incoming.blocked
        if incoming.blocked is not None:
            user.is_active = not incoming.blocked
            await repos.users.save(user, now)
            if came_back:  # they unblocked the bot: their nudges are due again
                await reschedule(repos, user, now)
                await repos.outbox.release_held(user.chat_id, now)
            return TurnResult()
        user.is_active = True  # writing to us again means they came back
        if came_back:  # what a partner sent meanwhile reaches them first
            await repos.outbox.release_held(user.chat_id, now)
        if incoming.first_name:
            user.name = incoming.first_name
        if incoming.locale_known and not user.profile.get(LOCALE_CHOSEN):
            user.locale = incoming.locale  # Telegram's language, until they choose one
        decided = self._decide(user, incoming, now)
        outcome, notices = await self._carry_out(repos, user, decided, now)
        outcome = _retire_old_buttons(user, incoming, outcome)
        _apply(user, outcome, now)
        if not user.forgotten:  # when they deleted their data just now, nothing is written back
            await repos.users.save(user, now)
            if came_back or RHYTHM_ANSWERS & set(outcome.remember):
                await reschedule(repos, user, now)
        told = await self._notices(repos, _may_reach_others(user, notices), user.id)
        calls = self._calls(user, incoming, outcome)
        queued = [call for call in calls if call.method != "answerCallbackQuery"]
        # One insert for the whole turn's replies; id order keeps each chat's order.
        await repos.outbox.add_many(
            [*told, *((user.chat_id, call.method, call.params) for call in queued)], now
        )
        return TurnResult(len(queued), [c for c in calls if c.method == "answerCallbackQuery"])

    async def on_delivered(
        self, repos: Repositories, call: OutgoingCall, result: object, now: datetime
    ) -> None:
        """A question with buttons reached the chat: keep its id, or retire its buttons
        at once if the user has already moved past it (e.g. typed while it was in flight)."""
        seq = _question_seq(call)
        if seq is None or not isinstance(result, dict):
            return
        # Locked, so a turn moving past this question is either wholly before or after.
        user = await repos.users.lock_existing(call.chat_id)
        if user is None:
            return
        session = _session(user)
        if session is not None and session.seq == seq:
            await repos.users.note_keyboard(call.chat_id, result["message_id"])
            return
        retire = renderer_for(user).render(EditButtons(result["message_id"], ()), call.chat_id)
        for follow_up in retire:
            await repos.outbox.add(call.chat_id, follow_up.method, follow_up.params, now)

    async def _carry_out(
        self, repos: Repositories, user: UserRecord, outcome: Outcome, now: datetime
    ) -> tuple[Outcome, list[Notice]]:
        """Run the effects the flow asks for until it reaches a question or its end."""
        actions, remember = list(outcome.actions), dict(outcome.remember)
        notices: list[Notice] = []
        while outcome.effect is not None:
            assert outcome.session is not None, "an effect state is a state of a session's flow"
            context = EffectContext(
                repos, user, outcome.effect.data, now, self._rules, self._bot.username or ""
            )
            done = await run_effect(outcome.effect.name, context)
            notices.extend(done.notices)
            outcome = after_effect(
                outcome.session, done.result, done.data, self._context(user, now, remember)
            )
            actions.extend(outcome.actions)
            remember.update(outcome.remember)
        return replace(outcome, actions=tuple(actions), remember=remember), notices

    async def _notices(
        self, repos: Repositories, notices: list[Notice], writer_id: int
    ) -> list[tuple[int, str, Mapping[str, Any]]]:
        """The calls that tell others, each rendered for its reader. A share's last call
        carries its report, so its writer hears once it has arrived (bot/delivery/reports.py)."""
        told: list[tuple[int, str, Mapping[str, Any]]] = []
        for notice in notices:
            other = await repos.users.get(notice.user_id)
            if other is None:
                continue
            calls = [
                (other.chat_id, call.method, dict(call.params))
                for call in renderer_for(other).render(notice.say, other.chat_id)
            ]
            if notice.report and calls:
                chat, method, params = calls[-1]
                calls[-1] = (chat, method, delivery.with_report(params, writer_id, notice.report))
            told += calls
        return told

    def _context(
        self, user: UserRecord, now: datetime, remember: Mapping[str, Any] | None = None
    ) -> Context:
        return Context(
            now=now,
            profile={**user.profile, **(remember or {})},
            locale=user.locale,
            find_zone_by_name=self._lookups.find_zone_by_name,
            find_zone_at=self._lookups.find_zone_at,
        )

    def _decide(self, user: UserRecord, incoming: Incoming, now: datetime) -> Outcome:
        if not incoming.private:
            return Outcome(session=_session(user), actions=(Say(("common.group_chats",)),))
        if incoming.event is None:
            return Outcome(session=_session(user))
        return route(_session(user), incoming.event, self._context(user, now))

    def _calls(self, user: UserRecord, incoming: Incoming, outcome: Outcome) -> list[Call]:
        renderer = renderer_for(user)
        toast: Toast | None = None
        calls: list[Call] = []
        for action in outcome.actions:
            if isinstance(action, Toast):
                toast = action
            else:
                calls.extend(renderer.render(action, user.chat_id))
        if incoming.callback_query_id:
            calls.append(renderer.toast(toast, incoming.callback_query_id))
        return calls


def _session(user: UserRecord) -> Session | None:
    """The stored session, or None when it names a flow or state that no longer exists."""
    if not user.session:
        return None
    session = Session.from_json(user.session)
    known = FLOWS.get(session.flow)
    if known is None or session.state not in known.states:
        log.warning("dropping a session in unknown state %s/%s", session.flow, session.state)
        return None
    return session


def _question_seq(call: OutgoingCall) -> int | None:
    """Which question a sent message asked, read from its first button's data."""
    if call.method != "sendMessage":
        return None
    rows = (call.payload.get("reply_markup") or {}).get("inline_keyboard") or []
    parsed = parse_callback(rows[0][0].get("callback_data") or "") if rows and rows[0] else None
    return parsed[0] if parsed else None


def _retire_old_buttons(user: UserRecord, incoming: Incoming, outcome: Outcome) -> Outcome:
    """When a typed answer moves the flow on, the old question's buttons go too.

    (A pressed button closes its own question; see CloseQuestion.)
    """
    before = _session(user)
    moved_on = before is not None and (outcome.session is None or outcome.session.seq != before.seq)
    if not moved_on or user.keyboard_message_id is None:
        return outcome
    if isinstance(incoming.event, ButtonPress):
        user.keyboard_message_id = None
        return outcome
    retire = EditButtons(user.keyboard_message_id, ())
    user.keyboard_message_id = None
    return replace(outcome, actions=(retire, *outcome.actions))


def _apply(user: UserRecord, outcome: Outcome, now: datetime) -> None:
    user.session = outcome.session.to_json() if outcome.session else None
    remember: dict[str, Any] = dict(outcome.remember)
    if not remember:
        return
    user.profile = {**user.profile, **remember}
    if LOCALE in remember:  # chosen with /language: the words after it are already theirs
        user.locale = remember[LOCALE]
    if "time_zone" in remember:
        user.time_zone = remember["time_zone"]
    if "reminder_time" in remember:
        value = remember["reminder_time"]
        user.reminder_time = None if value == REMINDERS_OFF else value
    if remember.get("onboarded") and user.onboarded_at is None:
        user.onboarded_at = now


def _may_reach_others(user: UserRecord, notices: list[Notice]) -> list[Notice]:
    """While a user's private safety answer is "yes", nothing they do notifies anyone
    else, except news of the link they chose to make or end. The effects ask first
    (``to_partner``); this is the last gate behind them."""
    if not private_mode(user.profile):
        return notices
    return [n for n in notices if n.user_id == user.id or n.link_event]
