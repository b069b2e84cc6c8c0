"""Running the real bot against the emulator, and driving partners through it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.clock import Clock
from bot.runtime import Runtime
from bot.settings import Settings
from content import catalog
from playground.client import EmulatorClient, SimUser

TOKEN = "4242424:test-token-for-the-emulator-only"
# How long a wait for the bot's reply may take before the test fails. Generous, because a
# wait on a condition returns as soon as it holds: only a failure waits this long, and on a
# loaded machine a bot process just (re)started can take well over ten seconds to answer.
WAIT_SECONDS = 60.0


def test_settings(api_url: str, database_url: str, key: str, **extra) -> Settings:
    values = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": api_url,
        "DATABASE_URL": database_url,
        "KINTSUGI_ENCRYPTION_KEYS": key,
        "POLL_TIMEOUT": 1,
        "SEND_CHAT_PER_SECOND": 100,
        "SEND_CHAT_BURST": 20,
        "LOG_LEVEL": "INFO",
    }
    values.update(extra)
    return Settings(_env_file=None, **values)


@asynccontextmanager
async def running(settings: Settings, clock: Clock | None = None) -> AsyncIterator[Runtime]:
    """The bot, polling, for the length of the block."""
    runtime = Runtime(settings, clock=clock)
    await runtime.start()
    stop = asyncio.Event()
    polling = asyncio.create_task(runtime.run_polling(stop))
    try:
        yield runtime
    finally:
        stop.set()
        await polling
        await runtime.stop()


def words(key: str, locale: str = "en") -> str:
    """A recognisable piece of a content text as the user sees it: the longest run of
    fixed words in its first line (placeholders are filled differently each time)."""
    longest = catalog(locale).fixed_words(key)
    # Seven characters: enough to tell a text apart ("Tu menú"), and none are shorter.
    assert len(longest) >= 7, f"{key} has too few fixed words to recognise it by"
    return longest


def label(key: str, locale: str = "en") -> str:
    return catalog(locale).plain(key)


async def expect(user: SimUser, key: str, after: int = 0, timeout: float = WAIT_SECONDS) -> dict:
    """The *key* text in the user's chat, in their language (Telegram's, as the bot reads it)."""
    return await user.wait_for_text(words(key, user.language_code), timeout=timeout, after=after)


async def answer(user: SimUser, button_key: str, then: str, timeout: float = WAIT_SECONDS) -> dict:
    """Press the button labelled by *button_key* and wait for the *then* text."""
    last = (await user.last_bot_message())["message_id"]
    await user.press(label(button_key, user.language_code))
    return await expect(user, then, after=last, timeout=timeout)


async def say(user: SimUser, text: str, then: str, timeout: float = WAIT_SECONDS) -> dict:
    sent = await user.send(text)
    return await expect(user, then, after=sent["message_id"], timeout=timeout)


async def wait_for_button(user: SimUser, text: str, timeout: float = WAIT_SECONDS) -> None:
    def shown(document: dict) -> bool:
        return any(text in SimUser.buttons(m) for m in document["messages"])

    await user.wait_for(shown, timeout=timeout, description=f"a button {text!r}")


async def until_role(user: SimUser) -> None:
    """/start, begin, consent: the user now faces the role question."""
    await say(user, "/start", "onboarding.welcome")
    await answer(user, "onboarding.begin", "onboarding.consent")
    await answer(user, "onboarding.consent_yes", "onboarding.role")


async def onboard(
    user: SimUser, *, role: str = "hurt", safety: str = "no", city: str = "Berlin"
) -> None:
    """The whole onboarding, the way a person would click through it."""
    await until_role(user)
    await answer(user, f"onboarding.role_{role}", "onboarding.causes")
    await user.press(label("causes.dishonesty", user.language_code))
    await wait_for_button(user, "✓ " + label("causes.dishonesty", user.language_code))
    await answer(user, "onboarding.causes_done", "onboarding.hopes")
    await say(user, "To trust each other again", "onboarding.safety")
    next_key = {
        "yes": "onboarding.safety_yes_reply",
        "no": "onboarding.zone",
        "unsure": "onboarding.safety_unsure_reply",
    }[safety]
    await answer(user, f"onboarding.safety_{safety}", next_key)
    if safety != "no":
        await answer(user, "onboarding.continue", "onboarding.zone")
    await say(user, city, "onboarding.zone_confirm")
    await answer(user, "onboarding.zone_confirm_yes", "onboarding.reminder")
    await answer(user, "onboarding.reminder_evening", "menu.text")


async def wait_until_inactive(runtime: Runtime, user_id: int) -> bool:
    """Whether the bot came to see this user as gone (blocked) within a few seconds."""
    for _ in range(100):
        async with runtime.db.transaction() as repos:
            if not (await repos.users.get(user_id)).is_active:
                return True
        await asyncio.sleep(0.05)
    return False


async def reflections(runtime: Runtime, user: SimUser, kind: str) -> list:
    """What *user* has written of *kind*, as stored (read back through the sealed repository)."""
    async with runtime.db.transaction() as repos:
        return await repos.reflections.of_user(user.id, (kind,))


async def chat_text(user: SimUser) -> str:
    """Everything the bot has written in this chat, to check a partner never saw some words."""
    return "\n".join(m["text"] or "" for m in await user.bot_messages())


async def settled(runtime: Runtime, emu: EmulatorClient, timeout: float = WAIT_SECONDS) -> None:
    """Until the bot has nothing left to do: every update taken from the emulator and
    handled, every queued call sent. After it, a message still to come would be a fault,
    not a race, so a test may check that something did NOT happen."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        async with runtime.db.transaction() as repos:
            busy = bool(await repos.outbox.count() or await repos.inbox.users_with_pending())
        if not busy and not (await emu.state())["pending_updates"]:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"the bot was still busy after {timeout} s")
        await asyncio.sleep(0.05)


async def quiet(user: SimUser, seconds: float = 0.5) -> int:
    """How many bot messages the chat holds once nothing more arrives."""
    await asyncio.sleep(seconds)
    return len(await user.bot_messages())
