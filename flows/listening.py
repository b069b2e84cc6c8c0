"""Step 2, deep listening: one partner speaks, the other reflects, until the speaker feels heard.

One flow serves both chats. Where the exercise stands lives in the database,
so the first effect decides which question this user meets: the speaker
writing in parts, the listener reflecting, the speaker answering "heard /
partly / not yet", or the pause either may call and only its caller lifts (the
other may ask them, once, gently). The speaker's words reach
the listener only after a read-back and a confirmed send; a reflection goes
back the same way. Not linked (or not safe to do it together), it becomes a
solo practice that shows what linking adds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from flows.engine import LOOKED_AT, Context, FreeText, Label, Option, SecondLook, State, flow
from flows.second_looks import find_own_side

MAX_PART_CHARS = 1500
MAX_SHARE_CHARS = 3300  # every part together, so the listener's message fits in one
MAX_REFLECTION_CHARS = 1000
MAX_PAUSE_WORDS = 300
FEELINGS = ("partly", "notyet")

# Where the first effect sends this user, by where the exercise stands for them.
_OPENED = {
    "solo": "solo_intro",
    "unsafe": "unsafe_intro",
    "begin": "intro",
    "your_turn": "your_turn",
    "writing": "resume_writing",
    "waiting": "waiting",
    "reflect": "reflect_intro",
    "reflect_now": "hear",
    "answer": "answer",
    "heard": "mark_heard",
    "partly": "missed",
    "notyet": "missed",
    "pause": "pause_confirm",
    "paused": "paused",
    "resume": "resume",
    "held": "held",
    "held_asked": "held_asked",
    "ask": "ask_confirm",
    "stale": "stale",
    "ended": "ended",
    "refused": "refused",
}
# What an exercise effect may answer besides its own success.
_GONE = {"stale": "stale", "ended": "ended"}


def _names(data: Mapping[str, Any], _ctx: Context) -> Mapping[str, Any]:
    return {"partner": data.get("_partner", ""), "parts": data.get("_parts_count", 0)}


def _words(data: Mapping[str, Any], _ctx: Context) -> Mapping[str, Any]:
    missed = data.get("_missed")
    return {
        "partner": data.get("_partner", ""),
        "words": data.get("_words", ""),
        "missed": Label("listening.missed_line", {"missed": missed}) if missed else "",
        "reflection": data.get("_reflection", ""),
    }


def _draft_reflection(data: Mapping[str, Any], _ctx: Context) -> Mapping[str, Any]:
    return {
        "partner": data.get("_partner", ""),
        "hear": data.get("_hear", ""),
        "validate": data.get("_validate", ""),
        "imagine": data.get("_imagine") or "",
    }


def _pause_words(data: Mapping[str, Any], _ctx: Context) -> Mapping[str, Any]:
    return {"partner": data.get("_partner", ""), "words": data.get("_pause_words", "")}


def _writing() -> tuple[State, ...]:
    """The speaker writes in parts, reads it all back, and chooses to send."""
    more = Option("more", "listening.add_more", goto="write")
    read = Option("read", "listening.read_back", goto="readback")
    restart = Option("restart", "listening.start_over", goto="confirm_restart")
    part = FreeText(goto="save_part", max_chars=MAX_PART_CHARS)
    return (
        State(
            "intro",
            ("listening.intro",),
            params=_names,
            options=(
                Option("begin", "listening.begin", goto="write"),
                Option("later", "listening.not_now", goto="later"),
            ),
        ),
        State(
            "your_turn",
            ("listening.your_turn",),
            params=_names,
            options=(
                Option("begin", "listening.begin", goto="write"),
                Option("later", "listening.not_now", goto="later"),
            ),
        ),
        State("write", ("listening.write",), params=_names, answer="_part", text=part),
        State(
            "save_part",
            (),
            effect="save_listening_part",
            on_result={"ok": "written", "full": "full", **_GONE},
        ),
        State(
            "written",
            ("listening.written",),
            params=_names,
            answer="_part",
            text=part,
            options=(read,),
        ),
        State("full", ("listening.full",), params=_names, options=(read, restart)),
        State(
            "resume_writing",
            ("listening.resume_writing",),
            params=_names,
            options=(more, read, restart),
        ),
        State(
            "readback",
            (),
            effect="read_listening_draft",
            on_result={"ok": "review", "empty": "write", **_GONE},
        ),
        State(
            "review",
            ("listening.review",),
            params=_words,
            options=(
                Option("send", "listening.send", goto="confirm_send"),
                more,
                restart,
                Option("keep", "listening.not_now", goto="kept"),
            ),
        ),
        State(
            "confirm_send",
            ("listening.confirm_send",),
            params=_names,
            options=(
                Option("send", "listening.send_yes", goto="send"),
                Option("keep", "listening.send_not_yet", goto="kept"),
            ),
        ),
        State(
            "send", (), effect="send_listening", on_result={"sent": "sent", "busy": "busy", **_GONE}
        ),
        State("sent", ("listening.sent",), params=_names, ends=True),
        State("busy", ("listening.busy",), params=_names, ends=True),
        State(
            "confirm_restart",
            ("listening.restart_confirm",),
            options=(
                Option("restart", "listening.restart_yes", goto="restart"),
                Option("keep", "listening.restart_no", goto="readback"),
            ),
        ),
        State("restart", (), effect="drop_listening_draft", on_result={"ok": "write"}),
        State("kept", ("listening.kept",), ends=True),
        State("later", ("listening.later",), ends=True),
    )


def _own_side(answer: str) -> Callable[[Mapping[str, Any], Context], Mapping[str, Any]]:
    def params(data: Mapping[str, Any], _ctx: Context) -> Mapping[str, Any]:
        return {
            "partner": data.get("_partner", ""),
            "phrase": data.get(LOOKED_AT, ""),
            "text": data.get(answer, ""),
        }

    return params


def _reflected(name: str, goto: str, **extra: Any) -> tuple[State, State]:
    """A part of the reflection, and the gentle check it gets once if it adds the listener's
    own side ("but I was drowning too"): written again, here or at the question, or kept."""
    answer, check = f"_{name}", f"{name}_check"
    text = FreeText(goto=goto, max_chars=MAX_REFLECTION_CHARS)
    return (
        State(
            name,
            (f"listening.{name}",),
            params=_names,
            answer=answer,
            text=replace(text, second_look=SecondLook(find_own_side, goto=check)),
            **extra,
        ),
        State(
            check,
            ("listening.own_side_check",),
            params=_own_side(answer),
            answer=answer,
            text=text,
            options=(
                Option("rewrite", "listening.write_again", goto=name, records=False),
                Option("keep", "listening.keep_as_is", goto=goto, records=False),
            ),
        ),
    )


def _reflecting() -> tuple[State, ...]:
    """The listener reflects back, validates and imagines, reads it back, sends."""
    return (
        State(
            "reflect_intro",
            ("listening.reflect_intro",),
            params=_words,
            options=(
                Option("reflect", "listening.reflect", goto="hear"),
                Option("pause", "listening.pause", goto="pause_confirm"),
                Option("later", "listening.not_now", goto="later"),
            ),
        ),
        *_reflected("hear", goto="validate"),
        *_reflected("validate", goto="imagine"),
        *_reflected(
            "imagine",
            goto="reflection_review",
            options=(Option("skip", "listening.skip", goto="reflection_review", records=False),),
        ),
        State(
            "reflection_review",
            ("listening.reflection_review",),
            params=_draft_reflection,
            options=(
                Option("send", "listening.send", goto="send_reflection"),
                Option("again", "listening.write_again", goto="hear"),
                Option("later", "listening.not_now", goto="later"),
            ),
        ),
        State(
            "send_reflection",
            (),
            effect="send_reflection",
            on_result={"sent": "reflection_sent", **_GONE},
        ),
        State("reflection_sent", ("listening.reflection_sent",), params=_names, ends=True),
    )


def _answering() -> tuple[State, ...]:
    """The speaker says whether they feel heard, and if not quite, what was missed."""
    return (
        State(
            "answer",
            ("listening.answer",),
            params=_words,
            answer="_feeling",
            options=(
                Option("heard", "listening.heard", goto="mark_heard"),
                Option("partly", "listening.partly", goto="missed"),
                Option("notyet", "listening.notyet", goto="missed"),
                Option("pause", "listening.pause", goto="pause_confirm", records=False),
            ),
        ),
        State("mark_heard", (), effect="mark_heard", on_result={"ok": "heard", **_GONE}),
        State(
            "heard",
            ("listening.heard_thanks",),
            params=_names,
            options=(
                Option("swap", "listening.swap", goto="offer_swap"),
                Option("close", "listening.close", goto="closed"),
            ),
        ),
        State("offer_swap", (), effect="offer_swap", on_result={"ok": "swap_offered", **_GONE}),
        State("swap_offered", ("listening.swap_offered",), params=_names, ends=True),
        State(
            "missed",
            ("listening.missed",),
            params=_names,
            answer="_missed",
            text=FreeText(goto="send_missed", max_chars=MAX_REFLECTION_CHARS),
        ),
        State("send_missed", (), effect="send_missed", on_result={"sent": "missed_sent", **_GONE}),
        State("missed_sent", ("listening.missed_sent",), params=_names, ends=True),
    )


def _pausing() -> tuple[State, ...]:
    """Either partner may pause at any time; the other gets a kind word, nothing is lost.

    The pause is its caller's to lift. The other may ask, once per pause, after reading
    the note the one who paused will get."""
    return (
        State(
            "pause_confirm",
            ("listening.pause_confirm",),
            params=_names,
            options=(
                Option("pause", "listening.pause_now", goto="pause"),
                Option("words", "listening.pause_with_words", goto="pause_words"),
                Option("back", "listening.keep_going", goto="reopen"),
            ),
        ),
        State(
            "pause_words",
            ("listening.pause_words",),
            params=_names,
            answer="_pause_words",
            text=FreeText(goto="pause_review", max_chars=MAX_PAUSE_WORDS),
        ),
        State(
            "pause_review",
            ("listening.pause_review",),
            params=_pause_words,
            options=(
                Option("send", "listening.pause_send", goto="pause"),
                Option("rewrite", "listening.write_again", goto="pause_words"),
                Option("plain", "listening.pause_plain", goto="pause_plain"),
            ),
        ),
        State(
            "pause_plain",
            (),
            on_enter={"_pause_words": ""},
            effect="pause_listening",
            on_result={"ok": "paused_now", **_GONE},
        ),
        State("pause", (), effect="pause_listening", on_result={"ok": "paused_now", **_GONE}),
        State("paused_now", ("listening.paused_now",), params=_names, ends=True),
        State(
            "paused",
            ("listening.paused",),
            params=_names,
            options=(
                Option("resume", "listening.resume", goto="resume"),
                Option("close", "listening.not_now", goto="closed"),
            ),
        ),
        State("resume", (), effect="resume_listening", on_result={"ok": "reopen", **_GONE}),
        State(
            "held",
            ("listening.held",),
            params=_names,
            options=(
                Option("ask", "listening.ask_gently", goto="ask_confirm"),
                Option("close", "listening.close", goto="closed"),
            ),
        ),
        State(
            "ask_confirm",
            ("listening.ask_confirm",),
            params=_names,
            options=(
                Option("send", "listening.ask_send", goto="ask"),
                Option("close", "listening.ask_not_now", goto="closed"),
            ),
        ),
        State(
            "ask",
            (),
            effect="ask_to_resume",
            on_result={"asked": "asked", "already": "held_asked", **_GONE},
        ),
        State("asked", ("listening.asked",), params=_names, ends=True),
        State("held_asked", ("listening.held_asked",), params=_names, ends=True),
    )


def _alone() -> tuple[State, ...]:
    """The solo version: write it for yourself, and practise reflecting on an example."""
    return (
        State(
            "solo_intro",
            ("listening.solo_intro",),
            options=(
                Option("begin", "listening.begin", goto="solo_write"),
                Option("later", "listening.not_now", goto="later"),
            ),
            jumps=(("listening.link_button", "link"),),
        ),
        State(
            "unsafe_intro",
            ("listening.unsafe_intro",),
            options=(
                Option("begin", "listening.solo_begin", goto="solo_write"),
                Option("later", "listening.not_now", goto="later"),
            ),
            jumps=(("listening.sos_button", "sos"),),
        ),
        State(
            "solo_write",
            ("listening.solo_write",),
            answer="_solo_words",
            text=FreeText(goto="solo_sample", max_chars=MAX_SHARE_CHARS),
        ),
        State(
            "solo_sample",
            ("listening.solo_sample",),
            answer="_solo_reflection",
            text=FreeText(goto="save_solo", max_chars=MAX_REFLECTION_CHARS),
        ),
        State("save_solo", (), effect="save_listening_solo", on_result={"ok": "solo_model"}),
        State(
            "solo_model",
            ("listening.solo_model",),
            ends=True,
            jumps=(("listening.link_button", "link"),),
        ),
    )


LISTEN = flow(
    "listen",
    "open",
    State("open", (), on_enter={"step": "2"}, effect="open_listening", on_result=_OPENED),
    # Back to wherever the exercise stands now, forgetting the button that led here.
    State(
        "reopen",
        (),
        on_enter={"_item": None, "_action": None},
        effect="open_listening",
        on_result=_OPENED,
    ),
    *_writing(),
    *_reflecting(),
    *_answering(),
    *_pausing(),
    *_alone(),
    State(
        "waiting",
        ("listening.waiting",),
        params=_names,
        options=(
            Option("pause", "listening.pause", goto="pause_confirm"),
            Option("close", "listening.close", goto="closed"),
        ),
    ),
    State(
        "stale",
        ("listening.stale",),
        options=(Option("open", "listening.where_now", goto="reopen"),),
    ),
    State("ended", ("listening.ended",), ends=True),
    State("refused", ("listening.refused",), ends=True),
    State("closed", ("listening.closed",), ends=True),
    description="/listen: one speaks, the other reflects back, until the speaker feels heard.",
    parks=False,  # the speaker's parts are saved as they come; where it stands is in the rows
)
