"""The flow engine: conversations declared as data, stepped by one pure function.

A flow is a set of named states. Each state says what the bot asks (content
keys), which inputs it accepts (buttons, free text, a location) and where
each leads. :func:`step` takes the stored session (plain JSON), one input
and a context (the clock, lookups) and returns the new session plus what to
say and what to remember. No Telegram, no database, no clock of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flows.effect_names import EffectName

# ---------------------------------------------------------------- inputs


@dataclass(frozen=True)
class TextInput:
    text: str


@dataclass(frozen=True)
class ButtonPress:
    """A press on one of our inline buttons; ``seq`` says which question it belonged to."""

    seq: int
    value: str
    message_id: int | None = None


@dataclass(frozen=True)
class LocationInput:
    latitude: float
    longitude: float


@dataclass(frozen=True)
class MediaInput:
    """Anything that is not text where text or a button was expected."""

    kind: str
    caption: str = ""  # read for crisis words only, never kept


Input = TextInput | ButtonPress | LocationInput | MediaInput


@dataclass(frozen=True)
class Context:
    """What a step may know about the world, handed in so steps stay pure."""

    now: datetime
    profile: Mapping[str, Any] = field(default_factory=dict)
    locale: str = "en"  # the reader's language: the crisis net reads in it
    find_zone_by_name: Callable[[str], str | None] = lambda _: None
    find_zone_at: Callable[[float, float], str | None] = lambda _lat, _lon: None


# ---------------------------------------------------------------- definitions


@dataclass(frozen=True)
class Label:
    """Words from content, rendered in the reader's locale when the message is sent."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Moment:
    """A date or time (ISO 8601), shown in the reader's language and time zone when the
    message is sent (content.dates.format_date: *form* is one of its FORMS)."""

    at: str
    form: str = "date"


@dataclass(frozen=True)
class Listing:
    """A list of items, each rendered with ``item`` (a content key), or ``empty`` if none."""

    item: str
    items: tuple[Mapping[str, Any], ...]
    empty: str


DONE = "done"  # the option that finishes a pick-many question


@dataclass(frozen=True)
class Parsed:
    """A free-text answer turned into a value, or the reason it could not be."""

    value: Any = None
    error: str | None = None
    error_params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Option:
    """One button. ``copy`` moves draft values into the answer fields when pressed.

    ``records=False`` marks a button that only navigates (e.g. "another time"),
    so pressing it does not overwrite the state's answer.
    """

    value: str
    label: str
    goto: str | None = None
    copy: tuple[tuple[str, str], ...] = ()
    also_say: str | None = None
    records: bool = True


@dataclass(frozen=True)
class SecondLook:
    """Words in an answer worth a gentle second look (an excuse, a promise no one could see).

    The first time ``find`` spots some in a question's answer, the answer is kept and the
    flow goes to ``goto`` instead, which may reflect the words back and offer a rewrite.
    The next answer to that question goes on whatever it says: it asks once, never refuses.
    """

    find: Callable[[str], str | None]
    goto: str


LOOKED = "_looked"  # draft: the questions whose answer has had its second look
LOOKED_AT = "_looked_at"  # draft: the words that second look found


CUT = "_cut"  # draft: the part of an over-long answer that fits, offered as the answer
KEEP_CUT = "keep_cut"  # the button value that takes it
# draft: [seq, count] of lines typed at a question answered only by its buttons, so the
# reminder to tap one is said once and then varied, never repeated word for word.
TYPED_AT = "_typed_at"


@dataclass(frozen=True)
class FreeText:
    goto: str
    max_chars: int = 1000
    parse: Callable[[str, Context], Parsed] | None = None
    second_look: SecondLook | None = None


@dataclass(frozen=True)
class Place:
    """A shared location, turned into a value by ``parse``."""

    goto: str
    parse: Callable[[float, float, Context], Parsed]
    button: str  # content key of the "share my location" button


@dataclass(frozen=True)
class State:
    """One question. ``answer`` names the field its answer is kept in.

    Fields whose name starts with ``_`` are drafts: kept in the session only,
    never remembered on the user's profile.
    """

    name: str
    prompt: tuple[str, ...]
    answer: str | None = None
    options: tuple[Option, ...] = ()
    columns: int = 1
    pick_many: bool = False
    text: FreeText | None = None
    place: Place | None = None
    params: Callable[[Mapping[str, Any], Context], Mapping[str, Any]] | None = None
    on_enter: Mapping[str, Any] = field(default_factory=dict)
    ends: bool = False
    # A step that asks nothing: the runtime performs ``effect`` (with the database)
    # and its result names the next state in ``on_result``.
    effect: EffectName | None = None
    on_result: Mapping[str, str] = field(default_factory=dict)
    # Buttons that open a link instead of answering: (label key, data field holding the URL).
    links: tuple[tuple[str, str], ...] = ()
    # A data field holding buttons about stored items: [{"text": ..., "data": ...}, ...].
    item_buttons: str | None = None
    # A data field holding a PNG (base64) sent as a photo, the prompt as its caption.
    photo: str | None = None
    # A data field holding a file ({"name": ..., "base64": ...}) sent as a document,
    # the prompt as its caption.
    document: str | None = None
    # A data field holding ids of this chat's messages, deleted before the prompt is sent.
    deletes: str | None = None
    # Buttons that open another flow, as its command would: (label key, command name).
    jumps: tuple[tuple[str, str], ...] = ()
    # Ending here goes straight back to the question of the flow this one interrupted.
    resumes: bool = False
    # The screen waits on someone else (an invitation for the partner), not on this
    # user's answer: leaving it for another command loses nothing worth a word.
    waits: bool = False

    def option(self, value: str) -> Option | None:
        return next((option for option in self.options if option.value == value), None)


@dataclass(frozen=True)
class Flow:
    name: str
    start: str
    states: Mapping[str, State]
    description: str = ""
    # Left mid-way for another flow, it is parked and picked up again later; a flow
    # that saves its drafts to the database as it goes does not need that.
    parks: bool = True

    def state(self, name: str) -> State:
        return self.states[name]


def flow(name: str, start: str, *states: State, description: str = "", parks: bool = True) -> Flow:
    by_name = {state.name: state for state in states}
    if len(by_name) != len(states):
        raise ValueError(f"flow {name}: duplicate state names")
    built = Flow(name=name, start=start, states=by_name, description=description, parks=parks)
    _check_targets(built)
    return built


def _check_targets(built: Flow) -> None:
    for state in built.states.values():
        for target in targets(state):
            if target not in built.states:
                raise ValueError(f"flow {built.name}: {state.name} leads to unknown {target}")
    if built.start not in built.states:
        raise ValueError(f"flow {built.name}: unknown start {built.start}")


def targets(state: State) -> list[str]:
    """Every state this one can lead to, in a stable order."""
    found = [option.goto for option in state.options if option.goto]
    found.extend(state.on_result.values())
    if state.text:
        found.append(state.text.goto)
        if state.text.second_look:
            found.append(state.text.second_look.goto)
    if state.place:
        found.append(state.place.goto)
    return list(dict.fromkeys(found))


# ---------------------------------------------------------------- outputs


@dataclass(frozen=True)
class Button:
    label: str  # content key
    data: str = ""
    checked: bool = False
    url: str | None = None  # a link button: opens this address instead of answering
    text: str | None = None  # words given as they are (e.g. an item's own text), not a key


@dataclass(frozen=True)
class Say:
    """Send a new message made of content keys joined by blank lines."""

    keys: tuple[str, ...]
    params: Mapping[str, Any] = field(default_factory=dict)
    buttons: tuple[tuple[Button, ...], ...] = ()
    ask_location: str | None = None  # label key of a "share location" reply button
    clear_reply_keyboard: bool = False
    photo: str | None = None  # a PNG, base64: sent as a photo with the words as caption
    document: Mapping[str, str] | None = None  # a file {"name", "base64"}, words as caption
    delete_first: tuple[int, ...] = ()  # this chat's messages to delete before the words


@dataclass(frozen=True)
class EditButtons:
    message_id: int
    buttons: tuple[tuple[Button, ...], ...]


@dataclass(frozen=True)
class CloseQuestion:
    """Edit an answered question: the buttons go, the chosen answer shows."""

    message_id: int
    keys: tuple[str, ...]
    params: Mapping[str, Any]
    answer_labels: tuple[str, ...]


@dataclass(frozen=True)
class Toast:
    key: str


Action = Say | EditButtons | CloseQuestion | Toast


@dataclass(frozen=True)
class Session:
    """Where a user is in a flow; stored as plain JSON between updates."""

    flow: str
    state: str
    seq: int = 0
    data: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"flow": self.flow, "state": self.state, "seq": self.seq, "data": dict(self.data)}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Session:
        return cls(flow=raw["flow"], state=raw["state"], seq=int(raw["seq"]), data=raw["data"])


@dataclass(frozen=True)
class Effect:
    """Work the runtime must do before the flow can go on; see State.effect."""

    name: str
    data: Mapping[str, Any]


@dataclass(frozen=True)
class Outcome:
    session: Session | None
    actions: tuple[Action, ...] = ()
    remember: Mapping[str, Any] = field(default_factory=dict)
    finished: bool = False
    effect: Effect | None = None
    resume: bool = False  # the flow ended where the interrupted one is asked again


CALLBACK_PREFIX = "f"


def callback_data(seq: int, value: str) -> str:
    return f"{CALLBACK_PREFIX}{seq}:{value}"


MENU_PREFIX = "g:"


def menu_data(command: str) -> str:
    """Callback data for a button that does what a command does (opens its flow)."""
    return MENU_PREFIX + command


ITEM_PREFIX = "i:"


def item_data(kind: str, item_id: int, action: str) -> str:
    """Callback data for a button about a stored item (e.g. a proposal), not a question."""
    return f"{ITEM_PREFIX}{kind}:{item_id}:{action}"


def parse_item(data: str) -> tuple[str, int, str] | None:
    kind, _, rest = (
        data[len(ITEM_PREFIX) :].partition(":") if data.startswith(ITEM_PREFIX) else ("", "", "")
    )
    item_id, _, action = rest.partition(":")
    if not kind or not item_id.isdigit() or not action:
        return None
    return kind, int(item_id), action


def parse_callback(data: str) -> tuple[int, str] | None:
    """``(seq, value)`` from our own callback data, or None for anything else."""
    if not data.startswith(CALLBACK_PREFIX):
        return None
    seq, sep, value = data[len(CALLBACK_PREFIX) :].partition(":")
    if not sep or not seq.isdigit() or not value:
        return None
    return int(seq), value
