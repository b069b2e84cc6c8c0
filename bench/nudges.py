"""Nudge dispatch: N users due in the same minute, from the database to the Bot API.

``python -m bench nudges [--users 100000] [--db sqlite|postgres]`` runs, each
phase in its own process (so memory figures are that phase's alone):

A. dispatch: seed N users whose daily nudge is due this minute, then time one
   ``Scheduler.tick()`` claiming them all and queueing their messages;
B. sending: the real Sender (RateLimiter, a PTB Bot, the outbox) against the
   emulator (its own process) with flood limits on at the same global limit
   as the bot: a sample at Telegram's 30 messages/s for a fixed time, then
   the rest at a raised limit; 429s and deliveries counted by the emulator;
C. startup and memory: ``Runtime.start()`` and RSS with 10 and with N users.

Phase processes are this module: ``python -m bench.nudges PHASE ...``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from bench.common import (
    POSTGRES_ADMIN_URL,
    TOKEN,
    Stopwatch,
    command_line,
    cpu_seconds,
    fresh_database,
    machine,
    peak_rss_mib,
    report,
    rss_mib,
    run_phase,
    start_service,
    stop_service,
    table,
    today,
    update_doc,
)

if TYPE_CHECKING:  # the bot is imported inside each phase, whose import time is measured
    from bot.settings import Settings

FIRST_ID = 1_000_000
TELEGRAM_RATE = 30.0  # messages per second, Telegram's stated global limit
SAMPLE_SECONDS = 60.0
RAISED_RATE = 1000.0
# The rest stops here if not done, so the whole benchmark stays within minutes.
REST_SECONDS = 240.0
CHAT_BURST = 3  # per chat, both sides (Telegram: about 1 a second)
GRACE = timedelta(hours=2)
SECTION = "Nudge dispatch"
SECTION_INTRO = """\
N users whose daily nudge comes due in the same minute (`bench/nudges.py`).
**Dispatch** is one `Scheduler.tick()` claiming every due row and queueing its
message in the outbox (in batches of 200, each one transaction).
**Sending** is the real `Sender` (its `RateLimiter`, PTB's `Bot` built as the
bot builds it) draining that outbox into the emulator, whose flood control
is on at the same global limit as the bot's (per chat: a burst of 3, on both
sides): first a sample at Telegram's 30 messages/s for a fixed time, then
the rest at a raised limit, until the outbox is empty or a time limit
(`--rest-seconds`) passes (100,000 messages at 30/s would take 56 minutes).
Rates are deliveries over the time from the first to the last, as the
emulator logged them; "peak 1 s" is the most deliveries in any one-second
window, the window the emulator's flood control counts; "sender CPU" is the
sender process's CPU time over the run's wall time (1 = one core busy).
**Startup** is `Runtime.start()` (migrations, PTB initialise, command menu,
sender) in a fresh process against a database holding 10 or N users.
"""


def _settings(api_url: str, database_url: str, key: str, rate: float) -> Settings:
    from bot.settings import load_settings

    return load_settings(
        _env_file=None,
        **{
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": api_url,
            "DATABASE_URL": database_url,
            "KINTSUGI_ENCRYPTION_KEYS": key,
            "POLL_TIMEOUT": 1,
            "SEND_GLOBAL_PER_SECOND": rate,
            "SEND_CHAT_PER_SECOND": 1,
            "SEND_CHAT_BURST": CHAT_BURST,
            "LOG_LEVEL": "WARNING",
        },
    )


# ------------------------------------------------------------------ phase processes


async def phase_seed(url: str, key: str, count: int, due: datetime) -> None:
    from bot.crypto import Vault
    from bot.db.database import Database
    from tests.db.seeding import seed_due_users

    vault = Vault([key])
    db = await Database.open(url, vault)
    try:
        watch = Stopwatch()
        await seed_due_users(db, vault, count, due, first_id=FIRST_ID)
        report({"seconds": watch.seconds})
    finally:
        await db.close()


async def phase_dispatch(url: str, key: str, now: datetime) -> None:
    from bot.clock import ManualClock
    from bot.crypto import Vault
    from bot.db.database import Database
    from bot.nudges.scheduler import Scheduler

    db = await Database.open(url, Vault([key]))
    try:
        before = rss_mib()
        watch = Stopwatch()
        tick = await Scheduler(db, ManualClock(now), GRACE).tick()
        seconds = watch.seconds
        async with db.transaction() as repos:
            pending = await repos.outbox.count()
        report(
            {
                "seconds": seconds,
                "queued": tick.queued,
                "late": tick.late,
                "outbox_pending": pending,
                "rss_before_mib": before,
                "peak_rss_mib": peak_rss_mib(),
            }
        )
    finally:
        await db.close()


async def phase_send(url: str, key: str, api_url: str, rate: float, seconds: float | None) -> None:
    """Send at *rate* until the outbox is empty, or for at most *seconds*."""
    from bot import timezones
    from bot.clock import SystemClock
    from bot.crypto import Vault
    from bot.db.database import Database
    from bot.delivery.ratelimit import RateLimiter
    from bot.delivery.sender import Sender
    from bot.runtime import Runtime
    from bot.turn.turns import Lookups, Turns

    settings = _settings(api_url, url, key, rate)
    clock = SystemClock()
    db = await Database.open(url, Vault([key]))
    # The PTB Application exactly as the bot builds it (pool size, base URL, timeouts).
    application = Runtime(settings)._build_application()
    await application.initialize()
    try:
        if settings.is_sqlite:  # as Runtime.start does
            async with db.transaction() as repos:
                await repos.outbox.release_leases()
        async with db.transaction() as repos:
            sent_before = await repos.outbox.count("sent")
        limiter = RateLimiter(
            settings.global_messages_per_second,
            settings.chat_messages_per_second,
            settings.chat_burst,
        )
        turns = Turns(db, application.bot, clock, Lookups(timezones.zone_named, timezones.zone_at))
        sender = Sender(
            db,
            application.bot,
            clock,
            limiter,
            timedelta(hours=settings.outbox_max_age_hours),
            receipt=turns.on_delivered,
        )
        cpu = cpu_seconds()
        watch = Stopwatch()
        # Sender._run's loop (deliver_due, idle when nothing was sent), ending between
        # rounds at the time limit so that no call is left in flight.
        while seconds is None or watch.seconds < seconds:
            if await sender.deliver_due() == 0:
                async with db.transaction() as repos:
                    if await repos.outbox.count() == 0:
                        break
                await asyncio.sleep(0.2)  # retries waiting for their moment
        elapsed = watch.seconds
        cpu = cpu_seconds() - cpu
        async with db.transaction() as repos:
            sent = await repos.outbox.count("sent") - sent_before
            pending = await repos.outbox.count()
            dead = await repos.outbox.count("dead")
        report(
            {
                "seconds": elapsed,
                "marked_sent": sent,
                "pending": pending,
                "dead": dead,
                "cpu_share": cpu / elapsed,
                "peak_rss_mib": peak_rss_mib(),
            }
        )
    finally:
        await application.shutdown()
        await db.close()


async def phase_startup(url: str, key: str, api_url: str, imported_at: float) -> None:
    from bot.runtime import Runtime

    imports = time.perf_counter() - imported_at
    runtime = Runtime(_settings(api_url, url, key, TELEGRAM_RATE))
    watch = Stopwatch()
    await runtime.start()
    seconds = watch.seconds
    after_start = rss_mib()
    await asyncio.sleep(6)  # the place look-ups warm up; a nudge tick or two runs
    settled = rss_mib()
    db = runtime.db
    assert db is not None  # start() opened it
    async with db.transaction() as repos:
        users = await repos.users.count()
    await runtime.stop()
    report(
        {
            "users": users,
            "imports_seconds": imports,
            "start_seconds": seconds,
            "rss_after_start_mib": after_start,
            "rss_settled_mib": settled,
            "peak_rss_mib": peak_rss_mib(),
        }
    )


# ------------------------------------------------------------------ the benchmark


async def _emulator_stats(api_url: str, since: int = 0) -> dict:
    from playground.client import EmulatorClient

    async with EmulatorClient(api_url) as client:
        return await client.request("GET", "/_bench/stats", query={"since": since})


async def _set_limits(api_url: str, rate: float) -> None:
    from playground.client import EmulatorClient

    async with EmulatorClient(api_url) as client:
        await client.set_rate_limits(True, per_chat_burst=CHAT_BURST, global_per_second=int(rate))


async def _http_user_cost(api_url: str, count: int = 500) -> float:
    """Seconds per user made through the control API (POST /_emu/users), for the record."""
    from playground.client import EmulatorClient

    async with EmulatorClient(api_url) as client:
        watch = Stopwatch()
        for n in range(count):
            await client.create_user(f"Extra {n}", user_id=FIRST_ID - count - 1 + n)
        return watch.seconds / count


def _send_row(label: str, rate: float, sent: dict, stats: dict) -> list[object]:
    span = (stats["last_at"] - stats["first_at"]) if stats["first_at"] else 0.0
    achieved = stats["sent_ok"] / span if span else 0.0
    return [
        label,
        f"{rate:,.0f}/s",
        f"{stats['sent_ok']:,}",
        f"{span:.1f} s",
        f"{achieved:,.1f}/s",
        f"{achieved / rate:.3f}",
        f"{stats['peak_per_second']:,}",
        stats["too_many_requests"],
        stats["chats_twice"],
        f"{sent['cpu_share']:.0%}",
        f"{sent['peak_rss_mib']:.0f} MiB",
    ]


async def run(
    users: int,
    db_kind: str,
    admin_url: str,
    raised_rate: float,
    sample_seconds: float,
    rest_seconds: float,
    argv: list[str],
) -> str:
    from cryptography.fernet import Fernet

    module = "bench.nudges"
    whole = Stopwatch()
    key = Fernet.generate_key().decode()
    now = datetime.now(UTC).replace(microsecond=0)
    due = now.replace(second=0)  # everyone due in the same minute
    print(f"nudges: {users:,} users, {db_kind}; {machine()}", flush=True)

    async with fresh_database(db_kind, admin_url, "nudges") as url:
        seeded = await run_phase(module, "seed", url, key, str(users), due.isoformat())
        print(f"  seeded {users:,} users in {seeded['seconds']:.1f} s", flush=True)
        dispatch = await run_phase(module, "dispatch", url, key, now.isoformat())
        print(f"  dispatch: {dispatch}", flush=True)
        assert dispatch["queued"] == users == dispatch["outbox_pending"], dispatch

        emulator, ready = await start_service("bench.emulator_proc", str(FIRST_ID), str(users))
        api_url = ready["url"]
        try:
            per_http_user = await _http_user_cost(api_url)
            await _set_limits(api_url, TELEGRAM_RATE)
            sample = await run_phase(
                module, "send", url, key, api_url, str(TELEGRAM_RATE), str(sample_seconds)
            )
            sample_stats = await _emulator_stats(api_url)
            print(f"  sample at {TELEGRAM_RATE:.0f}/s: {sample} {sample_stats}", flush=True)
            await _set_limits(api_url, raised_rate)
            drain = await run_phase(
                module,
                "send",
                url,
                key,
                api_url,
                str(raised_rate),
                str(rest_seconds) if rest_seconds else "-",
            )
            drain_stats = await _emulator_stats(api_url, sample_stats["next"])
            print(f"  rest at {raised_rate:.0f}/s: {drain} {drain_stats}", flush=True)
            overall = await _emulator_stats(api_url)
        finally:
            await stop_service(emulator)
        marked = sample["marked_sent"] + drain["marked_sent"]
        exactly_once = (
            overall["chats_twice"] == 0
            and set(overall["messages_per_chat"]) <= {"1"}
            and overall["sent_ok"] == overall["chats"] == marked
            and marked + drain["pending"] == users
            and drain["dead"] == 0
        )
        complete = exactly_once and overall["sent_ok"] == users

    startups = []
    emulator, ready = await start_service("bench.emulator_proc", str(FIRST_ID), "0")
    try:
        for count in sorted({10, users}):
            async with fresh_database(db_kind, admin_url, "startup") as url:
                tomorrow = (now + timedelta(days=1)).isoformat()
                await run_phase(module, "seed", url, key, str(count), tomorrow)
                startup = await run_phase(module, "startup", url, key, ready["url"])
                print(f"  startup with {count:,} users: {startup}", flush=True)
                startups.append(startup)
    finally:
        await stop_service(emulator)

    name = {"sqlite": "SQLite", "postgres": "PostgreSQL"}[db_kind]
    dispatch_table = table(
        ["users due", "dispatch", "users/s", "RSS before", "peak RSS"],
        [
            [
                f"{users:,}",
                f"{dispatch['seconds']:.1f} s",
                f"{users / dispatch['seconds']:,.0f}",
                f"{dispatch['rss_before_mib']:.0f} MiB",
                f"{dispatch['peak_rss_mib']:.0f} MiB",
            ]
        ],
    )
    send_table = table(
        [
            "run",
            "limit (both sides)",
            "delivered",
            "first to last",
            "achieved",
            "achieved / limit",
            "peak 1 s",
            "429s",
            "chats twice",
            "sender CPU",
            "sender peak RSS",
        ],
        [
            _send_row(f"sample, {sample_seconds:.0f} s", TELEGRAM_RATE, sample, sample_stats),
            _send_row(
                "the rest" + (f" (at most {rest_seconds:.0f} s)" if rest_seconds else ""),
                raised_rate,
                drain,
                drain_stats,
            ),
        ],
    )
    startup_table = table(
        [
            "users in database",
            "imports",
            "Runtime.start()",
            "RSS after start",
            "RSS 6 s later",
            "peak RSS",
        ],
        [
            [
                f"{s['users']:,}",
                f"{s['imports_seconds']:.2f} s",
                f"{s['start_seconds']:.2f} s",
                f"{s['rss_after_start_mib']:.0f} MiB",
                f"{s['rss_settled_mib']:.0f} MiB",
                f"{s['peak_rss_mib']:.0f} MiB",
            ]
            for s in startups
        ],
    )
    block = f"""### {name}, {users:,} users

`{command_line(argv)}`, {today()} (the whole run: {whole.seconds / 60:.1f} min);
{machine()}.

Dispatch (phase A):

{dispatch_table}

Sending to the emulator (phase B):

{send_table}

{_delivery_note(users, overall, marked, drain, exactly_once, complete, rest_seconds)}
Emulator users were made in its process ({ready_users_note(per_http_user, users)}).

Startup and memory (phase C):

{startup_table}
"""
    update_doc(SECTION, block, f"nudges:{db_kind}", SECTION_INTRO)
    return block


def _delivery_note(
    users: int,
    overall: dict,
    marked: int,
    drain: dict,
    exactly_once: bool,
    complete: bool,
    rest_seconds: float,
) -> str:
    if complete:
        verdict = "Every message delivered exactly once: **yes**"
    elif exactly_once:
        verdict = (
            f"Not all delivered within the {rest_seconds:.0f} s given to the rest; "
            "of those delivered, each exactly once and none lost: **yes**"
        )
    else:
        verdict = "Every message delivered exactly once: **NO**"
    return (
        f"{verdict} ({overall['sent_ok']:,} deliveries to {overall['chats']:,} chats, "
        f"{overall['chats_twice']} chats with more than one; outbox rows marked sent "
        f"{marked:,}, still pending {drain['pending']:,}, given up {drain['dead']}; "
        f"{users:,} queued)."
    )


def ready_users_note(per_http_user: float, users: int) -> str:
    return (
        f"through the control API one costs {per_http_user * 1000:.1f} ms, "
        f"{per_http_user * users:.0f} s for {users:,}"
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument(
        "--postgres-url",
        default=POSTGRES_ADMIN_URL,
        help="an admin connection; a fresh database is made and dropped",
    )
    parser.add_argument(
        "--raised-rate",
        type=float,
        default=RAISED_RATE,
        help="messages/s for the rest, set on both sides",
    )
    parser.add_argument("--sample-seconds", type=float, default=SAMPLE_SECONDS)
    parser.add_argument(
        "--rest-seconds",
        type=float,
        default=REST_SECONDS,
        help="time limit for sending the rest (0: until all are sent)",
    )


def main(args: argparse.Namespace, argv: list[str]) -> None:
    block = asyncio.run(
        run(
            args.users,
            args.db,
            args.postgres_url,
            args.raised_rate,
            args.sample_seconds,
            args.rest_seconds,
            argv,
        )
    )
    print()
    print(block)


# ------------------------------------------------------------------ phase entry point


def _phase(argv: list[str]) -> None:
    imported_at = time.perf_counter()
    phase, url, key, *rest = argv
    if phase == "seed":
        asyncio.run(phase_seed(url, key, int(rest[0]), datetime.fromisoformat(rest[1])))
    elif phase == "dispatch":
        asyncio.run(phase_dispatch(url, key, datetime.fromisoformat(rest[0])))
    elif phase == "send":
        seconds = None if rest[2] == "-" else float(rest[2])
        asyncio.run(phase_send(url, key, rest[0], float(rest[1]), seconds))
    elif phase == "startup":
        asyncio.run(phase_startup(url, key, rest[0], imported_at))
    else:
        raise SystemExit(f"unknown phase {phase!r}")


if __name__ == "__main__":
    _phase(sys.argv[1:])
