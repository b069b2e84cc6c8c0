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

The second test loads the page at 1280 px and at 420 px (a phone: one partner at
a time, with tabs) and uses what the page makes of the bot's messages: a tapped
/command, a phone number, the invitation link opening in the partner's pane, an
edit of a sent message, the chart full size, a file's name and size, and a
reload; nothing may be cut off. Its screenshots are
playground-{desktop,phone}-{chart,photo,invitation,joined,edited}.png.

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

from tests.e2e.harness import label, onboard, words

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
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
    button = (
        pane.locator("button.inline-btn")
        .filter(has_text=re.compile(rf"^\s*{re.escape(text)}\s*$"))
        .last
    )
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


async def onboarding(
    pane: Locator, *, role: str, hopes: str, city: str, share: bool, zone: str
) -> AsyncIterator[str]:
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


async def side_by_side(
    page: Page, first: AsyncIterator[str], second: AsyncIterator[str], *, screenshot_at: str
) -> None:
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
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = await browser.new_page(viewport={"width": 1280, "height": 800})
            await page.goto(f"{emulator.url}/")

            for index, name in enumerate(NAMES):
                await page.locator(f'[data-testid="name-{index}"]').fill(name)
            await page.locator('[data-testid="start"]').click()
            await expect(page.locator('[data-testid="status"]')).to_have_text(
                "Chatting with the bot", timeout=WAIT_MS
            )

            panes = [page.locator(f'[data-pane="{index}"]') for index in (0, 1)]
            for pane, name in zip(panes, NAMES, strict=True):
                await expect(pane.locator(".pane-title")).to_have_text(name)

            await side_by_side(
                page,
                onboarding(
                    panes[0],
                    role="hurt",
                    hopes=HOPES[0],
                    city="Berlin",
                    share=False,
                    zone="Europe/Berlin",
                ),
                onboarding(
                    panes[1],
                    role="broke",
                    hopes=HOPES[1],
                    city="New York",
                    share=True,
                    zone="America/New York",
                ),
                screenshot_at="zone",
            )

            for pane in panes:
                await expect(pane.locator(".msg.bot").last).to_contain_text(
                    words("menu.text"), timeout=WAIT_MS
                )
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

            await page.screenshot(path=str(ARTIFACTS / "playground-onboarding.png"), full_page=True)
        finally:
            await browser.close()


# ---- what the page makes of the bot's messages, on a desktop and on a phone --------------

WIDTHS = {"desktop": (1280, 800), "phone": (420, 860)}
PHONE_PX = 760  # the page shows one partner at a time below this width (style.css)


async def assert_nothing_cut_off(page: Page, where: str) -> None:
    """No horizontal scroll on the page, and no message sticking out of its chat."""
    widths = await page.evaluate("""() => ({
        page: document.documentElement.scrollWidth, viewport: window.innerWidth,
        chats: [...document.querySelectorAll('.pane .messages')]
            .filter((box) => box.offsetParent !== null)
            .map((box) => box.scrollWidth - box.clientWidth),
    })""")
    assert widths["page"] <= widths["viewport"], f"{where}: the page scrolls sideways {widths}"
    assert all(extra <= 0 for extra in widths["chats"]), f"{where}: a chat is too wide {widths}"


async def show(page: Page, index: int) -> Locator:
    """The partner's pane, brought into view with its tab where only one fits."""
    pane = page.locator(f'[data-pane="{index}"]')
    tab = page.locator(f'[data-testid="tab-{index}"]')
    if await tab.is_visible():
        await tab.click()
    await expect(pane).to_be_visible()
    return pane


async def start_page(page: Page, url: str, names: tuple[str, str]) -> list[Locator]:
    await page.goto(f"{url}/")
    for index, name in enumerate(names):
        await page.locator(f'[data-testid="name-{index}"]').fill(name)
    await page.locator('[data-testid="start"]').click()
    await expect(page.locator('[data-testid="status"]')).to_have_text(
        "Chatting with the bot", timeout=WAIT_MS
    )
    return [page.locator(f'[data-pane="{index}"]') for index in (0, 1)]


def size_in_words(size: int) -> str:
    return f"{size / 1024:.1f} KB"


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_links_invites_edits_photos_and_files_work_in_the_page(emulator, emu, bot, width):
    """Mara, onboarded, taps /progress in her menu (the command is sent), opens the
    chart full size, exports her data (the file shows its name and size), finds the
    numbers in /sos to be tel: links, invites
    Jonas by tapping the t.me link (his pane opens it and gets the bot's offer),
    edits a message she sent (the bot answers the edit), and reloads the page
    (names and chats come back). At 420 px one partner shows at a time, with tabs;
    at neither width is anything cut off."""
    if not CHROMIUM.exists():
        pytest.skip(f"needs Debian's Chromium at {CHROMIUM} (apt-get install chromium)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    mara, jonas = await emu.create_user(NAMES[0]), await emu.create_user(NAMES[1])
    await onboard(mara)
    viewport_width, viewport_height = WIDTHS[width]
    shot = lambda what: str(ARTIFACTS / f"playground-{width}-{what}.png")  # noqa: E731

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = await browser.new_page(
                viewport={"width": viewport_width, "height": viewport_height}
            )
            panes = await start_page(page, emulator.url, NAMES)
            narrow = viewport_width < PHONE_PX
            await expect(panes[1]).to_be_visible(visible=not narrow)  # tabs on a phone
            await expect(page.locator('[data-testid="tab-0"]')).to_be_visible(visible=narrow)
            mine = await show(page, 0)
            await expect_bot_text(mine, words("menu.text"))
            await assert_nothing_cut_off(page, "menu")

            # A /command in the bot's text is tapped, and sent as if typed.
            await mine.locator(".msg.bot").last.locator('[data-command="/progress"]').click()
            await expect(mine.locator(".msg.user").last).to_have_text(re.compile(r"^/progress"))
            chart = mine.locator(".msg.bot img.photo").last
            await expect(chart).to_be_visible(timeout=30_000)
            await expect_bot_text(mine, words("progress.caption"))
            small = await chart.bounding_box()
            await page.screenshot(path=shot("chart"))
            await chart.click()
            lightbox = page.locator('[data-testid="lightbox"]')
            large = lightbox.locator("img")
            await expect(large).to_be_visible()
            natural = await large.evaluate("(img) => img.complete ? img.naturalWidth : 0")
            shown = await large.bounding_box()
            room = await lightbox.locator("figure").bounding_box()
            assert shown["width"] > small["width"] * 1.2, (small, shown)
            # Its own size, or as large as the window leaves room for.
            assert (
                shown["width"] >= min(natural, room["width"]) - 1
                or shown["height"] >= room["height"] - 1
            ), (natural, shown, room)
            await page.screenshot(path=shot("photo"))
            await page.keyboard.press("Escape")
            await expect(lightbox).to_be_hidden()

            # A document shows its name and size, as Telegram shows a file.
            await type_text(mine, "/export")
            await expect_bot_text(mine, words("rights.export_caption"))
            sent = [m for m in await mara.bot_messages() if m["kind"] == "document"][-1]
            card = mine.locator(".msg.bot .doc").last
            await expect(card.locator(".doc-name")).to_have_text(sent["document"]["file_name"])
            await expect(card.locator(".doc-size")).to_contain_text(
                size_in_words(sent["document"]["file_size"])
            )
            assert sent["document"]["file_name"].startswith("kintsugi-export-")

            # A phone number in the help lines is a number to call.
            await type_text(mine, "/sos")
            await expect_bot_text(mine, words("sos"))
            call = mine.locator(".msg.bot").last.locator('a[href="tel:08001110111"]')
            await expect(call).to_have_text("0800 111 0 111")  # Berlin: TelefonSeelsorge

            # The invitation's t.me link, tapped by Mara, opens in Jonas's pane.
            await type_text(mine, "/link")
            await click_button(mine, label("link.invite"))
            await expect_bot_text(mine, words("link.invitation"))
            link = mine.locator(".msg.bot").last.locator("a[data-start]")
            await expect(link).to_have_text(
                re.compile(r"^https://t\.me/kintsugi_playground_bot\?start=")
            )
            await assert_nothing_cut_off(page, "invitation")
            await page.screenshot(path=shot("invitation"))
            await link.click()
            theirs = page.locator('[data-pane="1"]')
            if not narrow:
                await expect(mine).to_be_visible()  # both stay in view side by side
            await expect(theirs.locator(".msg.user").last).to_contain_text(
                "/start ", timeout=WAIT_MS
            )
            await expect_bot_text(theirs, words("link.offer"))
            assert (await jonas.last_bot_message())["text"].count(NAMES[0]) >= 1
            await page.screenshot(path=shot("joined"))

            # Mara edits a message she sent; the bot gets an edit and answers it.
            mine = await show(page, 0)
            await type_text(mine, "Hello from Mara")
            bubble = mine.locator(".msg.user").last
            await bubble.locator(".edit-btn").click()
            box = mine.locator('[data-testid="input-0"]')
            await expect(box).to_have_value("Hello from Mara")
            await box.fill("Hello again from Mara")
            await mine.locator('[data-testid="send-0"]').click()
            await expect(bubble).to_contain_text("Hello again from Mara", timeout=WAIT_MS)
            await expect(bubble.locator(".edited")).to_have_text("edited")
            await expect_bot_text(mine, words("common.edited_message"))
            edited = [m for m in (await mara.chat())["messages"] if m["sender"] == "user"][-1]
            assert (edited["text"], edited["edit_count"]) == ("Hello again from Mara", 1)
            await assert_nothing_cut_off(page, "edited")
            await page.screenshot(path=shot("edited"), full_page=True)

            # The names and both chats come back after a reload.
            await page.reload()
            for index, name in enumerate(NAMES):
                await expect(page.locator(f'[data-testid="name-{index}"]')).to_have_value(name)
            await expect(page.locator('[data-testid="status"]')).to_have_text(
                "Chatting with the bot", timeout=WAIT_MS
            )
            mine = await show(page, 0)
            await expect(mine.locator(".msg.user").last).to_contain_text("Hello again from Mara")
            theirs = await show(page, 1)
            await expect_bot_text(theirs, words("link.offer"))
            await assert_nothing_cut_off(page, "reloaded")
        finally:
            await browser.close()
