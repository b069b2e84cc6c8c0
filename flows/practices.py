"""The daily practices: short guided moments for the days between the repair steps.

- /triggered: ground first, then "now or an old wound?", then the most
  generous interpretation (first thought, other explanations, what I will
  do), and, if linked, an optional request for reassurance in the user's
  own words, read back before it is sent.
- reassure: the partner's answer to that request, begun by its "q" button.
- /underneath: naming what lies under the anger; private, never shared.
- /acknowledge: a short thank-you for something the partner did, read back
  and sent only when confirmed.

Everything is saved as a reflection by the effects in bot/features/practices.py; who
may press a partner's button is decided there, from the rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flows.engine import DONE, Context, FreeText, Label, Listing, Option, State, flow
from flows.questions import ROLES

MAX_THOUGHT_CHARS = 500
MAX_MESSAGE_CHARS = 600
FEELINGS = ("hurt", "fear", "sadness", "shame", "loneliness", "disappointment", "helplessness")
OTHER = "other"
WHEN = ("now", "old", "unsure")
OTHER_FIELDS = ("_other1", "_other2", "_other3")
Q_REPLY = "reply"  # the action of the partner's "q" button


def _partner(data: Mapping[str, Any]) -> Any:
    return data.get("_partner") or Label("practices.your_partner")


def _who(data: Mapping[str, Any]) -> Any:
    return data.get("_who") or Label("practices.your_partner")


def other_explanations(data: Mapping[str, Any]) -> list[str]:
    return [data[name] for name in OTHER_FIELDS if data.get(name)]


# ---------------------------------------------------------------- the menu

PRACTICES = flow(
    "practices",
    "menu",
    State(
        "menu",
        ("practices.menu",),
        options=(Option("close", "practices.close", goto="closed"),),
        jumps=(
            ("practices.jump_triggered", "triggered"),
            ("practices.jump_underneath", "underneath"),
            ("practices.jump_acknowledge", "acknowledge"),
            ("practices.jump_commit", "commit"),
            ("practices.jump_weekly", "weekly"),
        ),
    ),
    State("closed", ("practices.closed",), ends=True),
    description="/practices: the short practices for hard moments, and where to find them.",
)


# ---------------------------------------------------------------- triggered


def _summary(data: Mapping[str, Any], _ctx: Context) -> Mapping[str, Any]:
    others = tuple({"text": text} for text in other_explanations(data))
    return {
        "first": data.get("_first_thought", ""),
        "others": Listing("practices.other_item", others, "practices.no_others"),
        "plan": data.get("_plan", ""),
        "partner": _partner(data),
    }


def _request(data: Mapping[str, Any], _ctx: Context) -> Mapping[str, Any]:
    return {"partner": _partner(data), "text": data.get("_request", "")}


_WHEN_REPLIES = {
    "now": "practices.when_now_reply",
    "old": "practices.when_old_reply",
    "unsure": "practices.when_unsure_reply",
}

TRIGGERED = flow(
    "triggered",
    "ground",
    State(
        "ground",
        ("practices.ground",),
        options=(
            Option("steadier", "practices.steadier", goto="when"),
            Option("support", "practices.more_support", goto="support"),
        ),
    ),
    State("support", ("practices.support", "sos", "practices.support_end"), ends=True),
    State(
        "when",
        ("practices.when",),
        answer="_when",
        options=tuple(
            Option(
                value,
                f"practices.when_{value}",
                goto="first_thought",
                also_say=_WHEN_REPLIES[value],
            )
            for value in WHEN
        ),
    ),
    State(
        "first_thought",
        ("practices.first_thought",),
        answer="_first_thought",
        text=FreeText(goto="other1", max_chars=MAX_THOUGHT_CHARS),
    ),
    State(
        "other1",
        ("practices.other1",),
        answer="_other1",
        text=FreeText(goto="other2", max_chars=MAX_THOUGHT_CHARS),
    ),
    State(
        "other2",
        ("practices.other2",),
        answer="_other2",
        text=FreeText(goto="other3", max_chars=MAX_THOUGHT_CHARS),
        options=(Option("enough", "practices.no_more", goto="plan", records=False),),
    ),
    State(
        "other3",
        ("practices.other3",),
        answer="_other3",
        text=FreeText(goto="plan", max_chars=MAX_THOUGHT_CHARS),
        options=(Option("enough", "practices.no_more", goto="plan", records=False),),
    ),
    State(
        "plan",
        ("practices.plan",),
        answer="_plan",
        text=FreeText(goto="save", max_chars=MAX_THOUGHT_CHARS),
    ),
    State("save", (), effect="save_triggered", on_result={"linked": "offer", "private": "saved"}),
    State(
        "saved",
        ("practices.summary", "practices.red_flags", "practices.triggered_end"),
        params=_summary,
        ends=True,
    ),
    State(
        "offer",
        ("practices.summary", "practices.red_flags", "practices.offer"),
        params=_summary,
        options=(
            Option("write", "practices.offer_write", goto="request"),
            Option("no", "practices.offer_no", goto="not_now"),
        ),
    ),
    State("not_now", ("practices.offer_declined",), ends=True),
    State(
        "request",
        ("practices.request",),
        params=_request,
        answer="_request",
        text=FreeText(goto="request_review", max_chars=MAX_MESSAGE_CHARS),
    ),
    State(
        "request_review",
        ("practices.request_review",),
        params=_request,
        options=(
            Option("send", "practices.send", goto="send_request"),
            Option("rewrite", "practices.rewrite", goto="request"),
            Option("keep", "practices.keep_unsent", goto="keep_request"),
        ),
    ),
    State(
        "send_request",
        (),
        effect="send_reassurance_request",
        on_result={"sent": "request_sent", "refused": "request_refused"},
    ),
    State("keep_request", (), effect="keep_reassurance_request", on_result={"ok": "kept"}),
    State("request_sent", ("practices.request_sent",), params=_request, ends=True),
    State("request_refused", ("practices.request_refused",), ends=True),
    State("kept", ("practices.request_kept",), ends=True),
    description="/triggered: ground, now or an old wound, the most generous interpretation, "
    "and an optional request for reassurance.",
)


# ---------------------------------------------------------------- the partner's answer


def _reassure(data: Mapping[str, Any], _ctx: Context) -> Mapping[str, Any]:
    return {"who": _who(data), "request": data.get("_request", ""), "text": data.get("_text", "")}


REASSURE = flow(
    "reassure",
    "open",
    State(
        "open",
        (),
        effect="open_reassurance",
        on_result={"ok": "write", "already": "already", "refused": "refused", "safety": "safety"},
    ),
    State(
        "write",
        ("practices.reassure_write",),
        params=_reassure,
        answer="_text",
        text=FreeText(goto="review", max_chars=MAX_MESSAGE_CHARS),
    ),
    State(
        "review",
        ("practices.reassure_review",),
        params=_reassure,
        options=(
            Option("send", "practices.send", goto="send"),
            Option("rewrite", "practices.rewrite", goto="write"),
            Option("later", "practices.reassure_later", goto="later"),
        ),
    ),
    State(
        "send",
        (),
        effect="send_reassurance",
        on_result={"sent": "sent", "already": "already", "refused": "refused"},
    ),
    State("sent", ("practices.reassure_sent",), params=_reassure, ends=True),
    State("later", ("practices.reassure_not_sent",), params=_reassure, ends=True),
    State("already", ("practices.reassure_already",), ends=True),
    State("refused", ("practices.reassure_refused",), ends=True),
    State("safety", ("practices.reassure_safety",), ends=True),
    description="Answering a partner's request for reassurance, in your own words.",
)


# ---------------------------------------------------------------- under the anger


def named_feelings(data: Mapping[str, Any]) -> tuple[Label, ...]:
    picked = data.get("_feelings") or []
    named = [Label(f"practices.feeling_{value}_lower") for value in FEELINGS if value in picked]
    if OTHER in picked and data.get("_other_feeling"):
        named.append(Label("practices.feeling_own_words", {"words": data["_other_feeling"]}))
    return tuple(named) or (Label("practices.feeling_unnamed"),)


def _named(data: Mapping[str, Any], ctx: Context) -> Mapping[str, Any]:
    role = ctx.profile.get("role")
    return {
        "feelings": named_feelings(data),
        "why": Label(f"practices.named_why.{role if role in ROLES else 'private'}"),
    }


UNDERNEATH = flow(
    "underneath",
    "feelings",
    State(
        "feelings",
        ("practices.underneath",),
        answer="_feelings",
        pick_many=True,
        columns=2,
        options=(
            *(Option(value, f"practices.feeling_{value}") for value in FEELINGS),
            Option(OTHER, "practices.feeling_other", goto="other_feeling"),
            Option(DONE, "practices.feelings_done", goto="more"),
        ),
    ),
    State(
        "other_feeling",
        ("practices.other_feeling",),
        answer="_other_feeling",
        text=FreeText(goto="feelings", max_chars=200),
    ),
    State(
        "more",
        ("practices.say_more",),
        answer="_more",
        text=FreeText(goto="save", max_chars=MAX_MESSAGE_CHARS),
        options=(Option("skip", "practices.skip_more", goto="save", records=False),),
    ),
    State("save", (), effect="save_underneath", on_result={"ok": "named"}),
    State("named", ("practices.named",), params=_named, ends=True),
    description="/underneath: naming what lies under the anger. Private.",
)


# ---------------------------------------------------------------- notice the follow-through


def _thanks(data: Mapping[str, Any], _ctx: Context) -> Mapping[str, Any]:
    return {"partner": _partner(data), "text": data.get("_text", "")}


ACKNOWLEDGE = flow(
    "acknowledge",
    "check",
    State(
        "check",
        (),
        effect="acknowledge_check",
        on_result={"ok": "write", "not_linked": "not_linked", "safety": "safety"},
    ),
    State(
        "not_linked",
        ("practices.ack_not_linked",),
        jumps=(("practices.link_button", "link"),),
        ends=True,
    ),
    State("safety", ("practices.ack_safety",), ends=True),
    State(
        "write",
        ("practices.ack_write",),
        params=_thanks,
        answer="_text",
        text=FreeText(goto="review", max_chars=MAX_MESSAGE_CHARS),
    ),
    State(
        "review",
        ("practices.ack_review",),
        params=_thanks,
        options=(
            Option("send", "practices.send", goto="send"),
            Option("rewrite", "practices.rewrite", goto="write"),
            Option("keep", "practices.keep_unsent", goto="keep"),
        ),
    ),
    State(
        "send", (), effect="send_acknowledgement", on_result={"sent": "sent", "refused": "refused"}
    ),
    State("keep", (), effect="keep_acknowledgement", on_result={"ok": "kept"}),
    State("sent", ("practices.ack_sent",), params=_thanks, ends=True),
    State("refused", ("practices.ack_refused",), ends=True),
    State("kept", ("practices.ack_kept",), ends=True),
    description="/acknowledge: a few words to the partner about something they did.",
)
