"""Table tests of /export, /delete and /erase (pure, no I/O), and of how their messages
are rendered: a document upload, and deleting messages before the last words."""

from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime

import pytest

from bot.delivery.sender import _message_id, _with_files
from bot.features.data_rights import _plain
from bot.telegram.render import FILE_NAME, MAX_DELETE_IDS, UPLOAD, Renderer
from content import catalog, check_telegram_html
from flows.engine import ButtonPress, CloseQuestion, Context, Say, Session
from flows.router import Command, after_effect, route

NOW = datetime(2026, 5, 4, 19, 0, tzinfo=UTC)
ONBOARDED = {"onboarded": True, "consent": "yes", "safety": "no"}
FILE = {
    "name": "kintsugi-export-2026-05-04.json",
    "base64": base64.b64encode(b'{"version": 1}').decode(),
}


def ctx(profile=None) -> Context:
    return Context(now=NOW, profile=ONBOARDED if profile is None else profile)


def press(value: str, seq: int = 1) -> ButtonPress:
    return ButtonPress(seq=seq, value=value, message_id=41)


# ---------------------------------------------------------------- the flows


# (command, button pressed or None, effect asked for, its result data, last words, their extras)
PATHS = [
    ("export", None, "export_data", {"_export": FILE}, "rights.export_caption", {}),
    ("delete", "yes", "forget_me", {}, "rights.deleted", {}),
    (
        "erase",
        "yes",
        "erase_me",
        {"_message_ids": [3, 4, 9]},
        "rights.erased",
        {"delete_first": (3, 4, 9)},
    ),
]


@pytest.mark.parametrize(("command", "button", "effect", "data", "last", "extras"), PATHS)
@pytest.mark.parametrize(
    "profile",
    [ONBOARDED, {}, {"consent": "yes", "role": "hurt"}],
    ids=["set-up", "nobody-yet", "half-way"],
)
def test_each_right_reaches_its_effect_and_ends_set_up_or_not(
    command, button, effect, data, last, extras, profile
):
    outcome = route(None, Command(command), ctx(profile))
    if button is not None:
        question = outcome.actions[-1]
        assert isinstance(question, Say) and sum(map(len, question.buttons)) == 2
        outcome = route(outcome.session, press(button), ctx(profile))
        assert isinstance(outcome.actions[0], CloseQuestion)
    assert outcome.effect is not None and outcome.effect.name == effect
    assert outcome.remember == {}
    done = after_effect(outcome.session, "ok", data, ctx(profile))
    assert done.session is None and done.finished
    said = done.actions[-1]
    assert said.keys == (last,)
    for name, value in extras.items():
        assert getattr(said, name) == value


@pytest.mark.parametrize("command", ["delete", "erase"])
def test_no_keeps_everything(command):
    asked = route(None, Command(command), ctx())
    outcome = route(asked.session, press("no"), ctx())
    assert outcome.effect is None and outcome.session is None
    assert outcome.actions[-1].keys == ("rights.kept",)


def test_the_export_is_sent_as_a_document_with_its_caption():
    outcome = route(None, Command("export"), ctx())
    done = after_effect(outcome.session, "ok", {"_export": FILE}, ctx())
    (call,) = Renderer(catalog()).render(done.actions[-1], chat_id=7)
    assert call.method == "sendDocument"
    assert call.params["document"] == {UPLOAD: FILE["base64"], FILE_NAME: FILE["name"]}
    assert not check_telegram_html(call.params["caption"])


def test_erasing_deletes_in_batches_of_100_before_saying_so():
    ids = list(range(1, 2 * MAX_DELETE_IDS + 6))
    asked = route(None, Command("erase"), ctx())
    pressed = route(asked.session, press("yes"), ctx())
    done = after_effect(pressed.session, "ok", {"_message_ids": ids}, ctx())
    calls = Renderer(catalog()).render(done.actions[-1], chat_id=7)
    assert [c.method for c in calls] == ["deleteMessages"] * 3 + ["sendMessage"]
    assert [i for c in calls[:3] for i in c.params["message_ids"]] == ids
    assert str(len(ids)) in calls[-1].params["text"]
    nothing = after_effect(pressed.session, "ok", {"_message_ids": []}, ctx())
    (call,) = Renderer(catalog()).render(nothing.actions[-1], chat_id=7)
    assert catalog().plain("rights.removed_none") in call.params["text"]


def test_a_flow_with_typed_words_is_parked_not_lost_when_erase_is_asked_for():
    midway = Session("vision", "change", 3, {"_want": "calm evenings"})
    outcome = route(midway, Command("erase"), ctx())
    assert outcome.session.flow == "erase"
    assert outcome.remember["parked"]["vision"]["data"] == {"_want": "calm evenings"}


# ---------------------------------------------------------------- the pipe out


def test_uploads_keep_their_file_names_and_sent_messages_their_ids():
    files = _with_files(
        {"chat_id": 7, "document": {UPLOAD: FILE["base64"], FILE_NAME: FILE["name"]}}
    )
    assert files["chat_id"] == 7 and files["document"].filename == FILE["name"]
    photo = Renderer(catalog()).render(Say(("rights.kept",), photo=FILE["base64"]), 7)[0]
    assert _with_files(photo.params)["photo"].filename.endswith(".png")
    assert _message_id({"message_id": 12, "chat": {}}) == 12
    assert _message_id(True) is None


def test_export_times_are_iso_utc():
    assert (
        json.dumps(
            {"at": datetime(2026, 5, 4, 21, 0, tzinfo=UTC), "day": date(2026, 5, 4)}, default=_plain
        )
        == '{"at": "2026-05-04T21:00:00Z", "day": "2026-05-04"}'
    )
