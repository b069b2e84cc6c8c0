"""What a partner was shown of a commitment stays true, end to end.

A kept day that its owner changes afterwards is taken back from the partner
with a plain line, the owner hears that it was, and "I noticed" on a line
that no longer holds (changed, made private, or from before an unlink) says
plainly why nothing was passed on.
"""

from __future__ import annotations

from tests.e2e.harness import answer, expect, label, running, say
from tests.e2e.journeys import linked_pair
from tests.e2e.test_nudges import EVENING, at, commit, messages_with

PROMISE = "I put my phone away at dinner"


async def kept_and_told(bot, emu, clock):
    """A linked pair; Sam keeps a visible commitment tonight and Alex is told. Returns the
    partners, Sam's check-in question and Alex's line."""
    sam, alex = await linked_pair(bot, emu)
    await commit(sam, PROMISE, visible=True)
    await at(bot, clock, EVENING)
    ask = await expect(sam, "nudges.checkin")
    await sam.press(label("nudges.checkin_kept"), message_id=ask["message_id"])
    await expect(sam, "checkin.kept")
    await answer(sam, "checkin.no_note", "checkin.thanks")
    kept = await expect(alex, "checkin.partner_kept")
    return sam, alex, ask, kept


async def test_a_kept_day_changed_later_is_taken_back_from_the_partner(settings, emu, clock):
    async with running(settings, clock) as bot:
        sam, alex, ask, kept = await kept_and_told(bot, emu, clock)

        # Sam changes his answer on the same check-in: Alex's line is taken back.
        last = (await sam.last_bot_message())["message_id"]
        await sam.press(label("nudges.checkin_partly"), message_id=ask["message_id"])
        changed = await expect(sam, "checkin.partner_told", after=last)
        assert "Alex" in changed["text"]
        withdrawn = await expect(alex, "checkin.partner_changed", after=kept["message_id"])
        assert PROMISE in withdrawn["text"] and "Sam" in withdrawn["text"]
        await answer(sam, "checkin.no_note", "checkin.thanks")

        # Alex's old "I noticed" says plainly why it passes nothing on; Sam hears nothing.
        last = (await alex.last_bot_message())["message_id"]
        await alex.press(label("checkin.button_noticed"), message_id=kept["message_id"])
        await expect(alex, "checkin.noticed_changed", after=last)
        assert not await messages_with(sam, "checkin.noticed")

        # Kept after all: Alex is told again, and may notice it afresh.
        last = (await sam.last_bot_message())["message_id"]
        await sam.press(label("nudges.checkin_kept"), message_id=ask["message_id"])
        again = await expect(alex, "checkin.partner_kept", after=withdrawn["message_id"])
        await expect(sam, "checkin.kept", after=last)
        await answer(sam, "checkin.no_note", "checkin.thanks")
        await alex.press(label("checkin.button_noticed"), message_id=again["message_id"])
        await expect(alex, "checkin.noticed_sent", after=again["message_id"])
        await expect(sam, "checkin.noticed")


async def test_noticing_a_line_that_no_longer_holds_says_why(settings, emu, clock):
    async with running(settings, clock) as bot:
        sam, alex, _ask, kept = await kept_and_told(bot, emu, clock)

        # Sam makes the commitment private: the line stays, its button explains.
        await say(sam, "/commitments", "commitments.overview")
        last = (await sam.last_bot_message())["message_id"]
        await sam.press("✎ " + PROMISE)
        await expect(sam, "commitments.detail", after=last)
        await answer(sam, "commitments.change_visibility", "commit.visibility")
        await answer(sam, "commit.visibility_no", "commitments.changed")
        last = (await alex.last_bot_message())["message_id"]
        await alex.press(label("checkin.button_noticed"), message_id=kept["message_id"])
        hidden = await expect(alex, "checkin.noticed_hidden", after=last)
        assert "Sam" in hidden["text"]

        # After unlinking, the same button says the link changed.
        await say(sam, "/unlink", "link.unlink_confirm")
        await answer(sam, "link.unlink_yes", "link.unlinked")
        gone = await expect(alex, "link.partner_unlinked")
        await alex.press(label("checkin.button_noticed"), message_id=kept["message_id"])
        await expect(alex, "checkin.noticed_unlinked", after=gone["message_id"])
        assert not await messages_with(sam, "checkin.noticed")
