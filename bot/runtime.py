"""Wires the pieces into a running bot: database, PTB Application, handlers, sender.

The PTB Application owns the bot object, the update queue and handler
dispatch. Handler group -1 is the gate (updates we do not serve stop
there); group 0 hands the user's pending updates to the turn handler. Both
polling and webhooks feed the same Intake, so the two modes differ only in
how updates arrive.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from telegram import BotCommand, BotCommandScopeAllPrivateChats, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    ContextTypes,
    TypeHandler,
)

from bot import timezones
from bot.clock import Clock, SystemClock
from bot.crypto import vault_from_settings
from bot.db.database import Database
from bot.delivery.ratelimit import RateLimiter, SharedPace
from bot.delivery.sender import Sender
from bot.nudges.scheduler import Scheduler
from bot.settings import Settings
from bot.telegram.aiohttp_request import AiohttpRequest
from bot.telegram.intake import Intake
from bot.telegram.ordering import PerUserOrder
from bot.telegram.polling import DurablePoller
from bot.telegram.render import Call
from bot.telegram.webhook import WebhookServer, webhook_path
from bot.turn.effects import LinkRules
from bot.turn.turns import Lookups, Turns
from content import DEFAULT_LOCALE, catalog, locales, validate_locales
from flows import content_keys
from flows.router import MENU_COMMANDS

log = logging.getLogger(__name__)

MAINTENANCE_EVERY = timedelta(minutes=10)
# Updates still waiting this long were most likely stored by a worker that died
# before handling them; any worker picks them up (a slow backlog is unharmed: the
# user's row lock keeps one drain at a time).
SWEEP_EVERY = timedelta(seconds=10)
STRANDED_AFTER = timedelta(seconds=15)
KEEP_HANDLED_FOR = timedelta(days=2)
# Long enough for Snooze and "Fewer" on any nudge still on screen, and the
# once-only reminders, to find their record.
KEEP_NUDGE_RECORDS_FOR = timedelta(days=60)
TYPING_AFTER_SECONDS = 0.4


class Runtime:
    """Its parts are None until start() builds them. Handlers, jobs, run_polling and
    webhook_server run only after start(); the asserts in them say so."""

    def __init__(self, settings: Settings, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock = clock or SystemClock()
        self.db: Database | None = None
        self.application: Application | None = None
        self.sender: Sender | None = None
        self.intake: Intake | None = None
        self.turns: Turns | None = None
        self.scheduler: Scheduler | None = None
        self._warm_up: asyncio.Task | None = None

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        settings = self.settings
        vault = vault_from_settings(settings.encryption_keys, settings.key_file)
        validate_locales(content_keys())
        self.db = await Database.open(settings.database_url, vault)
        self.application = self._build_application()
        bot = self.application.bot
        # Workers share the database, and with it Telegram's budget for the bot;
        # SQLite serves one process, whose own clock is the whole budget.
        limiter = RateLimiter(
            settings.global_messages_per_second,
            settings.chat_messages_per_second,
            settings.chat_burst,
            pace=None if settings.is_sqlite else SharedPace(self.db),
        )
        rules = LinkRules(
            invite_ttl=timedelta(hours=settings.invite_ttl_hours),
            relink_window=timedelta(days=settings.relink_window_days),
            wrong_codes_per_hour=settings.wrong_codes_per_hour,
            proposal_ttl=timedelta(days=settings.proposal_ttl_days),
        )
        self.turns = Turns(
            self.db, bot, self.clock, Lookups(timezones.zone_named, timezones.zone_at), rules
        )
        self.sender = Sender(
            self.db,
            bot,
            self.clock,
            limiter,
            timedelta(hours=settings.outbox_max_age_hours),
            receipt=self.turns.on_delivered,
        )
        self.intake = Intake(self.db, self.clock, self.application)
        self.scheduler = Scheduler(
            self.db,
            self.clock,
            timedelta(minutes=settings.nudge_grace_minutes),
            on_queued=self.sender.wake,
        )
        if settings.is_sqlite:
            # SQLite serves one process, so claims left behind are from a crash.
            async with self.db.transaction() as repos:
                await repos.outbox.release_leases()
        await self.application.initialize()
        await self.application.start()
        self.sender.start()
        await self._set_commands()
        # The place lookups load their data in the background, not on someone's first try.
        self._warm_up = asyncio.create_task(asyncio.to_thread(timezones.warm_up))
        replayed = await self.intake.hand_over_pending()
        if replayed:
            log.info("resuming %d users with updates pending from before a restart", replayed)

    async def stop(self) -> None:
        """Finish what is being handled, give replies a moment to leave, then close."""
        application = self.application
        running = application is not None and application.running
        if application is not None and running:
            await self._wait_for_queue(application)
            await application.stop()
        if self.sender is not None:  # before PTB closes the HTTP client it sends with
            await self.sender.stop()
        if application is not None and running:
            await application.shutdown()
        if self._warm_up is not None:
            await self._warm_up
        if self.db is not None:
            await self.db.close()

    async def run_polling(self, stop: asyncio.Event) -> None:
        assert self.application is not None and self.intake is not None, "start() first"
        poller = DurablePoller(self.application.bot, self.intake, self.settings.poll_timeout)
        polling = asyncio.create_task(poller.run(stop), name="polling")
        waiting = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait({polling, waiting}, return_when=asyncio.FIRST_COMPLETED)
        polling.cancel()
        waiting.cancel()
        for task in done:
            error = None if task.cancelled() else task.exception()
            if task is polling and error is not None:
                raise error

    def webhook_server(self, secret: str) -> WebhookServer:
        """A webhook server fed into this runtime's intake, healthy while the database answers."""
        assert self.intake is not None and self.application is not None and self.db is not None, (
            "start() first"
        )
        return WebhookServer(
            self.intake,
            self.application.bot,
            self.db.ping,
            secret,
            path=webhook_path(self.settings.webhook_url),
        )

    # ------------------------------------------------------------ building

    def _build_application(self) -> Application:
        settings = self.settings
        root = settings.telegram_api_base_url
        if settings.telegram_bot_token is None:
            raise RuntimeError("the bot needs TELEGRAM_BOT_TOKEN; without it, run the playground")
        application = (
            ApplicationBuilder()
            .token(settings.telegram_bot_token)
            .base_url(f"{root}/bot")
            .base_file_url(f"{root}/file/bot")
            .updater(None)
            .concurrent_updates(PerUserOrder(256))
            .request(AiohttpRequest(connection_pool_size=64))
            .get_updates_request(
                AiohttpRequest(connection_pool_size=1, read_timeout=settings.poll_timeout + 10)
            )
            .build()
        )
        application.add_handler(TypeHandler(Update, self._gate), group=-1)
        application.add_handler(TypeHandler(Update, self._take_turns), group=0)
        application.add_error_handler(self._on_error)
        if application.job_queue is not None:
            application.job_queue.run_repeating(
                self._tidy, interval=MAINTENANCE_EVERY, first=60, name="runtime:tidy"
            )
            application.job_queue.run_repeating(
                self._sweep,
                interval=SWEEP_EVERY,
                first=SWEEP_EVERY,
                name="runtime:stranded-updates",
            )
            # Every worker ticks; the claims in the database decide who sends what.
            application.job_queue.run_repeating(
                self._tick, interval=settings.nudge_tick_seconds, first=1, name="scheduler:nudges"
            )
        return application

    async def _gate(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        # Channel posts and other updates without a person are recorded as handled
        # by the turn handler; nothing else should ever see them.
        if update.effective_user is None and update.effective_chat is None:
            assert self.turns is not None, "handlers run after start()"
            await self.turns.drain(None)
            raise ApplicationHandlerStop

    async def _take_turns(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        assert self.turns is not None and self.sender is not None, "handlers run after start()"
        user_id = update.effective_user.id if update.effective_user else None
        typing = asyncio.create_task(self._typing_if_slow(update))
        try:
            result = await self.turns.drain(user_id)
        finally:
            typing.cancel()
        if result.queued:
            self.sender.wake()
        for call in result.ephemeral:
            await self.sender.call_now(call)

    async def _typing_if_slow(self, update: Update) -> None:
        """Show "typing…" when a turn takes long enough for a person to wonder."""
        if update.effective_chat is None:
            return
        await asyncio.sleep(TYPING_AFTER_SECONDS)
        assert self.sender is not None, "handlers run after start()"
        await self.sender.call_now(
            Call("sendChatAction", {"chat_id": update.effective_chat.id, "action": "typing"})
        )

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        # Never the update itself: it holds what the user wrote.
        error = context.error
        log.error(
            "error while handling an update: %s",
            type(error).__name__,
            exc_info=(type(error), error, error.__traceback__) if error else None,
        )

    async def _set_commands(self) -> None:
        """The few commands a person needs, in private chats (the only chats we serve),
        and what the bot's profile says, in each locale: English for everyone, each other
        locale for the people whose Telegram speaks it. /menu and /help reach all the
        other commands. An earlier, longer default menu goes."""
        assert self.application is not None, "called from start()"
        bot = self.application.bot
        try:
            for locale in locales():
                words = catalog(locale)
                language = None if locale == DEFAULT_LOCALE else locale
                commands = [
                    BotCommand(name, words.plain(f"commands.{name}")) for name in MENU_COMMANDS
                ]
                await bot.set_my_commands(
                    commands, scope=BotCommandScopeAllPrivateChats(), language_code=language
                )
                await bot.set_my_description(words.plain("telegram.description"), language)
                await bot.set_my_short_description(
                    words.plain("telegram.short_description"), language
                )
            await bot.delete_my_commands()
        except TelegramError as error:
            log.warning("could not set the command menu: %s", type(error).__name__)

    async def _tick(self, _context: ContextTypes.DEFAULT_TYPE) -> None:
        assert self.scheduler is not None, "jobs run after start()"
        try:
            await self.scheduler.tick()
        except Exception:
            log.exception("nudge tick failed; the next one retries")

    async def hand_over_stranded(self) -> int:
        """Hand PTB the users whose updates have waited too long (see STRANDED_AFTER)."""
        assert self.intake is not None, "start() first"
        stranded = await self.intake.hand_over_pending(
            received_before=self.clock.now() - STRANDED_AFTER
        )
        if stranded:
            log.info("picked up %d users' updates left waiting", stranded)
        return stranded

    async def _sweep(self, _context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            await self.hand_over_stranded()
        except Exception:
            log.exception("sweep for stranded updates failed; the next one retries")

    async def _tidy(self, _context: ContextTypes.DEFAULT_TYPE) -> None:
        assert self.db is not None, "jobs run after start()"
        now = self.clock.now()
        async with self.db.transaction() as repos:
            await repos.inbox.forget_handled(now - KEEP_HANDLED_FOR)
            await repos.outbox.forget_sent(now - KEEP_HANDLED_FOR)
            await repos.nudges.forget_sent(now - KEEP_NUDGE_RECORDS_FOR)

    @staticmethod
    async def _wait_for_queue(application: Application, seconds: float = 5.0) -> None:
        deadline = asyncio.get_running_loop().time() + seconds
        while application.update_queue.qsize() and (asyncio.get_running_loop().time() < deadline):
            await asyncio.sleep(0.05)
