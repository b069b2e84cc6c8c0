"""Partner linking end to end: invitations by link and code, every refusal, safety,
unlink and relink, and two people racing for one invitation."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from tests.e2e.harness import answer, expect, label, onboard, running, say, words
from tests.e2e.journeys import invite


async def couples(bot) -> list[tuple]:
    async with bot.db.engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT id, first_id, second_id, unlinked_at FROM couples ORDER BY id")
        )
        return [tuple(row) for row in rows]


async def test_a_new_partner_joins_by_deep_link_after_their_own_onboarding(bot, emu):
    sam, alex = await emu.create_user("Sam"), await emu.create_user("Alex")
    await onboard(sam)
    token, _ = await invite(sam)
    offer = await say(alex, f"/start {token}", "link.offer")
    assert "Sam" in offer["text"] and words("link.setup_first") in offer["text"]
    await answer(alex, "link.setup", "onboarding.consent")
    await answer(alex, "onboarding.consent_yes", "onboarding.role")
    await answer(alex, "onboarding.role_broke", "onboarding.causes")
    await alex.press(label("causes.dishonesty"))
    await answer(alex, "onboarding.causes_done", "onboarding.hopes")
    await say(alex, "Alex's private hope", "onboarding.safety")
    await answer(alex, "onboarding.safety_no", "onboarding.zone")
    await say(alex, "Paris", "onboarding.zone_confirm")
    await answer(alex, "onboarding.zone_confirm_yes", "onboarding.reminder")
    await answer(alex, "onboarding.reminder_morning", "link.set_up")
    linked = await answer(alex, "link.accept", "link.linked")
    assert "Sam" in linked["text"]
    told = await expect(sam, "link.invitee_accepted")
    assert "Alex" in told["text"]
    assert [c[1:] for c in await couples(bot)] == [(sam.id, alex.id, None)]
    mine = await say(sam, "/partner", "link.partner")
    assert "Alex" in mine["text"]
    sams_chat = " ".join(m["text"] for m in await sam.bot_messages())
    assert "Alex's private hope" not in sams_chat  # nothing private crosses over
    async with bot.db.transaction() as repos:
        assert (await repos.users.get(alex.id)).onboarded_at is not None


async def test_an_onboarded_partner_joins_by_typed_code(bot, emu):
    sam, alex = await emu.create_user("Sam"), await emu.create_user("Alex")
    await asyncio.gather(onboard(sam), onboard(alex))
    _, code = await invite(sam)
    await say(alex, "/link", "link.choose")
    await answer(alex, "link.have_code", "link.enter_code")
    await say(alex, code.lower().replace("-", " "), "link.offer")
    await answer(alex, "link.accept", "link.linked")
    await expect(sam, "link.invitee_accepted")
    await say(alex, "/link", "link.partner")  # already linked: /link shows the link


async def test_declining_tells_the_inviter_kindly_and_spends_the_invitation(bot, emu):
    sam, alex = await emu.create_user("Sam"), await emu.create_user("Alex")
    await asyncio.gather(onboard(sam), onboard(alex))
    token, _ = await invite(sam)
    await say(alex, f"/start {token}", "link.offer")
    await answer(alex, "link.decline", "link.declined")
    await expect(sam, "link.invitee_declined")
    await say(alex, f"/start {token}", "link.invalid")
    assert await couples(bot) == []


async def test_refusals_own_link_used_link_revoked_and_already_linked(bot, emu):
    sam, alex, casey = (
        await emu.create_user("Sam"),
        await emu.create_user("Alex"),
        await emu.create_user("Casey"),
    )
    await asyncio.gather(onboard(sam), onboard(alex), onboard(casey))
    token, _ = await invite(sam)
    await say(sam, f"/start {token}", "link.own_link")
    await say(alex, f"/start {token}", "link.offer")
    await answer(alex, "link.accept", "link.linked")
    await say(casey, f"/start {token}", "link.invalid")  # a third person, a used link

    casey_token, _ = await invite(casey)
    await say(alex, f"/start {casey_token}", "link.already_linked")
    await answer(casey, "link.revoke", "link.revoked")
    await say(alex, f"/start {casey_token}", "link.invalid")


async def test_guessing_codes_is_throttled(bot, emu):
    sam, mallory = await emu.create_user("Sam"), await emu.create_user("Mallory")
    await asyncio.gather(onboard(sam), onboard(mallory))
    _, code = await invite(sam)
    for guess in range(5):
        await say(mallory, f"/start wrong-guess-{guess:02d}-xxxxxxxxxxxx", "link.not_found")
    await say(mallory, "/link", "link.choose")
    await answer(mallory, "link.have_code", "link.enter_code")
    await say(mallory, code, "link.throttled")  # even the right code waits now
    assert await couples(bot) == []


async def test_someone_who_feels_unsafe_is_not_pushed_into_linking(bot, emu):
    sam, alex = await emu.create_user("Sam"), await emu.create_user("Alex")
    await asyncio.gather(onboard(sam), onboard(alex, safety="yes"))
    token, _ = await invite(sam)
    await say(alex, f"/start {token}", "link.offer")
    pause = await answer(alex, "link.accept", "link.safety_pause")
    assert "0800 111 0 111" in pause["text"]  # resources come with the reminder (Berlin's)
    await answer(alex, "link.not_now", "link.not_now_reply")
    assert await couples(bot) == []
    sams_chat = " ".join(m["text"] for m in await sam.bot_messages())
    assert words("link.invitee_declined") not in sams_chat  # nobody was told anything
    await say(alex, "/link", "link.safety_pause")


async def test_unlink_tells_the_partner_neutrally_and_relink_restores(bot, emu):
    sam, alex = await emu.create_user("Sam"), await emu.create_user("Alex")
    await asyncio.gather(onboard(sam), onboard(alex))
    token, _ = await invite(sam)
    await say(alex, f"/start {token}", "link.offer")
    await answer(alex, "link.accept", "link.linked")
    await say(alex, "/unlink", "link.unlink_confirm")
    await answer(alex, "link.unlink_no", "link.kept")
    await say(alex, "/unlink", "link.unlink_confirm")
    await answer(alex, "link.unlink_yes", "link.unlinked")
    told = await expect(sam, "link.partner_unlinked")
    assert "Alex" not in told["text"]
    await say(sam, "/partner", "link.not_linked")
    [(first_id, *_rest)] = await couples(bot)

    token, _ = await invite(alex)
    await say(sam, f"/start {token}", "link.offer")
    await answer(sam, "link.accept", "link.linked")
    assert [(c[0], c[3]) for c in await couples(bot)] == [(first_id, None)]  # the same couple


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_expiry_and_the_relink_window_follow_the_clock(settings, emu, clock):
    async with running(settings, clock) as bot:
        sam, alex = await emu.create_user("Sam"), await emu.create_user("Alex")
        await asyncio.gather(onboard(sam), onboard(alex))
        token, _ = await invite(sam)
        clock.advance(hours=72, seconds=1)
        await say(alex, f"/start {token}", "link.invalid")

        token, _ = await invite(sam)
        await say(alex, f"/start {token}", "link.offer")
        await answer(alex, "link.accept", "link.linked")
        await say(sam, "/unlink", "link.unlink_confirm")
        await answer(sam, "link.unlink_yes", "link.unlinked")
        clock.advance(days=31)
        token, _ = await invite(sam)
        await say(alex, f"/start {token}", "link.offer")
        await answer(alex, "link.accept", "link.linked")
        rows = await couples(bot)
        assert len(rows) == 2 and rows[0][3] is not None and rows[1][3] is None


async def test_two_people_racing_for_one_invitation_make_one_link(bot, emu):
    sam, alex, casey = (
        await emu.create_user("Sam"),
        await emu.create_user("Alex"),
        await emu.create_user("Casey"),
    )
    await asyncio.gather(onboard(sam), onboard(alex), onboard(casey))
    token, _ = await invite(sam)
    await asyncio.gather(
        say(alex, f"/start {token}", "link.offer"), say(casey, f"/start {token}", "link.offer")
    )
    await asyncio.gather(alex.press(label("link.accept")), casey.press(label("link.accept")))
    outcomes = await asyncio.gather(
        *(
            user.wait_for(
                lambda d: any(
                    words("link.linked") in m["text"] or words("link.invalid") in m["text"]
                    for m in d["messages"]
                    if m["sender"] == "bot"
                )
            )
            for user in (alex, casey)
        )
    )
    linked = [any(words("link.linked") in m["text"] for m in d["messages"]) for d in outcomes]
    assert sorted(linked) == [False, True]
    assert len([c for c in await couples(bot) if c[3] is None]) == 1
