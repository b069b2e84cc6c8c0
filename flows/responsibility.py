"""Step 1, taking responsibility: a path for each role, declared as data.

The partner who broke trust names what happened and its impact, owns their
part (with a gentle check for excuses that never refuses), turns "what I
will do differently" into a commitment if they like, and writes an apology
in four parts that they may share after reading it back and confirming.
The hurt partner hears that needing time is fine, names what would help
them feel safer, and may share that as a request. "We both hurt each
other" walks both paths, one after the other. The role comes from the
profile; "I'd rather not say" asks which fits right now.

The database work (where to start, saving, sharing through the one door to
the partner) lives in bot/features/responsibility.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flows.commitments import MAX_COMMITMENT_CHARS, day_questions
from flows.engine import (
    DONE,
    LOOKED_AT,
    Context,
    FreeText,
    Label,
    Option,
    SecondLook,
    State,
    flow,
)
from flows.second_looks import excuse_meaning, find_excuse, find_vague_change

__all__ = ["find_excuse"]  # the excuse check's finder, as the runtime and tests know it


MAX_STORY_CHARS = 800  # what happened, its impact, what I take responsibility for
MAX_PART_CHARS = 500  # each part of the apology
MAX_NEEDS_CHARS = 600
NEEDS = ("transparency", "reassurance", "space", "actions")
# Each part of the apology: its draft name in the session (with "_") -> its saved name.
APOLOGY_FIELDS = {
    "ack": "acknowledge",
    "accept": "responsibility",
    "actions": "actions",
    "signs": "signs",
}
THEN_HURT = "_then_hurt"  # suffix of an effect result: the "both" path goes on to the hurt path

# ---------------------------------------------------------------- what the prompts show


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    return value if isinstance(value, str) else ""


def _excuse_check(answer: str) -> Callable[[Mapping[str, Any], Context], Mapping[str, Any]]:
    """The words of *answer* that may sound like an excuse, what they may sound like, and
    the whole answer."""

    def params(data: Mapping[str, Any], _ctx: Context) -> Mapping[str, Any]:
        text = _text(data, answer)
        return {
            "phrase": _text(data, LOOKED_AT) or find_excuse(text) or "",
            "text": text,
            "sounds": Label(f"responsibility.excuse_{excuse_meaning(text) or 'justify'}"),
        }

    return params


def _change(data: Mapping[str, Any], _ctx: Context) -> Mapping[str, Any]:
    return {"text": _text(data, "_change")}


def _earlier_own(data: Mapping[str, Any], _ctx: Context) -> Mapping[str, Any]:
    return {"earlier": _text(data, "_own")}


def _earlier_change(data: Mapping[str, Any], _ctx: Context) -> Mapping[str, Any]:
    return {"earlier": _text(data, "_change")}


def apology_params(data: Mapping[str, Any]) -> dict[str, str]:
    """The four parts of an apology, from the session drafts."""
    return {part: _text(data, f"_{part}") for part in APOLOGY_FIELDS}


def saved_apology(apology: Any) -> dict[str, str]:
    """The four parts of an apology, from its saved answers."""
    apology = apology if isinstance(apology, Mapping) else {}
    return {part: _text(apology, name) for part, name in APOLOGY_FIELDS.items()}


def _apology(data: Mapping[str, Any], _ctx: Context) -> Mapping[str, Any]:
    return {**apology_params(data), "partner": _text(data, "_partner")}


def _commit_saved(data: Mapping[str, Any], _ctx: Context) -> Mapping[str, Any]:
    reminder = data.get("_reminder")
    return {
        "when": Label("commit.checkin_at", {"time": reminder})
        if reminder
        else Label("commit.checkin_off")
    }


def need_labels(needs: Any) -> tuple[Label, ...] | str:
    picked = tuple(
        Label(f"responsibility.need_{need}")
        for need in NEEDS
        if isinstance(needs, list | tuple) and need in needs
    )
    return picked or ""


def _request(data: Mapping[str, Any], _ctx: Context) -> Mapping[str, Any]:
    return {
        "needs": need_labels(data.get("_needs")),
        "words": _text(data, "_needs_words"),
        "partner": _text(data, "_partner"),
    }


def _partner(data: Mapping[str, Any], _ctx: Context) -> Mapping[str, Any]:
    return {"partner": _text(data, "_partner"), "when": _text(data, "_when")}


def _shared(answers: Mapping[str, Any]) -> Label:
    return Label(
        "responsibility.look_shared" if answers.get("shared") else "responsibility.look_not_shared"
    )


def _looked(data: Mapping[str, Any], _ctx: Context) -> Mapping[str, Any]:
    """Everything written last time, read-only: the apology path, the request, or both."""
    broke, hurt = data.get("_prev_broke"), data.get("_prev_hurt")
    parts = []
    if isinstance(broke, Mapping):
        parts.append(
            Label(
                "responsibility.look_broke",
                {
                    "what": _text(broke, "what_happened"),
                    "impact": _text(broke, "impact"),
                    "own": _text(broke, "responsibility"),
                    "change": _text(broke, "do_differently"),
                    **saved_apology(broke.get("apology")),
                    "shared": _shared(broke),
                },
            )
        )
    if isinstance(hurt, Mapping):
        parts.append(
            Label(
                "responsibility.look_hurt",
                {
                    "needs": need_labels(hurt.get("needs")),
                    "words": _text(hurt, "looks_like"),
                    "shared": _shared(hurt),
                },
            )
        )
    if len(parts) == 2:
        written = Label("responsibility.look_both", {"broke": parts[0], "hurt": parts[1]})
    else:
        written = parts[0] if parts else Label("responsibility.look_nothing")
    return {"written": written}


# ---------------------------------------------------------------- building blocks


def _story(
    name: str, prompt: str, goto: str, max_chars: int = MAX_STORY_CHARS, **extra: Any
) -> State:
    return State(
        name, (prompt,), answer=f"_{name}", text=FreeText(goto=goto, max_chars=max_chars), **extra
    )


def _owned(
    name: str,
    prompt: str,
    goto: str,
    max_chars: int = MAX_STORY_CHARS,
    answer: str = "",
    **extra: Any,
) -> tuple[State, State]:
    """A question where an excuse can hide, and the gentle check its answer may get once:
    the words are reflected back, to be written again (here or at the question) or kept."""
    answer = answer or f"_{name}"
    check = f"{name}_check"
    look = SecondLook(find_excuse, goto=check)
    return (
        State(
            name,
            (prompt,),
            answer=answer,
            text=FreeText(goto=goto, max_chars=max_chars, second_look=look),
            **extra,
        ),
        State(
            check,
            ("responsibility.excuse_check",),
            answer=answer,
            params=_excuse_check(answer),
            text=FreeText(goto=goto, max_chars=max_chars),
            options=(
                Option("rewrite", "responsibility.rewrite", goto=name, records=False),
                Option("keep", "responsibility.keep_as_is", goto=goto, records=False),
            ),
        ),
    )


def _ending(
    name: str,
    keys: tuple[str, ...],
    then: tuple[str, ...] = (),
    jumps: tuple[tuple[str, str], ...] = (),
) -> tuple[State, ...]:
    """An end of the broke path (with what comes next, *then*, and its *jumps*), and the
    same words leading on to the hurt path."""
    return (
        State(name, (*keys, *then), params=_partner, jumps=jumps, ends=True),
        State(
            name + THEN_HURT,
            (*keys, "responsibility.bridge"),
            params=_partner,
            options=(
                Option("go_on", "responsibility.bridge_go_on", goto="hurt_intro"),
                Option("later", "responsibility.another_time", goto="later"),
            ),
        ),
    )


def _both_ways(result: str, state: str) -> dict[str, str]:
    return {result: state, result + THEN_HURT: state + THEN_HURT}


_ROLES = {"broke": "broke_intro", "hurt": "hurt_intro", "both": "both_intro", "private": "which"}
_LATER = Option("later", "responsibility.not_now", goto="later")
_EDITS = {
    "ack": "edit_ack",
    "accept": "edit_accept",
    "actions": "edit_actions",
    "signs": "edit_signs",
}
_OWNED_PARTS = ("ack", "accept")  # the parts of the apology where an excuse can hide

_BEGINNING = (
    State(
        "open",
        (),
        effect="step1_open",
        on_enter={"step": "1"},
        on_result={**_ROLES, "revisit": "revisit", "revisit_share": "revisit_share"},
    ),
    State("path", (), effect="step1_path", on_result=_ROLES),
    State(
        "which",
        ("responsibility.which",),
        answer="_path",
        options=(
            Option("broke", "responsibility.which_broke", goto="broke_intro"),
            Option("hurt", "responsibility.which_hurt", goto="hurt_intro"),
            Option("both", "responsibility.which_both", goto="both_intro"),
        ),
    ),
    State(
        "revisit",
        ("responsibility.revisit",),
        params=_partner,
        options=(
            Option("look", "responsibility.look_button", goto="look"),
            Option("again", "responsibility.begin_again", goto="path"),
            _LATER,
        ),
    ),
    State(
        "revisit_share",
        ("responsibility.revisit", "responsibility.revisit_unshared"),
        params=_partner,
        options=(
            Option("share", "responsibility.share_saved", goto="confirm_saved"),
            Option("look", "responsibility.look_button", goto="look"),
            Option("again", "responsibility.begin_again", goto="path"),
            _LATER,
        ),
    ),
    State("look", ("responsibility.look",), params=_looked, ends=True),
    State("later", ("responsibility.later",), ends=True),
)

_BROKE = (
    State(
        "both_intro",
        ("responsibility.both_intro", "responsibility.broke_intro"),
        options=(
            Option("begin", "responsibility.begin", goto="what"),
            Option("needs_first", "responsibility.needs_first", goto="hurt_intro"),
            _LATER,
        ),
    ),
    State(
        "broke_intro",
        ("responsibility.broke_intro",),
        options=(Option("begin", "responsibility.begin", goto="what"), _LATER),
    ),
    *_owned("what", "responsibility.what", goto="impact"),
    *_owned("impact", "responsibility.impact", goto="own"),
    *_owned("own", "responsibility.own", goto="change"),
    State(
        "change",
        ("responsibility.change",),
        answer="_change",
        text=FreeText(
            goto="offer_commit",
            max_chars=MAX_COMMITMENT_CHARS,
            second_look=SecondLook(find_vague_change, goto="change_seen"),
        ),
    ),
    # Asked once, when the change is a hope no one could see; whatever comes next is kept.
    State(
        "change_seen",
        ("responsibility.change_seen",),
        answer="_change",
        params=_change,
        text=FreeText(goto="offer_commit", max_chars=MAX_COMMITMENT_CHARS),
        options=(Option("keep", "responsibility.keep_as_is", goto="offer_commit", records=False),),
    ),
    State(
        "offer_commit",
        ("responsibility.offer_commit",),
        params=_change,
        options=(
            Option("yes", "responsibility.commit_yes", goto="days", copy=(("_text", "_change"),)),
            Option("no", "responsibility.commit_no", goto="ack"),
        ),
    ),
    *day_questions(goto="save_commit"),
    State(
        "save_commit",
        (),
        effect="save_commitment",
        on_result={"saved": "commit_saved", "linked": "visibility"},
    ),
    State(
        "visibility",
        ("commit.visibility",),
        answer="_visible",
        options=(
            Option("yes", "commit.visibility_yes", goto="set_visibility"),
            Option("no", "commit.visibility_no", goto="commit_saved"),
        ),
    ),
    State(
        "set_visibility",
        (),
        effect="commitment_visibility",
        on_result={"ok": "commit_saved", "refused": "commit_saved"},
    ),
    State(
        "commit_saved",
        ("responsibility.commit_saved",),
        params=_commit_saved,
        options=(Option("go_on", "responsibility.to_apology", goto="ack"),),
    ),
    *_owned("ack", "responsibility.ack", goto="accept", max_chars=MAX_PART_CHARS),
    *_owned(
        "accept",
        "responsibility.accept",
        goto="actions",
        max_chars=MAX_PART_CHARS,
        params=_earlier_own,
        options=(
            Option(
                "earlier",
                "responsibility.use_earlier",
                goto="actions",
                copy=(("_accept", "_own"),),
                records=False,
            ),
        ),
    ),
    _story(
        "actions",
        "responsibility.actions",
        goto="signs",
        max_chars=MAX_PART_CHARS,
        params=_earlier_change,
        options=(
            Option(
                "earlier",
                "responsibility.use_earlier",
                goto="signs",
                copy=(("_actions", "_change"),),
                records=False,
            ),
        ),
    ),
    _story("signs", "responsibility.signs", goto="apology_ready", max_chars=MAX_PART_CHARS),
    State(
        "apology_ready",
        (),
        effect="step1_apology_ready",
        on_result={"shareable": "apology_review", "private": "apology_review_private"},
    ),
    State(
        "apology_review",
        ("responsibility.apology_review",),
        params=_apology,
        options=(
            Option("share", "responsibility.share_apology", goto="broke_share"),
            Option("change", "responsibility.change_part", goto="change_part"),
            Option("keep", "responsibility.keep_private", goto="broke_keep"),
        ),
    ),
    State(
        "apology_review_private",
        ("responsibility.apology_review", "responsibility.private_note"),
        params=_apology,
        options=(
            Option("keep", "responsibility.keep_it", goto="broke_keep"),
            Option("change", "responsibility.change_part", goto="change_part"),
        ),
    ),
    State(
        "change_part",
        ("responsibility.which_part",),
        options=(
            *(
                Option(part, f"responsibility.part_{part}", goto=edit)
                for part, edit in _EDITS.items()
            ),
            Option("back", "responsibility.back", goto="apology_ready"),
        ),
    ),
    *(
        State(
            edit,
            (f"responsibility.edit_{part}",),
            answer=f"_{part}",
            params=_apology,
            text=FreeText(goto="apology_ready", max_chars=MAX_PART_CHARS),
        )
        for part, edit in _EDITS.items()
        if part not in _OWNED_PARTS
    ),
    *(
        state
        for part in _OWNED_PARTS
        for state in _owned(
            _EDITS[part],
            f"responsibility.edit_{part}",
            goto="apology_ready",
            max_chars=MAX_PART_CHARS,
            answer=f"_{part}",
            params=_apology,
        )
    ),
    State(
        "broke_share",
        (),
        effect="step1_broke_share",
        on_result={
            "confirm": "confirm_share",
            **_both_ways("unlinked", "apology_saved"),
            **_both_ways("unsafe", "apology_private"),
        },
    ),
    State(
        "confirm_share",
        ("responsibility.confirm_share",),
        params=_apology,
        options=(
            Option("send", "responsibility.send", goto="send_apology"),
            Option("not_now", "responsibility.dont_send", goto="broke_keep"),
        ),
    ),
    State(
        "confirm_saved",
        ("responsibility.confirm_saved",),
        params=_apology,
        options=(
            Option("send", "responsibility.send", goto="send_apology"),
            Option("not_now", "responsibility.dont_send", goto="apology_kept"),
        ),
    ),
    State(
        "send_apology",
        (),
        effect="step1_send_apology",
        on_result={
            **_both_ways("sent", "apology_sent"),
            **_both_ways("unlinked", "apology_saved"),
            **_both_ways("unsafe", "apology_private"),
        },
    ),
    State(
        "broke_keep", (), effect="step1_broke_keep", on_result=_both_ways("kept", "apology_kept")
    ),
    *_ending(
        "apology_sent",
        ("responsibility.apology_sent",),
        ("responsibility.after_apology",),
        (("responsibility.listen_button", "listen"), ("responsibility.steps_button", "steps")),
    ),
    *_ending("apology_kept", ("responsibility.apology_kept",)),
    *_ending("apology_saved", ("responsibility.apology_saved",)),
    *_ending("apology_private", ("responsibility.apology_private",)),
)

_HURT = (
    State(
        "hurt_intro",
        ("responsibility.hurt_intro",),
        options=(Option("go_on", "responsibility.hurt_go_on", goto="needs"), _LATER),
    ),
    State(
        "needs",
        ("responsibility.needs",),
        answer="_needs",
        pick_many=True,
        options=(
            *(Option(need, f"responsibility.need_{need}") for need in NEEDS),
            Option(DONE, "responsibility.needs_done", goto="needs_words"),
        ),
    ),
    State(
        "needs_words",
        ("responsibility.needs_words",),
        answer="_needs_words",
        text=FreeText(goto="request_ready", max_chars=MAX_NEEDS_CHARS),
    ),
    State(
        "request_ready",
        (),
        effect="step1_request_ready",
        on_result={"shareable": "request_review", "private": "request_review_private"},
    ),
    State(
        "request_review",
        ("responsibility.request_review",),
        params=_request,
        options=(
            Option("share", "responsibility.share_request", goto="hurt_share"),
            Option("change", "responsibility.change_request", goto="needs"),
            Option("keep", "responsibility.keep_private", goto="hurt_keep"),
        ),
    ),
    State(
        "request_review_private",
        ("responsibility.request_review", "responsibility.private_note"),
        params=_request,
        options=(
            Option("keep", "responsibility.keep_it", goto="hurt_keep"),
            Option("change", "responsibility.change_request", goto="needs"),
        ),
    ),
    State(
        "hurt_share",
        (),
        effect="step1_hurt_share",
        on_result={
            "confirm": "confirm_request",
            "unlinked": "request_saved",
            "unsafe": "request_private",
        },
    ),
    State(
        "confirm_request",
        ("responsibility.confirm_request",),
        params=_request,
        options=(
            Option("send", "responsibility.send", goto="send_request"),
            Option("not_now", "responsibility.dont_send", goto="hurt_keep"),
        ),
    ),
    State(
        "send_request",
        (),
        effect="step1_send_request",
        on_result={
            "sent": "request_sent",
            "unlinked": "request_saved",
            "unsafe": "request_private",
        },
    ),
    State("hurt_keep", (), effect="step1_hurt_keep", on_result={"kept": "request_kept"}),
    State("request_sent", ("responsibility.request_sent",), params=_partner, ends=True),
    State("request_kept", ("responsibility.request_kept",), ends=True),
    State("request_saved", ("responsibility.request_saved",), ends=True),
    State("request_private", ("responsibility.request_private",), ends=True),
)

RESPONSIBILITY = flow(
    "responsibility",
    "open",
    *_BEGINNING,
    *_BROKE,
    *_HURT,
    description="/responsibility: step 1, a path for each role; the apology or the request "
    "is shared only after a read-back and a confirmation.",
)
