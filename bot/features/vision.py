"""The database side of a new vision: saving the answers, and a reveal that needs both.

Each round of answers is a reflection of kind "vision" tied to the couple it was
written in. Its ``reveal`` column says where it stands:

* None: answered, no choice made yet;
* "show" / "keep": its owner chose, the partner has not yet;
* "shown" / "kept": the round is over (both revealed, or the answers stay private);
* "private": written under a private safety "yes", never part of any reveal.

A round is the newest answers of each partner in the couple that are not
private. Who may choose what is decided here, from the rows, never from a
button: only the owner, only while linked in that couple, only for their
newest answers, only once, and only once the partner has answered too. The
partner's row is locked first, so two partners finishing or choosing at the
same moment are taken one after the other.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from bot.db.couples import CoupleRecord
from bot.db.reflections import ReflectionRecord
from bot.db.users import UserRecord
from bot.turn.effects import EffectContext, EffectResult, Notice, effect, to_partner
from content import catalog
from content.dates import format_date
from flows.engine import Button, Say, item_data, menu_data
from flows.safety_check import private_mode
from flows.vision import QUESTIONS

KIND = "vision"
SHOW, KEEP, SHOWN, KEPT, PRIVATE = "show", "keep", "shown", "kept", "private"
CHOSEN, SETTLED = (SHOW, KEEP), (SHOWN, KEPT)


def _date(ctx: EffectContext, moment: datetime) -> str:
    return format_date(moment, ctx.user.locale, ctx.user.time_zone)


def _words(row: ReflectionRecord) -> dict[str, str]:
    return {name: str(row.answers.get(name) or "") for name in QUESTIONS}


def _saved_answers(row: ReflectionRecord) -> dict[str, dict[str, str]]:
    """The saved answers as the flow keeps them in its session."""
    return {"_mine": _words(row)}


def _as(ctx: EffectContext, user: UserRecord) -> EffectContext:
    return replace(ctx, user=user)


def _called(ctx: EffectContext, partner: UserRecord | None) -> str:
    """How the partner is named in this user's own chat, mid-sentence."""
    if partner is not None and partner.name:
        return partner.name
    return catalog(ctx.user.locale).plain("vision.your_partner")


def _newest(rows: list[ReflectionRecord], user_id: int) -> ReflectionRecord | None:
    """This user's answers in the round: their newest that may take part in a reveal."""
    counted = [row for row in rows if row.user_id == user_id and row.reveal != PRIVATE]
    return counted[-1] if counted else None


def _counterpart(
    rows: list[ReflectionRecord], partner: UserRecord | None
) -> ReflectionRecord | None:
    """The partner's answers waiting in this round, if any.

    A partner whose safety answer is now "yes" counts as not having answered:
    nothing about them reaches the other.
    """
    if partner is None or private_mode(partner.profile):
        return None
    theirs = _newest(rows, partner.id)
    return theirs if theirs is not None and theirs.reveal not in SETTLED else None


async def _partner(ctx: EffectContext, couple: CoupleRecord) -> UserRecord | None:
    return await ctx.repos.users.lock_existing(couple.partner_of(ctx.user.id))


def _choice_buttons(row_id: int) -> tuple[tuple[Button, ...], ...]:
    return (
        (Button("vision.show_button", item_data("w", row_id, SHOW)),),
        (Button("vision.keep_button", item_data("w", row_id, KEEP)),),
    )


def _draft_button(row_id: int) -> tuple[tuple[Button, ...], ...]:
    return ((Button("vision.draft_button", item_data("w", row_id, "draft")),),)


# ---------------------------------------------------------------- where things stand


@effect("vision_status")
async def vision_status(ctx: EffectContext) -> EffectResult:
    couple = await ctx.repos.couples.active_for(ctx.user.id)
    partner = await ctx.repos.users.get(couple.partner_of(ctx.user.id)) if couple else None
    mode = "safety" if not ctx.may_tell_partner() else "linked" if couple else "solo"
    if (
        couple
        and mode == "linked"
        and _counterpart(await ctx.repos.reflections.of_couple(couple.id, KIND), partner)
    ):
        mode = "answered"  # the intro must not say "until they have answered"
    data: dict[str, Any] = {"_mode": mode, "_partner": _called(ctx, partner)}
    rows = await ctx.repos.reflections.of_user(ctx.user.id, (KIND,))
    if not rows:
        return EffectResult("new", data)
    mine = rows[-1]
    data.update(_saved_answers(mine), _reflection=mine.id, _date=_date(ctx, mine.created_at))
    if mine.reveal == PRIVATE or (mode == "safety" and mine.reveal not in SETTLED):
        return EffectResult("private", {**data, "_note": "safety"})  # never revealed, for now
    if mine.couple_id is None or couple is None or mine.couple_id != couple.id:
        note = "solo" if mine.couple_id is None else "ended"
        return EffectResult("private", {**data, "_note": note})
    if mine.reveal == SHOWN:
        shown_on = _date(ctx, mine.shared_at or mine.updated_at)
        return EffectResult("shown", {**data, "_date": shown_on})
    if mine.reveal in (KEPT, *CHOSEN):
        return EffectResult("kept" if mine.reveal == KEPT else "chosen", data)
    theirs = _counterpart(await ctx.repos.reflections.of_couple(couple.id, KIND), partner)
    return EffectResult("choose" if theirs else "waiting", data)


# ---------------------------------------------------------------- answering


@effect("vision_save")
async def vision_save(ctx: EffectContext) -> EffectResult:
    answers = {name: ctx.data.get(f"_{name}") or "" for name in QUESTIONS}
    couple = await ctx.repos.couples.active_for(ctx.user.id)
    reflections = ctx.repos.reflections
    row = await reflections.add(
        ctx.user.id, KIND, answers, ctx.now, couple_id=couple.id if couple else None
    )
    # Saved: the typed drafts go, the saved answers stay for what follows.
    data: dict[str, Any] = {
        **{f"_{name}": None for name in QUESTIONS},
        "_mine": answers,
        "_reflection": row,
    }
    if not ctx.may_tell_partner():
        await reflections.choose_reveal(row, PRIVATE, ctx.now)
        return EffectResult("private", data)
    if couple is None:
        return EffectResult("solo", data)
    partner = await _partner(ctx, couple)
    data["_partner"] = _called(ctx, partner)
    theirs = _counterpart(await reflections.of_couple(couple.id, KIND), partner)
    if theirs is None:
        return EffectResult("waiting", data, await _finished_first(ctx, partner))
    notices: tuple[Notice, ...] = ()
    if theirs.reveal is None:  # a partner who already chose is not asked again
        ask = Say(("vision.ask_partner",), {"who": ctx.my_name()}, _choice_buttons(theirs.id))
        notices = await to_partner(ctx, ask) or ()
    return EffectResult("both", data, notices)


async def _finished_first(ctx: EffectContext, partner: UserRecord | None) -> tuple[Notice, ...]:
    """The partner hears that these answers are done (never the words), and where theirs
    wait; said once a round, not again for answers rewritten before they answered. A
    partner whose safety answer is "yes" is not drawn into it."""
    if partner is None or private_mode(partner.profile):
        return ()
    rows = await ctx.repos.reflections.of_user(ctx.user.id, (KIND,))
    earlier = [
        row for row in rows[:-1] if row.couple_id == rows[-1].couple_id and row.reveal is None
    ]
    if earlier:
        return ()
    say = Say(
        ("vision.partner_finished",),
        {"who": ctx.my_name()},
        ((Button("vision.partner_finished_button", menu_data("vision")),),),
    )
    return await to_partner(ctx, say) or ()


# ---------------------------------------------------------------- choosing


@dataclass(frozen=True)
class _Round:
    """A choice this user may make now: their answers, the partner's, and the partner."""

    mine: ReflectionRecord
    theirs: ReflectionRecord
    partner: UserRecord


async def _choosable(ctx: EffectContext, row_id: int) -> _Round | str:
    """The round this user may choose in for *row_id*, or the result that says why not."""
    mine = await ctx.repos.reflections.get(row_id)
    couple = await ctx.repos.couples.active_for(ctx.user.id)
    if (
        mine is None
        or mine.user_id != ctx.user.id
        or mine.kind != KIND
        or couple is None
        or mine.couple_id != couple.id
        or mine.reveal == PRIVATE
    ):
        return "refused"
    if not ctx.may_tell_partner():
        return "safety"
    partner = await _partner(ctx, couple)
    rows = await ctx.repos.reflections.of_couple(couple.id, KIND)
    newest = _newest(rows, ctx.user.id)
    if newest is None or newest.id != mine.id:
        return "stale"
    if mine.reveal is not None:
        return "already"
    theirs = _counterpart(rows, partner)
    if theirs is None or partner is None:
        return "not_ready"
    return _Round(mine, theirs, partner)


@effect("vision_open_reveal")
async def vision_open_reveal(ctx: EffectContext) -> EffectResult:
    row_id, action = int(ctx.data.get("_item") or 0), ctx.data.get("_action")
    if action == "draft":
        mine = await ctx.repos.reflections.get(row_id)
        if mine is None or mine.user_id != ctx.user.id or mine.kind != KIND:
            return EffectResult("refused")
        return EffectResult("draft", _saved_answers(mine))
    if action not in CHOSEN:
        return EffectResult("refused")
    found = await _choosable(ctx, row_id)
    if isinstance(found, str):
        return EffectResult(found)
    data = {
        **_saved_answers(found.mine),
        "_reflection": found.mine.id,
        "_partner": _called(ctx, found.partner),
        "_choice": action,
    }
    return EffectResult(action, data)


@effect("vision_choose")
async def vision_choose(ctx: EffectContext) -> EffectResult:
    choice = ctx.data.get("_choice")
    found = await _choosable(ctx, int(ctx.data.get("_reflection") or 0))
    if isinstance(found, str):
        return EffectResult(found)
    if choice not in CHOSEN:
        return EffectResult("refused")
    await ctx.repos.reflections.choose_reveal(found.mine.id, choice, ctx.now)
    if found.theirs.reveal is None:
        return EffectResult("waiting")
    return await _settle(ctx, found, both_show=choice == SHOW and found.theirs.reveal == SHOW)


async def _settle(ctx: EffectContext, found: _Round, both_show: bool) -> EffectResult:
    """Both chose: each sees the other's words, or both hear that they stay private."""
    reflections = ctx.repos.reflections
    mine, theirs, partner = found.mine, found.theirs, found.partner
    if both_show:
        their_side = _as(ctx, partner)
        to_them = await to_partner(
            ctx,
            Say(
                ("vision.their_words",),
                {"who": ctx.my_name(), **_words(mine)},
                _draft_button(theirs.id),
            ),
        )
        to_me = await to_partner(
            their_side,
            Say(("vision.their_words",), {"who": their_side.my_name(), **_words(theirs)}),
        )
        if to_them and to_me:  # both ways, or neither
            for row in (mine, theirs):
                await reflections.choose_reveal(row.id, SHOWN, ctx.now)
                await reflections.mark_shared(row.id, ctx.now)
            return EffectResult("shown", {}, (*to_me, *to_them))
    for row in (mine, theirs):
        await reflections.choose_reveal(row.id, KEPT, ctx.now)
    told = await to_partner(ctx, Say(("vision.stays_private",), {}, _draft_button(theirs.id)))
    return EffectResult("kept", {}, told or ())


# ---------------------------------------------------------------- drafting an agreement


@effect("vision_draft_gate")
async def vision_draft_gate(ctx: EffectContext) -> EffectResult:
    """A proposal goes to the partner; under a private safety "yes" nothing does."""
    couple = await ctx.repos.couples.active_for(ctx.user.id)
    return EffectResult("private" if couple and not ctx.may_tell_partner() else "ok")
