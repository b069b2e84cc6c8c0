"""One couple from start to finish, the way a real pair would use the bot (issue 15).

Ben broke trust; Ann was hurt. They onboard and link; in step 1 Ben's apology (its
change kept as a daily commitment) is shared and Ann says she read it, and Ann's request
is answered by Ben with a few words back; in step 2 Ann speaks, Ben reflects, Ann pauses
once and only she resumes, and the exercise completes; in step 3 both answer, reveal and
draft agreements; that evening Ben checks in "Kept", then changes it to "Partly"; Ann
puts Ben's proposal off with "not now" and accepts it the next day from /agreements.

Every message of both chats goes to tests/artifacts/couple_transcript.txt, and the whole
transcript is checked: no dead end, no "time(s)" plurals, no doubled punctuation, and no
text keyed for the other partner's role."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from content import catalog
from playground.client import SimUser
from tests.e2e.harness import answer, expect, label, onboard, running, say
from tests.e2e.journeys import link
from tests.e2e.test_listening import PART_ONE, PART_TWO, reflect, share
from tests.e2e.test_nudges import EVENING, at
from tests.e2e.test_responsibility import apology, owning
from tests.e2e.test_shares import press_on, send_request
from tests.e2e.test_vision import draft, write
from tests.unit.test_text_quality import _DOUBLED, _PLURAL_HACK

TRANSCRIPT = Path(__file__).parents[1] / "artifacts" / "couple_transcript.txt"
PATIENCE = 30.0  # seconds any one reply may take on a loaded machine
ROLES = ("broke", "hurt", "both", "private")

WORDS_BACK = "I hear you. I'll tell you about plans before you have to ask."
HEARD = "What I hear is that finding them shook everything you believed about us."
PAUSE_WORDS = "I can't hear this today. I'm not going anywhere."
BEN_VISION = (
    "Quiet evenings where you don't have to wonder",
    "We tell each other when plans change",
    "I will keep my phone face up at home",
)
ANN_VISION = (
    "That we laugh together again",
    "No more secrets, even small ones",
    "I will say when I'm scared instead of going quiet",
)
BEN_DRAFT = "We tell each other when plans change, before the other has to ask"
ANN_DRAFT = "We have one evening a week just for the two of us"


# ---------------------------------------------------------------- a partner, written down


@dataclass
class Press:
    after: int  # the newest message in the chat when the button was pressed
    button: str
    on: int | None


class Partner(SimUser):
    """A simulated person who waits patiently and whose presses are written down.

    Typed messages are in the chat itself; a press is not, so it is noted with the newest
    message of the moment. Each bot message is noted as first seen (before the person
    acts), since a press may later edit its buttons away."""

    def __init__(self, user: SimUser, role: str) -> None:
        super().__init__(user.client, user.data)
        self.role = role
        self.presses: list[Press] = []
        self.first_seen: dict[int, dict] = {}

    async def note(self) -> dict:
        document = await self.chat()
        for message in document["messages"]:
            if message["sender"] == "bot":
                self.first_seen.setdefault(message["message_id"], message)
        return document

    async def send(self, text: str) -> dict:
        await self.note()
        return await super().send(text)

    async def press(
        self, button_text=None, *, callback_data=None, message_id=None, forge=False
    ) -> str:
        document = await self.note()
        newest = max((m["message_id"] for m in document["messages"]), default=0)
        self.presses.append(Press(newest, button_text or callback_data, message_id))
        return await super().press(
            button_text, callback_data=callback_data, message_id=message_id, forge=forge
        )

    async def wait_for(self, predicate, timeout: float = 10.0, description: str = "condition"):
        return await super().wait_for(predicate, max(timeout, PATIENCE), description)


@dataclass
class Entry:
    """One line of a chat: a bot message (text and buttons) or what the person did."""

    who: str
    text: str
    buttons: tuple[str, ...] = ()
    edit: bool = False  # how a message looked afterwards, once the person had acted on it

    typed: bool = False  # the person's own typed message (not a press)

    @property
    def from_bot(self) -> bool:
        return self.who == "bot"

    @property
    def typed_words(self) -> bool:
        return self.typed and not self.text.startswith("/")


async def entries(partner: Partner) -> list[Entry]:
    """The chat in order, each bot message as first seen (and again if edited later)."""
    document = await partner.note()
    presses = sorted(partner.presses, key=lambda p: p.after)
    chat: list[Entry] = []
    for message in document["messages"]:
        if message["sender"] == "bot":
            chat.extend(bot_entries(partner.first_seen[message["message_id"]], message))
        else:
            chat.append(
                Entry(partner.first_name, message["text"] or f"<{message['kind']}>", typed=True)
            )
        while presses and presses[0].after <= message["message_id"]:
            chat.append(pressed(presses.pop(0), partner, document))
    return chat


def pressed(press: Press, partner: Partner, document: dict) -> Entry:
    on = next((m for m in document["messages"] if m["message_id"] == press.on), None)
    where = f" on “{(on['text'] or '').splitlines()[0]}”" if on else ""
    return Entry(partner.first_name, f"pressed [{press.button}]{where}")


def bot_entries(first: dict, final: dict) -> list[Entry]:
    seen = [Entry("bot", first["text"] or f"<{first['kind']}>", tuple(SimUser.buttons(first)))]
    if final["deleted"]:
        return [*seen, Entry("bot", "(this message was deleted later)")]
    if (final["text"], SimUser.buttons(final)) != (first["text"], SimUser.buttons(first)):
        seen.append(
            Entry(
                "bot",
                f"(edited later) {final['text'] or ''}",
                tuple(SimUser.buttons(final)),
                edit=True,
            )
        )
    return seen


def render(partner: Partner, chat: list[Entry]) -> str:
    lines = [f"===== {partner.first_name}'s chat ({label('answers.role.' + partner.role)})"]
    for entry in chat:
        lines.append(f"--- {entry.who}:")
        lines.append(entry.text)
        if entry.buttons:
            lines.append("   " + " ".join(f"[{b}]" for b in entry.buttons))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- what the transcript must hold

# A bot message is not a dead end when the person knows what they can do or what happens
# next: it has buttons, asks a question, names a /command, or says what comes next in so
# many words (the future "I'll…", "next", "tomorrow", "when…", "whenever…", "waiting",
# "until", "any time") — or another bot message follows before the person acts, because
# an answer in several parts ends with the part that says it — or it is a prompt the
# person answers in their own words ("Part 4 of 4: signs of progress…"), which shows as
# their next act being typed words; a /command typed next is a way out, not an answer.
# A message is judged as it arrived: what it looked like after the person acted on it
# (its buttons gone, their choice ticked) is a record, not something that asks anything.
_NEXT_STEP = re.compile(
    r"(?<![\w/])/[a-z_]+\b|\?|\b(?:I'll|I’ll|I will|next|tomorrow|when|whenever|waiting|"
    r"until|any ?time)\b",
    re.I,
)
_QUOTED = re.compile(r"“[^”]*”")  # a person's own words, which say nothing of what's next


def dead_ends(chat: list[Entry]) -> list[str]:
    found = []
    for index, entry in enumerate(chat):
        own = _QUOTED.sub("", entry.text)
        if not entry.from_bot or entry.edit or entry.buttons or _NEXT_STEP.search(own):
            continue
        following = chat[index + 1] if index + 1 < len(chat) else None
        if following is not None and (following.from_bot or following.typed_words):
            continue
        found.append(entry.text)
    return found


def badly_written(chat: list[Entry]) -> list[str]:
    return [
        f"{problem.group(0)!r} in {entry.text!r}"
        for entry in chat
        if entry.from_bot
        for pattern in (_PLURAL_HACK, _DOUBLED)
        if (problem := pattern.search(entry.text))
    ]


def _visible(template: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", template).split())


def _fixed_run(key: str) -> str:
    """The longest stretch of a text that no placeholder interrupts, as the chat shows it."""
    runs = re.split(r"\{[^}]*\}", _visible(catalog().texts[key]))
    return max((run.strip(" “”,.:") for run in runs), key=len)


def role_texts() -> dict[str, set[str]]:
    """For each role, the texts keyed for it: a variant under its role's name
    ("practices.named_why.hurt"), a text named for its path ("responsibility.hurt_intro",
    "responsibility.look_hurt") and the daily prompts listed for it. The role names
    themselves (answers.role.*, onboarding.role_*) are choices both may see, not texts."""
    words_of = catalog()
    keyed: dict[str, set[str]] = {role: set() for role in ROLES}
    for key in words_of.texts:
        *parent, last = key.split(".")
        if parent[:1] in (["answers"], ["onboarding"]):
            continue
        if last in ROLES:
            keyed[last].add(key)
        elif parent == ["responsibility"] and (
            found := re.fullmatch(r"(broke|hurt|both)_intro|look_(broke|hurt|both)", last)
        ):
            keyed[found.group(1) or found.group(2)].add(key)
    for prompt in words_of.section("empathy_prompts"):
        if prompt.endswith(".text"):
            pid = prompt.removesuffix(".text")
            for role in words_of.lists[f"empathy_prompts.{pid}.roles"]:
                keyed[role].add(f"empathy_prompts.{pid}.text")
    return {role: {_fixed_run(key) for key in keys} for role, keys in keyed.items()}


def meant_for_others(chat: list[Entry], role: str) -> list[str]:
    """Texts keyed for another role (and not also for this one) that this chat shows."""
    by_role = role_texts()
    mine = by_role[role]
    others = {run for other, runs in by_role.items() if other != role for run in runs}
    foreign = {
        run for run in others - mine if len(run) >= 20 and not any(run in own for own in mine)
    }
    shown = " ".join(_visible(entry.text) for entry in chat if entry.from_bot)
    return sorted(run for run in foreign if run in shown)


def test_the_dead_end_rule_catches_a_message_that_leaves_nothing_to_do():
    dead = Entry("bot", "Thank you. I've put the location button away.")
    ben = Entry("Ben", "pressed [Share my location]")
    assert dead_ends([ben, dead, ben]) == [dead.text]
    assert dead_ends([ben, dead]) == [dead.text]  # the chat's last word counts too
    for alive in (
        Entry("bot", "Saved.", ("Open the menu",)),
        Entry("bot", "Saved. What would you like to do now?"),
        Entry("bot", "Saved. /commitments shows it whenever you like."),
        Entry("bot", "Sent. I'll tell you when Ann has read it."),
        Entry("bot", "Thank you. That's all for tonight; I'll be back tomorrow."),
    ):
        assert dead_ends([ben, alive, ben]) == [], alive.text
    assert dead_ends([ben, dead, Entry("bot", "Shall we go on?"), ben]) == []  # in parts
    prompt = Entry("bot", "Part 4 of 4: signs of progress. Name what they will notice.")
    assert dead_ends([prompt, Entry("Ben", "My phone face up", typed=True)]) == []
    assert dead_ends([dead, Entry("Ben", "/menu", typed=True)]) == [dead.text]
    quoting = Entry("bot", "Ben kept “I tell you whenever plans change”.")
    assert dead_ends([quoting, ben]) == [quoting.text]  # their words aren't the bot's
    assert dead_ends([Entry("bot", "This is either and/or that.")]) != []


def test_the_role_check_knows_texts_for_each_role():
    by_role = role_texts()
    assert _fixed_run("practices.named_why.hurt") in by_role["hurt"]
    assert _fixed_run("responsibility.broke_intro") in by_role["broke"]
    assert _fixed_run("responsibility.broke_intro") not in by_role["hurt"]
    shown = [Entry("bot", catalog().texts["practices.named_why.hurt"])]
    assert meant_for_others(shown, "broke") and not meant_for_others(shown, "hurt")


# ---------------------------------------------------------------- the stages of the journey


async def meet(emu) -> tuple[Partner, Partner]:
    """Both onboard, Ben as the one who broke trust and Ann as the one who was hurt; linked."""
    ben = Partner(await emu.create_user("Ben"), "broke")
    ann = Partner(await emu.create_user("Ann"), "hurt")
    await onboard(ben, role="broke")
    await onboard(ann, role="hurt")
    await link(ben, ann)
    return ben, ann


async def ben_apologises(ben: Partner, ann: Partner) -> None:
    """Step 1 for Ben: owning it (past the excuse check), the change kept as a daily
    commitment Ann may see, the apology shared; Ann says she read it."""
    await owning(ben)
    await answer(ben, "responsibility.commit_yes", "commit.days")
    await answer(ben, "commit.days_every", "commit.visibility")
    await answer(ben, "commit.visibility_yes", "responsibility.commit_saved")
    await answer(ben, "responsibility.to_apology", "responsibility.ack")
    await apology(ben)
    await answer(ben, "responsibility.share_apology", "responsibility.confirm_share")
    sent = await answer(ben, "responsibility.send", "responsibility.apology_sent")
    got = await expect(ann, "responsibility.partner_apology")
    await expect(ben, "share.delivered", after=sent["message_id"])
    await press_on(ann, got, "share.read_button", "share.read_done")
    await expect(ben, "share.read_by")


async def ann_asks_and_ben_answers(ben: Partner, ann: Partner) -> None:
    """Step 1 for Ann: what would help, shared; Ben answers with a few words back."""
    got = await send_request(ann, ben)
    await expect(ann, "share.delivered")
    await press_on(ben, got, "share.write_button", "share.write")
    await say(ben, WORDS_BACK, "share.review")
    await answer(ben, "share.send", "share.sent")
    back = await expect(ann, "share.words_from")
    assert WORDS_BACK in back["text"]
    await expect(ben, "share.delivered", after=got["message_id"])


async def listening(ben: Partner, ann: Partner) -> None:
    """Step 2: Ann speaks, Ben reflects; Ann pauses, Ben can only ask, Ann resumes, heard."""
    await share(ann, PART_ONE, PART_TWO)
    await reflect(ben, HEARD)
    reflection = await expect(ann, "listening.notify_reflection")
    await press_on(ann, reflection, "listening.pause", "listening.pause_confirm")
    await answer(ann, "listening.pause_with_words", "listening.pause_words")
    await say(ann, PAUSE_WORDS, "listening.pause_review")
    await answer(ann, "listening.pause_send", "listening.paused_now")

    paused = await expect(ben, "listening.notify_paused")
    assert label("listening.resume") not in SimUser.buttons(paused)
    await say(ben, "/listen", "listening.held")
    await answer(ben, "listening.ask_gently", "listening.ask_confirm")
    await answer(ben, "listening.ask_send", "listening.asked")
    await expect(ann, "listening.notify_asked")

    await say(ann, "/listen", "listening.paused")
    await answer(ann, "listening.resume", "listening.answer")
    await expect(ben, "listening.notify_resumed")
    await answer(ann, "listening.heard", "listening.heard_thanks")
    await expect(ben, "listening.notify_heard")
    await answer(ann, "listening.close", "listening.closed")


async def new_vision(ben: Partner, ann: Partner) -> dict:
    """Step 3: both answer, both reveal, each drafts an agreement. Ben's proposal to Ann
    is returned for her to answer; Ben accepts Ann's at once."""
    await write(ben, BEN_VISION, "vision.saved_waiting")
    await expect(ann, "vision.partner_finished")
    await write(ann, ANN_VISION, "vision.choose")
    ask = await expect(ben, "vision.ask_partner")
    await answer(ann, "vision.show", "vision.chosen")
    await press_on(ben, ask, "vision.show_button", "vision.choose")
    await answer(ben, "vision.show", "vision.revealed")
    theirs_for_ann = await expect(ann, "vision.their_words")
    await expect(ben, "vision.their_words")

    await answer(ben, "vision.draft", "ledger.kind")
    await draft(ben, BEN_DRAFT)
    proposal = await expect(ann, "ledger.notify")
    before = (await ben.last_bot_message())["message_id"]
    await press_on(ann, theirs_for_ann, "vision.draft_button", "ledger.kind")
    await draft(ann, ANN_DRAFT)
    for_ben = await expect(ben, "ledger.notify", after=before)
    assert ANN_DRAFT in for_ben["text"]
    await press_on(ben, for_ben, "ledger.accept", "ledger.accepted")
    await expect(ann, "ledger.partner_accepted")
    return proposal


async def ann_puts_it_off(ben: Partner, ann: Partner, proposal: dict) -> None:
    await press_on(ann, proposal, "ledger.later", "ledger.not_now")
    await expect(ben, "ledger.partner_not_now")


async def evening_check_in(bot, clock, ben: Partner, ann: Partner) -> None:
    """The scheduler asks Ben at his reminder time; Kept, then changed to Partly. Ann's
    line is taken back, and her "I noticed" on it says plainly why it passes nothing on."""
    await at(bot, clock, EVENING)
    ask = await expect(ben, "nudges.checkin")
    await press_on(ben, ask, "nudges.checkin_kept", "checkin.kept")
    await answer(ben, "checkin.no_note", "checkin.thanks")
    kept = await expect(ann, "checkin.partner_kept")
    await press_on(ben, ask, "nudges.checkin_partly", "checkin.partner_told")
    await expect(ann, "checkin.partner_changed", after=kept["message_id"])
    await answer(ben, "checkin.no_note", "checkin.thanks")
    await press_on(ann, kept, "checkin.button_noticed", "checkin.noticed_changed")


async def ann_accepts_later(bot, clock, ben: Partner, ann: Partner) -> None:
    """The next morning Ann finds the proposal under "put off" in /agreements and accepts."""
    await at(bot, clock, EVENING + timedelta(hours=14))
    overview = await say(ann, "/agreements", "ledger.overview")
    assert BEN_DRAFT in overview["text"].split("Put off")[1]
    [put_off] = [b for b in SimUser.buttons(overview) if b.startswith("↩ We tell each other")]
    await ann.press(put_off, message_id=overview["message_id"])
    await expect(ann, "ledger.put_off_detail", after=overview["message_id"])
    before = (await ben.last_bot_message())["message_id"]
    await answer(ann, "ledger.accept", "ledger.accepted")
    told = await expect(ben, "ledger.partner_accepted", after=before)
    assert BEN_DRAFT in told["text"]


# ---------------------------------------------------------------- the journey


async def test_a_couple_goes_from_start_to_finish_without_a_dead_end(settings, emu, clock):
    async with running(settings, clock) as bot:
        ben, ann = await meet(emu)
        await ben_apologises(ben, ann)
        await ann_asks_and_ben_answers(ben, ann)
        await listening(ben, ann)
        proposal = await new_vision(ben, ann)
        await ann_puts_it_off(ben, ann, proposal)
        await evening_check_in(bot, clock, ben, ann)
        await ann_accepts_later(bot, clock, ben, ann)
        chats = {partner: await entries(partner) for partner in (ben, ann)}

    TRANSCRIPT.parent.mkdir(parents=True, exist_ok=True)
    TRANSCRIPT.write_text("\n".join(render(p, chat) for p, chat in chats.items()), encoding="utf-8")
    problems = [
        (partner.first_name, check.__name__, found)
        for partner, chat in chats.items()
        for check, found in (
            (dead_ends, dead_ends(chat)),
            (badly_written, badly_written(chat)),
            (meant_for_others, meant_for_others(chat, partner.role)),
        )
        for found in found
    ]
    assert problems == [], "\n".join(map(str, problems)) + f"\nsee {TRANSCRIPT}"
    # The role check had something to find: each saw texts keyed for their own role.
    for partner, chat in chats.items():
        shown = " ".join(_visible(e.text) for e in chat if e.from_bot)
        assert any(run in shown for run in role_texts()[partner.role]), partner.first_name
