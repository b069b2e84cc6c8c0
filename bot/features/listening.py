"""The database side of deep listening (step 2): the effects its flow asks for.

Who may do what is decided from the exercise row, never from the button: only
the listener reflects, only the speaker says whether they feel heard, either
may pause, only the one who paused may resume (the other may ask them, once
per pause, gently), and nothing moves once the couple unlinked. The
speaker's words wait as their private draft until they confirm sending.
Someone whose private safety answer is "yes" takes no part: the bot neither
brings the exercise to them nor tells their partner anything about it.
"""

from __future__ import annotations

from bot.db import listening as R
from bot.db.couples import CoupleRecord
from bot.db.listening import ExerciseRecord
from bot.db.reflections import ReflectionRecord
from bot.nudges.kinds import remind_later
from bot.turn.effects import EffectContext, EffectResult, Notice, effect
from flows.engine import Button, Say, item_data, menu_data
from flows.listening import FEELINGS, MAX_SHARE_CHARS
from flows.safety_check import private_mode

DRAFT, SOLO = "listen_draft", "listen_solo"
# Where an open exercise leaves each partner.
_SITUATION = {
    (R.LISTENING, "listener"): "reflect",
    (R.ANSWERING, "speaker"): "answer",
    (R.LISTENING, "speaker"): "waiting",
    (R.ANSWERING, "listener"): "waiting",
}
# Which button presses fit which situation; any other press is stale. "paused" is the
# one who paused; "held" the partner waiting on their pause, whose old Resume button
# (or a second ask) is answered with why it is not theirs.
_PRESSES = {
    "reflect": {"reflect", "pause", "open"},
    "answer": {"heard", *FEELINGS, "pause", "open"},
    "waiting": {"pause", "open"},
    "paused": {"resume", "open"},
    "held": {"ask", "resume", "open"},
}


def _situation(exercise: ExerciseRecord, user_id: int) -> str:
    if exercise.status == R.PAUSED:
        return "held" if exercise.paused_by not in (None, user_id) else "paused"
    role = "speaker" if user_id == exercise.speaker_id else "listener"
    return _SITUATION[(exercise.status, role)]


async def _safe(ctx: EffectContext, user_id: int) -> bool:
    record = await ctx.repos.users.get(user_id)
    return record is not None and not private_mode(record.profile)


async def _tell(ctx: EffectContext, user_id: int, say: Say) -> tuple[Notice, ...]:
    """A word to the other partner about the exercise, unless they may not be safe with it."""
    return (Notice(user_id, say),) if await _safe(ctx, user_id) else ()


async def _draft(ctx: EffectContext) -> ReflectionRecord | None:
    draft = await ctx.repos.reflections.latest(ctx.user.id, DRAFT)
    return draft if draft is not None and draft.shared_at is None else None


async def _open_exercise(ctx: EffectContext) -> tuple[CoupleRecord | None, ExerciseRecord | None]:
    """The active couple and its exercise, if one is open and this user is in it."""
    couple = await ctx.repos.couples.active_for(ctx.user.id)
    if couple is None:
        return None, None
    exercise = await ctx.repos.listening.current(couple.id)
    if exercise is None or exercise.status not in R.OPEN_STATUSES:
        return couple, None
    return couple, exercise


async def _words(ctx: EffectContext, exercise: ExerciseRecord) -> dict[str, str]:
    """What the listener and the speaker are shown of the exercise so far."""
    turns = await ctx.repos.listening.turns(exercise.id)
    shared = [t.text for t in turns if t.kind == R.SHARE]
    missed = [t.text for t in turns if t.kind == R.MISSED and t.attempt == exercise.attempt - 1]
    reflections = [
        t.text for t in turns if t.kind == R.REFLECTION and t.attempt == exercise.attempt
    ]
    return {
        "_words": "\n\n".join(shared),
        "_missed": missed[-1] if missed else "",
        "_reflection": reflections[-1] if reflections else "",
    }


# ---------------------------------------------------------------- where it stands


@effect("open_listening")
async def open_listening(ctx: EffectContext) -> EffectResult:
    pressed_id, action = int(ctx.data.get("_item") or 0), ctx.data.get("_action")
    if pressed_id and not await _took_part(ctx, pressed_id):
        return EffectResult("refused")
    couple, exercise = await _open_exercise(ctx)
    if couple is None:
        return EffectResult("ended" if pressed_id else "solo")
    if not ctx.may_tell_partner():
        return EffectResult("unsafe")
    data = {"_partner": await ctx.name_of(couple.partner_of(ctx.user.id))}
    if pressed_id and (exercise is None or exercise.id != pressed_id):
        return EffectResult(await _old_press(ctx, pressed_id), data)
    if exercise is None:
        return EffectResult(await _fresh_start(ctx, couple, data), data)
    situation = _situation(exercise, ctx.user.id)
    result = situation
    if action:
        result = action if action in _PRESSES[situation] else "stale"
        result = situation if result == "open" else result
        result = "reflect_now" if result == "reflect" else result  # the guidance came with it
    if situation == "held":
        result = await _held(ctx, exercise, result)
    if result in FEELINGS:
        data["_feeling"] = result
    return EffectResult(result, {**data, **await _words(ctx, exercise)})


async def _held(ctx: EffectContext, exercise: ExerciseRecord, result: str) -> str:
    """Where the partner who did not pause stands: they may ask once, never resume."""
    if await _asked(ctx, exercise):
        return "held_asked"
    return "ask" if result == "ask" else "held"


async def _asked(ctx: EffectContext, exercise: ExerciseRecord) -> bool:
    """Whether the partner already asked, gently, since the latest pause."""
    turns = await ctx.repos.listening.turns(exercise.id)
    pauses = [t.id for t in turns if t.kind == R.PAUSE]
    return any(t.kind == R.ASK and t.id > max(pauses, default=0) for t in turns)


async def _took_part(ctx: EffectContext, exercise_id: int) -> bool:
    pressed = await ctx.repos.listening.get(exercise_id)
    return pressed is not None and ctx.user.id in (pressed.speaker_id, pressed.listener_id)


async def _old_press(ctx: EffectContext, pressed_id: int) -> str:
    old = await ctx.repos.listening.get(pressed_id)
    return "ended" if old is not None and old.status == R.ENDED else "stale"


async def _fresh_start(ctx: EffectContext, couple: CoupleRecord, data: dict) -> str:
    draft = await _draft(ctx)
    if draft is not None and draft.answers.get("parts"):
        data["_parts_count"] = len(draft.answers["parts"])
        return "writing"
    last = await ctx.repos.listening.current(couple.id)
    if last is not None and last.status == R.HEARD and last.listener_id == ctx.user.id:
        return "your_turn"
    return "begin"


# ---------------------------------------------------------------- the speaker writes


@effect("save_listening_part")
async def save_listening_part(ctx: EffectContext) -> EffectResult:
    draft = await _draft(ctx)
    parts = list(draft.answers.get("parts", ())) if draft else []
    if sum(len(part) for part in [*parts, ctx.data["_part"]]) > MAX_SHARE_CHARS:
        return EffectResult("full", {"_parts_count": len(parts)})
    parts.append(ctx.data["_part"])
    if draft is None:
        await ctx.repos.reflections.add(ctx.user.id, DRAFT, {"parts": parts}, ctx.now)
    else:
        await ctx.repos.reflections.replace_answers(draft.id, {"parts": parts}, ctx.now)
    return EffectResult("ok", {"_parts_count": len(parts)})


@effect("read_listening_draft")
async def read_listening_draft(ctx: EffectContext) -> EffectResult:
    draft = await _draft(ctx)
    parts = draft.answers.get("parts", []) if draft else []
    return EffectResult("ok" if parts else "empty", {"_words": "\n\n".join(parts)})


@effect("drop_listening_draft")
async def drop_listening_draft(ctx: EffectContext) -> EffectResult:
    draft = await _draft(ctx)
    if draft is not None:
        await ctx.repos.reflections.replace_answers(draft.id, {"parts": []}, ctx.now)
    return EffectResult("ok", {"_parts_count": 0})


@effect("send_listening")
async def send_listening(ctx: EffectContext) -> EffectResult:
    couple, exercise = await _open_exercise(ctx)
    draft = await _draft(ctx)
    if couple is None or not ctx.may_tell_partner():
        return EffectResult("ended")
    if exercise is not None:
        return EffectResult("busy")  # the partner shared first: their turn comes first
    parts = draft.answers.get("parts", []) if draft else []
    if draft is None or not parts:
        return EffectResult("stale")
    listener = couple.partner_of(ctx.user.id)
    exercise_id = await ctx.repos.listening.start(couple.id, ctx.user.id, listener, ctx.now)
    for part in parts:
        await ctx.repos.listening.add_turn(exercise_id, ctx.user.id, R.SHARE, 1, part, ctx.now)
    await ctx.repos.reflections.mark_shared(draft.id, ctx.now)
    await remind_later(ctx.repos, listener, f"l{exercise_id}.1.{R.LISTENING}", ctx.now)
    say = Say(
        ("listening.notify_shared",),
        {"who": ctx.my_name(), "words": "\n\n".join(parts)},
        _listener_buttons(exercise_id),
    )
    return EffectResult("sent", {}, await _tell(ctx, listener, say))


def _listener_buttons(exercise_id: int) -> tuple[tuple[Button, ...], ...]:
    return (
        (
            Button("listening.reflect", item_data("l", exercise_id, "reflect")),
            Button("listening.pause", item_data("l", exercise_id, "pause")),
        ),
    )


# ---------------------------------------------------------------- the listener reflects


def _reflection_text(ctx: EffectContext) -> str:
    parts = (ctx.data.get("_hear"), ctx.data.get("_validate"), ctx.data.get("_imagine"))
    return "\n\n".join(part for part in parts if part)


async def _in(
    ctx: EffectContext, situation: str
) -> tuple[CoupleRecord | None, ExerciseRecord | None]:
    """The open exercise, only if it still leaves this user in *situation*."""
    couple, exercise = await _open_exercise(ctx)
    if exercise is None or _situation(exercise, ctx.user.id) != situation:
        return couple, None
    return couple, exercise


def _gone(couple: CoupleRecord | None) -> EffectResult:
    return EffectResult("ended" if couple is None else "stale")


@effect("send_reflection")
async def send_reflection(ctx: EffectContext) -> EffectResult:
    couple, exercise = await _in(ctx, "reflect")
    if exercise is None or not ctx.may_tell_partner():
        return _gone(couple)
    text = _reflection_text(ctx)
    repo = ctx.repos.listening
    if not await repo.move(exercise, R.ANSWERING, ctx.now):
        return EffectResult("stale")
    await repo.add_turn(exercise.id, ctx.user.id, R.REFLECTION, exercise.attempt, text, ctx.now)
    ref = f"l{exercise.id}.{exercise.attempt}.{R.ANSWERING}"
    await remind_later(ctx.repos, exercise.speaker_id, ref, ctx.now)
    buttons = (
        (Button("listening.heard", item_data("l", exercise.id, "heard")),),
        (
            Button("listening.partly", item_data("l", exercise.id, "partly")),
            Button("listening.notyet", item_data("l", exercise.id, "notyet")),
        ),
        (Button("listening.pause", item_data("l", exercise.id, "pause")),),
    )
    say = Say(("listening.notify_reflection",), {"who": ctx.my_name(), "reflection": text}, buttons)
    return EffectResult("sent", {}, await _tell(ctx, exercise.speaker_id, say))


# ---------------------------------------------------------------- the speaker answers


@effect("mark_heard")
async def mark_heard(ctx: EffectContext) -> EffectResult:
    couple, exercise = await _in(ctx, "answer")
    if exercise is None or not await ctx.repos.listening.move(exercise, R.HEARD, ctx.now):
        return _gone(couple)
    say = Say(
        ("listening.notify_heard",),
        {"who": ctx.my_name()},
        ((Button("listening.speak_now", menu_data("listen")),),),
    )
    return EffectResult("ok", {}, await _tell(ctx, exercise.listener_id, say))


@effect("send_missed")
async def send_missed(ctx: EffectContext) -> EffectResult:
    couple, exercise = await _in(ctx, "answer")
    if exercise is None or not ctx.may_tell_partner():
        return _gone(couple)
    repo = ctx.repos.listening
    attempt = exercise.attempt + 1
    if not await repo.move(exercise, R.LISTENING, ctx.now, attempt=attempt):
        return EffectResult("stale")
    missed = ctx.data["_missed"]
    await repo.add_turn(exercise.id, ctx.user.id, R.MISSED, exercise.attempt, missed, ctx.now)
    await remind_later(
        ctx.repos, exercise.listener_id, f"l{exercise.id}.{attempt}.{R.LISTENING}", ctx.now
    )
    feeling = ctx.data.get("_feeling") if ctx.data.get("_feeling") in FEELINGS else "partly"
    say = Say(
        (f"listening.notify_{feeling}",),
        {"who": ctx.my_name(), "missed": missed},
        _listener_buttons(exercise.id),
    )
    return EffectResult("sent", {}, await _tell(ctx, exercise.listener_id, say))


@effect("offer_swap")
async def offer_swap(ctx: EffectContext) -> EffectResult:
    couple = await ctx.repos.couples.active_for(ctx.user.id)
    last = couple and await ctx.repos.listening.current(couple.id)
    if not last or last.status != R.HEARD or last.speaker_id != ctx.user.id:
        return _gone(couple)
    say = Say(
        ("listening.notify_swap",),
        {"who": ctx.my_name()},
        ((Button("listening.speak_now", menu_data("listen")),),),
    )
    return EffectResult("ok", {}, await _tell(ctx, last.listener_id, say))


# ---------------------------------------------------------------- pausing


@effect("pause_listening")
async def pause_listening(ctx: EffectContext) -> EffectResult:
    couple, exercise = await _open_exercise(ctx)
    if exercise is None or exercise.status == R.PAUSED:
        return _gone(couple)
    moved = await ctx.repos.listening.move(
        exercise, R.PAUSED, ctx.now, paused_by=ctx.user.id, resume_status=exercise.status
    )
    if not moved:
        return EffectResult("stale")
    words = ctx.data.get("_pause_words") or ""
    await ctx.repos.listening.add_turn(
        exercise.id, ctx.user.id, R.PAUSE, exercise.attempt, words, ctx.now
    )
    keys = (
        ("listening.notify_paused", "listening.their_words")
        if words
        else ("listening.notify_paused",)
    )
    # The pause is theirs to lift: the partner gets no Resume, only a gentle ask.
    say = Say(
        (*keys, "listening.notify_paused_theirs"),
        {"who": ctx.my_name(), "words": words},
        ((Button("listening.ask_gently", item_data("l", exercise.id, "ask")),),),
    )
    other = exercise.other(ctx.user.id)
    notices = await _tell(ctx, other, say) if ctx.may_tell_partner() else ()
    return EffectResult("ok", {}, notices)


@effect("resume_listening")
async def resume_listening(ctx: EffectContext) -> EffectResult:
    couple, exercise = await _in(ctx, "paused")
    back = exercise.resume_status if exercise else None
    if exercise is None or back not in R.OPEN_STATUSES:
        return _gone(couple)
    if not await ctx.repos.listening.move(
        exercise, back, ctx.now, paused_by=None, resume_status=None
    ):
        return EffectResult("stale")
    say = Say(
        ("listening.notify_resumed",),
        {"who": ctx.my_name()},
        ((Button("listening.where_now", menu_data("listen")),),),
    )
    return EffectResult(
        "ok", {"_item": None, "_action": None}, await _tell(ctx, exercise.other(ctx.user.id), say)
    )


@effect("ask_to_resume")
async def ask_to_resume(ctx: EffectContext) -> EffectResult:
    """The partner waiting on a pause lets the one who paused know, once, that they're ready."""
    couple, exercise = await _in(ctx, "held")
    if exercise is None or exercise.paused_by is None or not ctx.may_tell_partner():
        return _gone(couple)
    if await _asked(ctx, exercise):
        return EffectResult("already")
    await ctx.repos.listening.add_turn(
        exercise.id, ctx.user.id, R.ASK, exercise.attempt, "", ctx.now
    )
    say = Say(
        ("listening.notify_asked",),
        {"who": ctx.my_name()},
        ((Button("listening.resume", item_data("l", exercise.id, "resume")),),),
    )
    return EffectResult(
        "asked", {"_item": None, "_action": None}, await _tell(ctx, exercise.paused_by, say)
    )


# ---------------------------------------------------------------- alone


@effect("save_listening_solo")
async def save_listening_solo(ctx: EffectContext) -> EffectResult:
    answers = {
        "words": ctx.data.get("_solo_words", ""),
        "reflection": ctx.data.get("_solo_reflection", ""),
    }
    await ctx.repos.reflections.add(ctx.user.id, SOLO, answers, ctx.now)
    return EffectResult("ok")
