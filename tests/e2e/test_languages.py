"""Each person reads Kintsugi in their own language: Telegram's language_code at first
contact and whenever it changes, until they choose one with /language; and what a partner
is sent (a share, a proposal, a nudge about it) is worded in the partner's language,
never the sender's. A Spanish couple and a mixed one go through onboarding, linking, a
share, a proposal and a nudge; neither chat holds a word of the other language."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from telegram import BotCommandScopeAllPrivateChats

from content import catalog, locales
from flows.commands import MENU_COMMANDS
from playground.client import SimUser
from tests.e2e.harness import answer, expect, label, onboard, running, say, words
from tests.e2e.journeys import link, propose

# Texts each partner meets on the way, whose fixed words tell the languages apart.
TELLING_KEYS = (
    "onboarding.zone",
    "menu.text",
    "link.linked",
    "practices.ack_for_partner",
    "ledger.notify",
    "ledger.sent",
    "nudges.waiting",
    "practices.ack_sent",
)
WORDING = "Nos hablamos con calma / We talk calmly"  # the people's own words, in both


def spanish_on() -> None:
    if "es" not in locales():
        pytest.skip("Spanish is not switched on yet (content/locales/es.yaml)")


def other_languages_words(locale: str) -> list[str]:
    """Fixed words of the telling texts in every other language, where they differ."""
    own = catalog(locale)
    return [
        catalog(other).fixed_words(key)
        for other in locales()
        if other != locale
        for key in TELLING_KEYS
        if catalog(other).fixed_words(key) != own.fixed_words(key)
    ]


async def reads_only_own_language(user: SimUser, locale: str) -> None:
    chat = "\n".join(m["text"] or "" for m in await user.bot_messages()).lower()
    strays = [found for found in other_languages_words(locale) if found.lower() in chat]
    assert not strays, f"{user.first_name} ({locale}) was shown {strays}"


async def journey(bot, emu, clock, sam_language: str, alex_language: str) -> None:
    sam = await emu.create_user("Sam", language_code=sam_language)
    alex = await emu.create_user("Alex", language_code=alex_language)
    # Each types their city as their language names it.
    places = {"es": ("Ciudad de México", "America/Mexico_City"), "en": ("Munich", "Europe/Berlin")}
    await asyncio.gather(onboard(sam, city="München"), onboard(alex, city=places[alex_language][0]))
    async with bot.db.transaction() as repos:
        assert (await repos.users.get(sam.id)).time_zone == "Europe/Berlin"
        assert (await repos.users.get(alex.id)).time_zone == places[alex_language][1]
    await link(sam, alex)
    # A share: Sam thanks Alex, read back and sent; Alex reads it in Alex's words.
    await say(sam, "/acknowledge", "practices.ack_write")
    await say(sam, "Gracias por la cena / Thanks for dinner", "practices.ack_review")
    await answer(sam, "practices.send", "practices.ack_sent")
    await expect(alex, "practices.ack_for_partner")
    # A proposal, and the nudge that recalls it to Alex a day later.
    await propose(sam, WORDING)
    await expect(alex, "ledger.notify")
    clock.set(clock.now() + timedelta(days=1, minutes=1))
    await bot.scheduler.tick()
    recall = await expect(alex, "nudges.waiting")
    assert WORDING in recall["text"]
    await reads_only_own_language(sam, sam_language)
    await reads_only_own_language(alex, alex_language)


async def test_a_spanish_couple_reads_only_spanish(settings, emu, clock):
    spanish_on()
    async with running(settings, clock) as bot:
        await journey(bot, emu, clock, "es", "es")


async def test_in_a_mixed_couple_each_reads_their_own_language(settings, emu, clock):
    spanish_on()
    async with running(settings, clock) as bot:
        await journey(bot, emu, clock, "es", "en")


async def test_a_regional_code_and_an_unwritten_language_are_understood(bot, emu):
    spanish_on()
    mexican = await emu.create_user("Lupe", language_code="es-MX")
    sent = await mexican.send("/language")  # no onboarding needed to choose
    await mexican.wait_for_text(words("language.choose", "es"), after=sent["message_id"])
    german = await emu.create_user("Lena", language_code="de")
    shown = await say(german, "/language", "language.choose")
    assert label("language.names.en") in shown["text"]  # English until German is written


async def test_the_language_follows_telegram_until_chosen_then_stays(bot, emu):
    spanish_on()
    sam = await emu.create_user("Sam", language_code="es")
    await say(sam, "/start", "onboarding.welcome")
    await sam.set_language("en")  # Telegram's language changed: the bot follows
    await say(sam, "/start", "onboarding.welcome")
    await say(sam, "/language", "language.choose")
    last = (await sam.last_bot_message())["message_id"]
    await sam.press(label("language.names.es"))
    await sam.wait_for_text(words("language.chosen", "es"), after=last)  # already Spanish
    # Chosen, so Telegram's English no longer moves it.
    sent = await sam.send("/start")
    await sam.wait_for_text(words("onboarding.welcome", "es"), after=sent["message_id"])
    await reads_only_spanish_since(sam, last)


async def reads_only_spanish_since(user: SimUser, after: int) -> None:
    chat = "\n".join(
        m["text"] or "" for m in await user.bot_messages() if m["message_id"] > after
    ).lower()
    assert not [w for w in other_languages_words("es") if w.lower() in chat]


async def test_settings_shows_the_language_and_opens_the_choice(bot, emu):
    spanish_on()
    sam = await emu.create_user("Sam", language_code="es")
    await onboard(sam)
    shown = await say(sam, "/settings", "settings.menu")
    assert label("language.names.es", "es") in shown["text"]
    await answer(sam, "settings.change_language", "language.choose")


async def test_telegram_shows_the_menu_and_profile_in_each_language(bot):
    spanish_on()
    telegram = bot.application.bot
    for locale, language in (("en", None), ("es", "es")):
        words = catalog(locale)
        menu = await telegram.get_my_commands(
            scope=BotCommandScopeAllPrivateChats(), language_code=language
        )
        assert [(c.command, c.description) for c in menu] == [
            (name, words.plain(f"commands.{name}")) for name in MENU_COMMANDS
        ]
        described = await telegram.get_my_description(language)
        assert described.description == words.plain("telegram.description")
        short = await telegram.get_my_short_description(language)
        assert short.short_description == words.plain("telegram.short_description")


async def test_a_spanish_speaker_with_no_zone_gets_spanish_speaking_countries_first(bot, emu):
    spanish_on()
    lupe = await emu.create_user("Lupe", language_code="es")
    sent = await lupe.send("/sos")
    shown = await lupe.wait_for_text(words("sos", "es"), after=sent["message_id"])
    buttons = SimUser.buttons(shown)
    assert {"España", "México", "Argentina", "Colombia"} <= set(buttons)
    assert "Spain" not in buttons and "the United States" not in buttons
