"""Linking two partners: inviting, joining, unlinking, and seeing the link.

Every step that needs the database is an effect state (the runtime does the
work; the result picks the next state). What the partner is told travels as
a notice from the effect, never from this module.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flows import questions
from flows.engine import Context, FreeText, Option, Parsed, State, flow

MAX_CODE_CHARS = 64


def _from_data(*names: str) -> Callable[[Mapping[str, Any], Context], Mapping[str, Any]]:
    def params(data: Mapping[str, Any], _ctx: Context) -> Mapping[str, Any]:
        return {name: data.get(f"_{name}", "") for name in names}

    return params


def _code(text: str, _ctx: Context) -> Parsed:
    # A code is read whole or not at all: part of one is never worth keeping.
    return Parsed(value=text)


def _redeeming(refused_by_safety_goes_to: str = "not_now") -> tuple[State, ...]:
    """Checking an invitation and deciding on it: shared by /link and deep links."""
    decide = (
        Option("accept", "link.accept", goto="safety_gate"),
        Option("decline", "link.decline", goto="decline"),
    )
    return (
        State(
            "inspect",
            (),
            effect="inspect_invite",
            on_result={
                "ok": "offer",
                "ok_new": "offer_new",
                "own": "own_link",
                "invalid": "invalid",
                "unknown": "not_found",
                "linked": "already_linked",
                "throttled": "throttled",
            },
        ),
        # A mistyped code is not an expired invitation: it may be typed again, until the
        # hourly limit on wrong codes says to wait. A link that was never ours comes here too.
        State(
            "not_found",
            ("link.not_found",),
            answer="_typed",
            on_enter={"_token": ""},
            text=FreeText(goto="inspect", max_chars=MAX_CODE_CHARS, parse=_code),
        ),
        State("offer", ("link.offer",), params=_from_data("inviter"), options=decide),
        State(
            "offer_new",
            ("link.offer", "link.setup_first"),
            params=_from_data("inviter"),
            options=(
                Option("setup", "link.setup", goto="consent"),
                Option("decline", "link.decline", goto="decline"),
            ),
        ),
        State(
            "consent",
            ("onboarding.consent",),
            answer="consent",
            options=(
                Option("yes", "onboarding.consent_yes", goto="role"),
                Option(
                    "privacy",
                    "onboarding.consent_privacy",
                    goto="consent",
                    also_say="privacy",
                    records=False,
                ),
                Option("no", "onboarding.consent_no", goto="declined_consent"),
            ),
        ),
        State("declined_consent", ("onboarding.consent_declined",), ends=True),
        questions.role(goto="causes"),
        questions.causes(goto="hopes"),
        questions.cause_other(),
        questions.hopes(goto="safety"),
        *questions.safety(goto="zone"),
        *questions.zone(goto="reminder"),
        *questions.reminder(goto="set_up"),
        State(
            "set_up",
            ("link.set_up",),
            params=_from_data("inviter"),
            options=decide,
            on_enter={"onboarded": True},
        ),
        State(
            "safety_gate",
            (),
            effect="check_safety",
            on_result={"clear": "accept", "safety": "safety_pause"},
        ),
        State(
            "safety_pause",
            ("link.safety_pause", "sos"),
            options=(
                Option("go_on", "link.go_on", goto="accept"),
                Option("not_now", "link.not_now", goto=refused_by_safety_goes_to),
            ),
        ),
        State(
            "accept",
            (),
            effect="accept_invite",
            on_result={"ok": "linked", "invalid": "invalid", "linked": "already_linked"},
        ),
        State("linked", ("link.linked",), params=_from_data("partner"), ends=True),
        State("decline", (), effect="decline_invite", on_result={"ok": "declined"}),
        State("declined", ("link.declined",), ends=True),
        State("own_link", ("link.own_link",), ends=True),
        State("invalid", ("link.invalid",), ends=True),
        State("already_linked", ("link.already_linked",), ends=True),
        State("throttled", ("link.throttled",), ends=True),
        State("not_now", ("link.not_now_reply",), ends=True),
    )


JOIN = flow(
    "join",
    "inspect",
    *_redeeming(),
    description="Opening a partner's invitation (deep link): check it, set up, accept or decline.",
)

LINK = flow(
    "link",
    "status",
    State(
        "status",
        (),
        effect="link_status",
        on_result={"linked": "mine", "safety": "safety_first", "free": "choose"},
    ),
    State("mine", (), effect="describe_link", on_result={"linked": "shown", "none": "choose"}),
    State("shown", ("link.partner",), params=_from_data("partner", "since"), ends=True),
    State(
        "safety_first",
        ("link.safety_pause", "sos"),
        options=(
            Option("go_on", "link.go_on", goto="choose"),
            Option("not_now", "link.not_now", goto="not_now"),
        ),
    ),
    State(
        "choose",
        ("link.choose",),
        options=(
            Option("invite", "link.invite", goto="create"),
            Option("code", "link.have_code", goto="enter_code"),
        ),
    ),
    State("create", (), effect="create_invite", on_result={"ok": "invite"}),
    State(
        "invite",
        ("link.invitation",),
        params=_from_data("link", "code", "expires"),
        links=(("link.share", "_share_url"),),
        waits=True,
        options=(
            Option("revoke", "link.revoke", goto="revoke"),
            Option("done", "link.done", goto="waiting"),
        ),
    ),
    State("waiting", ("link.waiting",), ends=True),
    State(
        "revoke",
        (),
        effect="revoke_invite",
        on_result={"ok": "revoked", "linked": "revoke_too_late", "none": "nothing_to_revoke"},
    ),
    State("revoked", ("link.revoked",), ends=True),
    State("revoke_too_late", ("link.revoke_too_late",), params=_from_data("partner"), ends=True),
    State("nothing_to_revoke", ("link.nothing_to_revoke",), ends=True),
    State(
        "enter_code",
        ("link.enter_code",),
        answer="_typed",
        text=FreeText(goto="inspect", max_chars=MAX_CODE_CHARS, parse=_code),
    ),
    *_redeeming(),
    description="/link: invite a partner (link, code, revoke) or enter a partner's code.",
)

UNLINK = flow(
    "unlink",
    "status",
    State(
        "status",
        (),
        effect="link_status",
        on_result={"linked": "confirm", "safety": "not_linked", "free": "not_linked"},
    ),
    State("not_linked", ("link.not_linked",), ends=True),
    State(
        "confirm",
        ("link.unlink_confirm",),
        options=(
            Option("yes", "link.unlink_yes", goto="unlink"),
            Option("no", "link.unlink_no", goto="kept"),
        ),
    ),
    State("unlink", (), effect="unlink", on_result={"ok": "unlinked", "none": "not_linked"}),
    State("unlinked", ("link.unlinked",), ends=True),
    State("kept", ("link.kept",), ends=True),
    description="/unlink: confirm, end the link; the partner is told neutrally.",
)

PARTNER = flow(
    "partner",
    "status",
    State(
        "status", (), effect="describe_link", on_result={"linked": "shown", "none": "not_linked"}
    ),
    State("shown", ("link.partner",), params=_from_data("partner", "since"), ends=True),
    State("not_linked", ("link.not_linked",), ends=True),
    description="/partner: who you are linked with, since when, and what is shared.",
)
