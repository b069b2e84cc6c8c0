"""Answering what a partner shared: a kind, optional answer, never owed.

Under an apology, a request for what would help, a thank-you or a reassuring
answer, the receiver finds buttons (item kind "s", the shared reflection's id):

- "I read it": the writer hears that it was read;
- "I'm not ready to answer yet": the writer hears, once, that it was seen and
  that time is needed; the buttons keep working;
- "Write a few words back": their own words, read back, and sent only when
  they confirm.

Under a request for what would help, two more turn it into something to keep:
a draft agreement (kind "p": the /agreements proposal questions, beginning at the
read-back of the requester's own words) or a commitment (kind "c": the /commit
questions, then whether to tell the requester).

Who may answer what is decided in bot/features/shares.py from the rows, never from the
button: only the writer's linked partner, only for what was shared with them, only
once (a press after that is told so, kindly).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flows.agreements import MAX_WORDING_CHARS, proposing
from flows.commitments import MAX_COMMITMENT_CHARS, making
from flows.engine import Button, Context, FreeText, Label, Option, State, flow, item_data

MAX_ANSWER_CHARS = 600
READ, WAIT, WRITE = "read", "wait", "write"
ANSWER_KIND, AGREEMENT_KIND, COMMITMENT_KIND = "s", "p", "c"
MAKE = "make"  # the action of the agreement and commitment buttons


def answer_buttons(reflection_id: int, request: bool = False) -> tuple[tuple[Button, ...], ...]:
    """The receiver's buttons under a shared reflection; a request gets two more."""
    rows: list[tuple[Button, ...]] = [
        (Button("share.read_button", item_data(ANSWER_KIND, reflection_id, READ)),),
        (Button("share.wait_button", item_data(ANSWER_KIND, reflection_id, WAIT)),),
        (Button("share.write_button", item_data(ANSWER_KIND, reflection_id, WRITE)),),
    ]
    if request:
        rows += [
            (Button("share.agreement_button", item_data(AGREEMENT_KIND, reflection_id, MAKE)),),
            (Button("share.commitment_button", item_data(COMMITMENT_KIND, reflection_id, MAKE)),),
        ]
    return tuple(rows)


def _about(data: Mapping[str, Any], _ctx: Context) -> Mapping[str, Any]:
    return {
        "who": data.get("_who") or Label("practices.your_partner"),
        "text": data.get("_text") or "",
        "words": data.get("_words") or "",
    }


_NOT_OURS = {"already": "already", "refused": "refused", "safety": "safety"}
_ENDINGS = (
    State("already", ("share.already",), ends=True),
    State("refused", ("share.refused",), ends=True),
    State("safety", ("share.safety",), ends=True),
)

ANSWER = flow(
    "answer",
    "open",
    State(
        "open",
        (),
        effect="share_open",
        on_result={READ: "read", WAIT: "wait", WRITE: "write", **_NOT_OURS},
    ),
    State("read", (), effect="share_read", on_result={"ok": "read_done", **_NOT_OURS}),
    State("read_done", ("share.read_done",), params=_about, ends=True),
    State(
        "wait",
        (),
        effect="share_wait",
        on_result={"ok": "wait_done", "again": "wait_again", **_NOT_OURS},
    ),
    State("wait_done", ("share.wait_done",), params=_about, ends=True),
    State("wait_again", ("share.wait_again",), params=_about, ends=True),
    State(
        "write",
        ("share.write",),
        params=_about,
        answer="_text",
        text=FreeText(goto="review", max_chars=MAX_ANSWER_CHARS),
    ),
    State(
        "review",
        ("share.review",),
        params=_about,
        options=(
            Option("send", "share.send", goto="send"),
            Option("rewrite", "share.rewrite", goto="write"),
            Option("later", "share.not_now", goto="not_sent"),
        ),
    ),
    State("send", (), effect="share_send", on_result={"sent": "sent", **_NOT_OURS}),
    State("sent", ("share.sent",), params=_about, ends=True),
    State("not_sent", ("share.not_sent",), params=_about, ends=True),
    *_ENDINGS,
    description="Answering a partner's share: I read it, not ready yet, or a few words back "
    "(read back, sent only when confirmed).",
)

_DRAFT_REFUSED = (
    State("not_ours", ("share.refused",), ends=True),
    State("safety", ("share.safety",), ends=True),
)
# A draft begins at the read-back of the request's words, or at the wording when they
# are longer than an agreement (or a commitment) may be.
_DRAFTS = {"refused": "not_ours", "safety": "safety"}

REQUEST_AGREEMENT = flow(
    "request_agreement",
    "open",
    State(
        "open",
        (),
        effect="share_request_draft",
        on_enter={"_limit": MAX_WORDING_CHARS},
        on_result={"ok": "review", "long": "wording", **_DRAFTS},
    ),
    *proposing(("share.agreement_start", "ledger.wording"), _about),
    *_DRAFT_REFUSED,
    description="A partner's request, turned into a draft agreement: read back, then proposed.",
)

REQUEST_COMMITMENT = flow(
    "request_commitment",
    "open",
    State(
        "open",
        (),
        effect="share_request_draft",
        on_enter={"_limit": MAX_COMMITMENT_CHARS},
        on_result={"ok": "start", "long": "wording", **_DRAFTS},
    ),
    State(
        "start",
        ("share.commitment_start",),
        params=_about,
        options=(
            Option("yes", "share.commitment_yes", goto="days"),
            Option("change", "share.commitment_change", goto="wording"),
            Option("no", "share.commitment_not_now", goto="closed"),
        ),
    ),
    State("closed", ("share.closed",), ends=True),
    *making(saved_goto="tell"),
    State(
        "tell",
        ("share.tell",),
        params=_about,
        options=(
            Option("yes", "share.tell_yes", goto="tell_send"),
            Option("no", "share.tell_no", goto="saved"),
        ),
    ),
    State(
        "tell_send",
        (),
        effect="share_commitment_told",
        on_result={"ok": "told", "refused": "saved"},
    ),
    State("told", ("share.told",), params=_about, ends=True),
    *_DRAFT_REFUSED,
    description="A partner's request, turned into a commitment, and the requester told "
    "if you like.",
)
