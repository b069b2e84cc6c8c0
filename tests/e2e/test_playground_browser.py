"""Both partners onboard by hand in the real playground page, in a real browser.

What it shows: the page at the emulator's root works as a person would use it.
The two names are typed into the top bar and Start is pressed; then, switching
between the two chat panes one step at a time, each partner types /start,
clicks the inline buttons, types free text, and gives a time zone (partner 1
types a city, partner 2 shares a location with a city button). Every reply of
the real bot, polling the emulator, has to appear in the right pane with the
newest message scrolled into view, both panes have to end on the menu, and
nothing one partner typed or was told may show up in the other partner's pane.

Screenshots land in tests/artifacts/: playground-midway.png (both partners at
the time zone question) and playground-onboarding.png (the full page at the end).

Needs Debian's Chromium at /usr/bin/chromium (``apt-get install chromium``);
the test is skipped without it. Run it with:

    .venv/bin/python -m pytest tests/e2e/test_playground_browser.py -q
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Locator, Page, async_playwright, expect

from tests.e2e.harness import label, words

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
WAIT_MS = 15_000

NAMES = ("Mara", "Jonas")
HOPES = ("Mara hopes we can be honest again", "Jonas wants to rebuild what he broke")


# ---- what a person does in one pane ----------------------------------------------


async def type_text(pane: Locator, text: str) -> None:
    """Type into the pane's message box and press its Send button."""
    index = await pane.get_attribute("data-pane")
    box = pane.locator(f'[data-testid="input-{index}"]')
    await box.fill(text)
    await pane.locator(f'[data-testid="send-{index}"]').click()
    # The page shows the user's own message once the emulator has it.
    await expect(pane.locator(".msg.user").last).to_contain_text(text, timeout=WAIT_MS)


async def click_button(pane: Locator, text: str) -> None:
    """Click the newest inline button with exactly this label in the pane's chat."""
    button = pane.locator("button.inline-btn").filter(
        has_text=re.compile(rf"^\s*{re.escape(text)}\s*$")).last
    await expect(button).to_be_visible(timeout=WAIT_MS)
    await button.click()


async def share_location(pane: Locator, city: str) -> None:
    """Share a location the way the page offers it: a city button under the chat."""
    button = pane.locator("button.city-btn", has_text=city)
    await expect(button).to_be_visible(timeout=WAIT_MS)  # shown because the bot asked
    await button.click()
    await expect(pane.locator(".msg.user").last).to_contain_text(f"📍 {city}", timeout=WAIT_MS)


async def expect_bot_text(pane: Locator, text: str) -> None:
    """Wait until a bot message in this pane contains *text*, and check that the
    pane shows its newest message without the person having to scroll."""
    message = pane.locator(".msg.bot").filter(has_text=text)
    await expect(message.last).to_be_visible(timeout=WAIT_MS)
    newest_bottom = pane.locator(".msg").last.locator(".meta")  # its time stamp
    await expect(newest_bottom).to_be_in_viewport(timeout=WAIT_MS)


# ---- one partner's onboarding, a step at a time -----------------------------------


async def onboarding(pane: Locator, *, role: str, hopes: str,
                     city: str, share: bool, zone: str) -> AsyncIterator[str]:
    """Click through onboarding in *pane*, yielding after each step so the
    other partner can take a turn."""
    await type_text(pane, "/start")
    await expect_bot_text(pane, words("onboarding.welcome"))
    yield "welcome"
    await click_button(pane, label("onboarding.begin"))
    await expect_bot_text(pane, words("onboarding.consent"))
    yield "consent"
    await click_button(pane, label("onboarding.consent_yes"))
    await expect_bot_text(pane, words("onboarding.role"))
    yield "role"
    await click_button(pane, label(f"onboarding.role_{role}"))
    await expect_bot_text(pane, words("onboarding.causes"))
    yield "causes"
    await click_button(pane, label("causes.dishonesty"))
    # A multi-select: the button is ticked in place, the question stays open.
    ticked = pane.locator("button.inline-btn", has_text="✓ " + label("causes.dishonesty"))
    await expect(ticked).to_be_visible(timeout=WAIT_MS)
    await click_button(pane, label("onboarding.causes_done"))
    await expect_bot_text(pane, words("onboarding.hopes"))
    yield "hopes"
    await type_text(pane, hopes)
    await expect_bot_text(pane, words("onboarding.safety"))
    yield "safety"
    await click_button(pane, label("onboarding.safety_no"))
    await expect_bot_text(pane, words("onboarding.zone"))
    yield "zone"
    if share:
        await share_location(pane, city)
    else:
        await type_text(pane, city)
    await expect_bot_text(pane, words("onboarding.zone_confirm"))
    await expect_bot_text(pane, zone)
    yield "zone_confirm"
    await click_button(pane, label("onboarding.zone_confirm_yes"))
    await expect_bot_text(pane, words("onboarding.reminder"))
    yield "reminder"
    await click_button(pane, label("onboarding.reminder_evening"))
    await expect_bot_text(pane, words("menu.text"))
    yield "menu"


async def side_by_side(page: Page, first: AsyncIterator[str], second: AsyncIterator[str],
                       *, screenshot_at: str) -> None:
    """One step in the first pane, then one in the second, until both are done;
    a screenshot when both have reached *screenshot_at*."""
    async for step in first:
        assert await anext(second) == step
        if step == screenshot_at:
            await page.screenshot(path=str(ARTIFACTS / "playground-midway.png"), full_page=True)
    with pytest.raises(StopAsyncIteration):
        await anext(second)


# ---- the test ------------------------------------------------------------------------


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # one backend is enough
async def test_both_partners_click_through_onboarding_in_the_page(emulator, bot):
    if not CHROMIUM.exists():
        pytest.skip(f"needs Debian's Chromium at {CHROMIUM} (apt-get install chromium)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1280, "height": 800})
            await page.goto(f"{emulator.url}/")

            for index, name in enumerate(NAMES):
                await page.locator(f'[data-testid="name-{index}"]').fill(name)
            await page.locator('[data-testid="start"]').click()
            await expect(page.locator('[data-testid="status"]')).to_have_text(
                "Chatting with the bot", timeout=WAIT_MS)

            panes = [page.locator(f'[data-pane="{index}"]') for index in (0, 1)]
            for pane, name in zip(panes, NAMES, strict=True):
                await expect(pane.locator(".pane-title")).to_have_text(name)

            await side_by_side(
                page,
                onboarding(panes[0], role="hurt", hopes=HOPES[0],
                           city="Berlin", share=False, zone="Europe/Berlin"),
                onboarding(panes[1], role="broke", hopes=HOPES[1],
                           city="New York", share=True, zone="America/New York"),
                screenshot_at="zone",
            )

            for pane in panes:
                await expect(pane.locator(".msg.bot").last).to_contain_text(
                    words("menu.text"), timeout=WAIT_MS)
                await expect(pane.locator(".msg.bot").last).to_contain_text("20:00")

            # Nothing of one partner's chat shows up in the other's.
            mine, theirs = panes[0].locator(".messages"), panes[1].locator(".messages")
            await expect(mine).to_contain_text(HOPES[0])
            await expect(theirs).to_contain_text(HOPES[1])
            await expect(theirs).not_to_contain_text(HOPES[0])
            await expect(mine).not_to_contain_text(HOPES[1])
            await expect(theirs).not_to_contain_text("Europe/Berlin")
            await expect(mine).not_to_contain_text("America/New York")
            await expect(mine.locator(".msg.user", has_text="📍")).to_have_count(0)
            await expect(theirs.locator(".msg.user", has_text="Berlin")).to_have_count(0)

            await page.screenshot(path=str(ARTIFACTS / "playground-onboarding.png"),
                                  full_page=True)
        finally:
            await browser.close()
