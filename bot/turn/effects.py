"""Effects: the work a flow's effect state asks of the runtime, with the database.

An effect is an async function registered by name. It runs inside the
turn's transaction, reads and writes through the repositories, and answers
with a result (which picks the flow's next state), draft data for the
session, and notices: messages for *other* users, such as a partner.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.db.repositories import Repositories
from bot.db.users import UserRecord
from content import catalog
from flows.effect_names import EffectName
from flows.engine import Label, Say
from flows.safety_check import private_mode


@dataclass(frozen=True)
class Notice:
    """A message for another user, queued in the same transaction.

    ``link_event`` marks news of the link itself (begun, declined, ended), which
    both sides must get even while the sender's safety answer is "yes": the
    sender chose that step, and the link's state is both people's to know.
    ``report`` (a content key naming what it is, e.g. "share.what_apology") marks
    words the sender chose to send: they hear when it reached the partner, or that
    it waits (bot/delivery/reports.py).
    """

    user_id: int
    say: Say
    link_event: bool = False
    report: str | None = None


@dataclass(frozen=True)
class EffectResult:
    result: str
    data: Mapping[str, Any] = field(default_factory=dict)
    notices: tuple[Notice, ...] = ()


@dataclass(frozen=True)
class LinkRules:
    invite_ttl: timedelta = timedelta(hours=72)
    relink_window: timedelta = timedelta(days=30)
    wrong_codes_per_hour: int = 5
    proposal_ttl: timedelta = timedelta(days=14)


@dataclass(frozen=True)
class EffectContext:
    repos: Repositories
    user: UserRecord
    data: Mapping[str, Any]
    now: datetime
    rules: LinkRules
    bot_username: str

    def my_name(self) -> str | Label:
        """How this user is named to a partner: their first name, or a neutral word
        left for the partner's renderer, so it is in the partner's language."""
        return self.user.name or Label("link.someone")

    async def name_of(self, user_id: int) -> str:
        """How another user (a partner) is named in this user's chat."""
        record = await self.repos.users.get(user_id)
        return (
            record.name
            if record and record.name
            else catalog(self.user.locale).plain("link.someone")
        )

    def may_tell_partner(self) -> bool:
        """Someone who may not be safe with their partner tells them nothing through us."""
        return not private_mode(self.user.profile)


async def to_partner(
    ctx: EffectContext, say: Say, report: str | None = None
) -> tuple[Notice, ...] | None:
    """*say* as a notice for the linked partner, or None when nothing may reach them.

    The one door for anything a user chose to send: it needs an active link and
    a sender whose private safety answer is not "yes". Callers still ask the
    user to read back and confirm before they come here.
    """
    couple = await ctx.repos.couples.active_for(ctx.user.id)
    if couple is None or not ctx.may_tell_partner():
        return None
    return (Notice(couple.partner_of(ctx.user.id), say, report=report),)


def shorten(text: str, limit: int = 40) -> str:
    """Words short enough for a button."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


Handler = Callable[[EffectContext], Awaitable[EffectResult]]
EFFECTS: dict[str, Handler] = {}


def effect(name: EffectName) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        EFFECTS[name] = handler
        return handler

    return register


async def run_effect(name: str, ctx: EffectContext) -> EffectResult:
    return await EFFECTS[name](ctx)


async def share_once(
    ctx: EffectContext, reflection_id: int, say: Say, report: str | None = None
) -> tuple[Notice, ...] | None:
    """*say* for the partner, sent at most once for the reflection it carries.

    None when the door to the partner is shut (see :func:`to_partner`); no
    notices when this reflection was shared already (a double press).
    """
    notices = await to_partner(ctx, say, report)
    if notices is None:
        return None
    return notices if await ctx.repos.reflections.mark_shared(reflection_id, ctx.now) else ()
