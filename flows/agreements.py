"""The agreements ledger: listing, proposing, and answering a partner's proposal.

A proposal is shared with the partner only after its writer read it back
and chose to send it. The partner answers Accept / Suggest a change / Not
now; a change goes back the other way, as many rounds as needed. Only a
wording both accepted becomes part of the shared ledger. "Not now" is not
final: the proposal waits under "put off" in /agreements, to be accepted or
answered with another wording whenever the partner is ready.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flows.engine import (
    Button,
    Context,
    FreeText,
    Label,
    Listing,
    Option,
    State,
    flow,
    item_data,
)

KINDS = ("agreement", "boundary", "ritual")
MAX_WORDING_CHARS = 400
_ITEMS = ("shared", "waiting_you", "waiting_partner", "put_off", "personal", "history")
Params = Callable[[Mapping[str, Any], Context], Mapping[str, Any]]


def answer_buttons(version_id: int) -> tuple[tuple[Button, ...], ...]:
    """Accept / Suggest a change / Not now, under a proposal wherever it is shown."""
    return (
        (
            Button("ledger.accept", item_data("v", version_id, "accept")),
            Button("ledger.counter", item_data("v", version_id, "counter")),
        ),
        (Button("ledger.later", item_data("v", version_id, "later")),),
    )


def _overview(data: Mapping[str, Any], _ctx: Context) -> Mapping[str, Any]:
    lists = {
        name: Listing("ledger.item", tuple(data.get(f"_{name}", ())), "ledger.none")
        for name in _ITEMS
    }
    return {**lists, "footer": Label(data.get("_footer") or "ledger.footer_edit")}


def _draft(data: Mapping[str, Any], _ctx: Context) -> Mapping[str, Any]:
    kind = data.get("_kind") or "agreement"
    why = data.get("_why")
    return {
        "kind": Label(f"ledger.kind_{kind}"),
        "text": data.get("_text", ""),
        "why": Label("ledger.why_line", {"why": why}) if why else "",
    }


def _item(data: Mapping[str, Any], _ctx: Context) -> Mapping[str, Any]:
    return {
        "text": data.get("_text", ""),
        "note": data.get("_note", ""),
        "kind": data.get("_kind_label", ""),
    }


def _history(data: Mapping[str, Any], _ctx: Context) -> Mapping[str, Any]:
    return {
        "text": data.get("_text", ""),
        "versions": Listing("ledger.version", tuple(data.get("_versions", ())), "ledger.none"),
    }


def _proposal(data: Mapping[str, Any], _ctx: Context) -> Mapping[str, Any]:
    return {"text": data.get("_text", "")}


def proposing(
    wording_prompt: tuple[str, ...] = ("ledger.wording",), wording_params: Params | None = None
) -> tuple[State, ...]:
    """The questions that make a proposal and send it: kind, wording, why, read-back.

    Its states are kind (the first), wording, why, review, propose, sent, personal
    and dropped. The "propose" effect sends it to the linked partner, or keeps it
    as a personal intention when there is none. Other flows may show more above
    the wording question (e.g. the user's own earlier words as a starting point).
    """
    return (
        State(
            "kind",
            ("ledger.kind",),
            answer="_kind",
            options=tuple(Option(kind, f"ledger.kind_{kind}", goto="wording") for kind in KINDS),
        ),
        State(
            "wording",
            wording_prompt,
            answer="_text",
            params=wording_params,
            text=FreeText(goto="why", max_chars=MAX_WORDING_CHARS),
        ),
        State(
            "why",
            ("ledger.why",),
            answer="_why",
            options=(Option("skip", "ledger.skip_why", goto="review", records=False),),
            text=FreeText(goto="review", max_chars=MAX_WORDING_CHARS),
        ),
        State(
            "review",
            ("ledger.review",),
            params=_draft,
            options=(
                Option("send", "ledger.send", goto="propose"),
                Option("rewrite", "ledger.rewrite", goto="wording"),
                Option("drop", "ledger.drop", goto="dropped"),
            ),
        ),
        State(
            "propose",
            (),
            effect="propose",
            on_result={"sent": "sent", "personal": "personal", "kept_safe": "kept_safe"},
        ),
        State("sent", ("ledger.sent",), ends=True),
        State("personal", ("ledger.kept_personal",), ends=True),
        State("kept_safe", ("ledger.kept_safe",), ends=True),
        State("dropped", ("ledger.dropped",), ends=True),
    )


AGREEMENTS = flow(
    "agreements",
    "list",
    State("list", (), effect="list_agreements", on_result={"ok": "overview"}),
    State(
        "overview",
        ("ledger.overview",),
        params=_overview,
        item_buttons="_buttons",
        options=(
            Option("propose", "ledger.propose", goto="kind"),
            Option("done", "ledger.done", goto="closed"),
        ),
    ),
    State("closed", ("ledger.closed",), ends=True),
    *proposing(),
    description="/agreements: see the shared ledger and proposals; propose in your own words.",
)

_ANSWERED = {"refused": "refused", "done": "already", "expired": "expired", "safety": "safety_off"}

RESPOND = flow(
    "respond",
    "open",
    State(
        "open",
        (),
        effect="open_proposal",
        on_result={
            "accept": "accept",
            "counter": "counter",
            "later": "later",
            "open": "put_off",
            "still_put_off": "still_put_off",
            **_ANSWERED,
        },
    ),
    # Coming back to a proposal put off: answer it now, or leave it waiting.
    State(
        "put_off",
        ("ledger.put_off_detail",),
        params=_proposal,
        options=(
            Option("accept", "ledger.accept", goto="accept"),
            Option("counter", "ledger.counter", goto="counter"),
            Option("wait", "ledger.keep_put_off", goto="still_put_off"),
        ),
    ),
    State("still_put_off", ("ledger.still_put_off",), ends=True),
    State("accept", (), effect="accept_proposal", on_result={"ok": "accepted", **_ANSWERED}),
    State("accepted", ("ledger.accepted",), params=_proposal, ends=True),
    State(
        "counter",
        ("ledger.counter_prompt",),
        params=_proposal,
        answer="_text",
        text=FreeText(goto="send_counter", max_chars=MAX_WORDING_CHARS),
    ),
    State(
        "send_counter", (), effect="counter_proposal", on_result={"ok": "countered", **_ANSWERED}
    ),
    State("countered", ("ledger.countered",), ends=True),
    State("later", (), effect="decline_proposal", on_result={"ok": "not_now", **_ANSWERED}),
    State("not_now", ("ledger.not_now", "ledger.put_off_where"), ends=True),
    State("refused", ("ledger.refused",), ends=True),
    State("already", ("ledger.already",), ends=True),
    State("expired", ("ledger.expired",), ends=True),
    State("safety_off", ("ledger.safety_off",), ends=True),
    description="Answering a partner's proposal: accept, suggest a change, or not now.",
)

_REFUSED = {"refused": "refused"}

ITEM = flow(
    "item",
    "open",
    State(
        "open",
        (),
        effect="open_item",
        on_result={"shared": "shared", "personal": "personal", "past": "past", **_REFUSED},
    ),
    State(
        "shared",
        ("ledger.item_detail",),
        params=_item,
        options=(
            Option("revise", "ledger.revise", goto="revise"),
            Option("retire", "ledger.retire", goto="confirm_retire"),
            Option("history", "ledger.history", goto="history"),
            Option("back", "ledger.done", goto="closed"),
        ),
    ),
    State(
        "personal",
        ("ledger.item_detail",),
        params=_item,
        options=(
            Option("share", "ledger.share_personal", goto="share"),
            Option("retire", "ledger.retire", goto="confirm_retire"),
            Option("back", "ledger.done", goto="closed"),
        ),
    ),
    State(
        "past",
        ("ledger.item_detail", "ledger.read_only"),
        params=_item,
        options=(
            Option("history", "ledger.history", goto="history"),
            Option("back", "ledger.done", goto="closed"),
        ),
    ),
    State("closed", ("ledger.closed",), ends=True),
    State(
        "revise",
        ("ledger.revise_prompt",),
        params=_item,
        answer="_text",
        text=FreeText(goto="send_revision", max_chars=MAX_WORDING_CHARS),
    ),
    State("send_revision", (), effect="propose_revision", on_result={"sent": "sent", **_REFUSED}),
    State("sent", ("ledger.sent",), ends=True),
    State(
        "share",
        (),
        effect="share_personal",
        on_result={"sent": "sent", "not_linked": "not_linked", **_REFUSED},
    ),
    State("not_linked", ("link.not_linked",), ends=True),
    State(
        "confirm_retire",
        ("ledger.retire_confirm",),
        params=_item,
        options=(
            Option("yes", "ledger.retire_yes", goto="retire"),
            Option("no", "ledger.retire_no", goto="closed"),
        ),
    ),
    State(
        "retire",
        (),
        effect="request_retire",
        on_result={
            "asked": "retire_asked",
            "retired": "retired",
            "safety": "safety_off",
            **_REFUSED,
        },
    ),
    State("safety_off", ("ledger.safety_off",), ends=True),
    State("retire_asked", ("ledger.retire_asked",), ends=True),
    State("retired", ("ledger.retired",), ends=True),
    State("history", (), effect="item_history", on_result={"ok": "history_shown", **_REFUSED}),
    State("history_shown", ("ledger.history_text",), params=_history, ends=True),
    State("refused", ("ledger.refused",), ends=True),
    description="One agreement: revise its wording, retire it, see its history, or share it.",
)

RETIRE_ANSWER = flow(
    "retire_answer",
    "answer",
    State(
        "answer",
        (),
        effect="answer_retire",
        on_result={"retired": "retired", "kept": "kept", "done": "already", **_REFUSED},
    ),
    State("retired", ("ledger.retired",), ends=True),
    State("kept", ("ledger.retire_kept",), ends=True),
    State("already", ("ledger.already",), ends=True),
    State("refused", ("ledger.refused",), ends=True),
    description="Confirming (or not) a partner's wish to retire a shared agreement.",
)
