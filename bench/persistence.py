"""Stored users and what they cost: Kintsugi beside PTB's ConversationHandler + PicklePersistence.

``python -m bench persistence [--users 10 10000 100000] [--db sqlite postgres]``
runs, for each number of stored users, each phase in its own process (so
memory figures are that phase's alone):

- **PTB's usual approach** (bench/ptb_conversation_bot.py): the pickle file
  written directly for N users; then, in a fresh process, the Application
  built, ``initialize()`` and ``start()`` (PicklePersistence loads the file
  there), its RSS; then one user's answer through the ConversationHandler
  and the ``update_persistence()`` that follows (with ``on_flush=False``,
  the default, every changed piece rewrites the whole file).
- **Kintsugi**: N users seeded as bench/nudges.py seeds them (its ``seed``
  phase, imported), each given a profile holding answers the size of the PTB bot's; its
  ``startup`` phase (``Runtime.start()`` in a fresh process); then, in another,
  real turns: an update stored as the intake stores it, then ``Turns.drain``
  (one transaction: lock the user, the flow's step, save, queue the reply).

Phase processes are this module: ``python -m bench.persistence PHASE ...``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from bench.common import (
    POSTGRES_ADMIN_URL,
    Stopwatch,
    command_line,
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
    from bot.db.database import Database

FIRST_ID = 1_000_000
USER_COUNTS = (10, 10_000, 100_000)
PTB_ANSWERS = 3  # users whose answer is persisted, one at a time...
ANSWERS_WITHIN_SECONDS = 3.0  # ...as long as the answers so far took less than this
KINTSUGI_TURNS = 20  # users who each take one turn
EMULATOR_USERS = 10  # the emulator knows the first few users, who get replies
SECTION = "Stored users: Kintsugi beside PicklePersistence"
SECTION_INTRO = """\
What a bot pays for the users it keeps, at 10, 10,000 and 100,000 stored users
(`bench/persistence.py`), beside python-telegram-bot's usual approach: a
`ConversationHandler` (`persistent=True`, four states of a guided
conversation) with `PicklePersistence` on one file (`bench/ptb_conversation_bot.py`).
Each PTB user has a conversation state, `user_data` with a profile (consent,
role, time zone, reminder time), three answers of 200 characters and
settings, and a little `chat_data`; each Kintsugi user is an onboarded row
(bench/nudges.py's seeding) whose sealed profile carries the same three
answers. **Start** is, for PTB, building the `Application` through
`initialize()` and `start()` (where PicklePersistence loads the whole file and
PTB deep-copies user and chat data), and for Kintsugi `Runtime.start()`
(migrations, PTB initialise, command menu, sender); imports are timed apart.
Each runs in a fresh process against the emulator. Kintsugi's peak RSS comes
a few seconds after start, when its time zone place look-ups load in the
background; it does not depend on the users stored.
**Per update**, for PTB: one user's answer handled, then the
`update_persistence()` PTB runs (every 60 s by default, and at stop) with
`on_flush=False`, PicklePersistence's default, under which every changed
piece (here the user's data and the conversation state) rewrites the whole
file (the median of up to three users' answers, one at a time). For
Kintsugi: a whole real turn (the medians of 20 users sending `/settings`):
storing the update (one transaction), then `Turns.drain`, one transaction
that locks the user, runs the flow, saves the user and queues the reply;
that includes the flow's own work, so it bounds what persisting costs from
above. **On disk** is the pickle file, or Kintsugi's database: the SQLite
file (its write-ahead log folded in), or PostgreSQL's `pg_database_size`
(about 8 MiB of it an empty database's catalog); Kintsugi's profiles are
sealed (encrypted, base64), and each user also has a nudge row, hence the
larger size. The machine is shared with other work, so expect noise of
tens of percent.
"""


# ------------------------------------------------------------------ PTB phases


def phase_ptb_seed(path: str, count: int) -> None:
    from bench.ptb_conversation_bot import write_pickle

    watch = Stopwatch()
    size = write_pickle(Path(path), FIRST_ID, count)
    report({"seconds": watch.seconds, "bytes": size})


async def phase_ptb_startup(path: str, api_url: str, imported_at: float) -> None:
    from telegram import Update

    from bench.ptb_conversation_bot import (
        NEXT,
        CountingPicklePersistence,
        build_application,
        state_of,
        text_update,
    )

    imports = time.perf_counter() - imported_at
    watch = Stopwatch()
    application = build_application(api_url, Path(path))
    await application.initialize()
    await application.start()
    seconds = watch.seconds
    after_start, peak = rss_mib(), peak_rss_mib()
    persistence = application.persistence
    assert isinstance(persistence, CountingPicklePersistence)  # build_application's own
    users = len(application.user_data)
    conversations = len(await persistence.get_conversations("repair"))

    # One user answers; PTB persists what changed (the user's data and their state).
    answering = [
        uid for uid in range(FIRST_ID, FIRST_ID + EMULATOR_USERS) if state_of(uid) in NEXT
    ][:PTB_ANSWERS]
    updates: list[float] = []
    writes: list[int] = []
    for n, user_id in enumerate(answering):
        if sum(updates) > ANSWERS_WITHIN_SECONDS:
            break
        before = persistence.whole_file_writes
        answer = text_update(n + 1, user_id, "an answer of a couple of words")
        await application.process_update(Update.de_json(answer, application.bot))
        watch = Stopwatch()
        await application.update_persistence()
        updates.append(watch.seconds)
        writes.append(persistence.whole_file_writes - before)
    size = Path(path).stat().st_size
    await application.stop()
    await application.shutdown()
    report(
        {
            "users": users,
            "conversations": conversations,
            "imports_seconds": imports,
            "start_seconds": seconds,
            "rss_after_start_mib": after_start,
            "peak_rss_at_start_mib": peak,
            "update_seconds": statistics.median(updates),
            "writes_per_update": max(writes),
            "answers": len(updates),
            "bytes": size,
        }
    )


# ------------------------------------------------------------------ Kintsugi phases


def _kintsugi_profile() -> dict:
    """Seeding's profile with the answers a PTB user keeps beside it, as large."""
    from bench.ptb_conversation_bot import user_data_for
    from tests.db.seeding import PROFILE

    stored = user_data_for(FIRST_ID)
    return {**PROFILE, **stored["answers"], "settings": stored["settings"]}


async def phase_seed(url: str, key: str, count: int, due: datetime) -> None:
    """Seed as bench/nudges.py does, then give every user a profile with answers (one
    statement: sealing is not the point, size on disk is)."""
    from sqlalchemy import update

    from bench.nudges import phase_seed as seed_as_nudges_does
    from bot.crypto import Vault
    from bot.db.database import Database
    from bot.db.models import User, table_of

    await seed_as_nudges_does(url, key, count, due)
    vault = Vault([key])
    db = await Database.open(url, vault)
    try:
        watch = Stopwatch()
        async with db.transaction() as repos:
            await repos.users._db.execute(
                update(table_of(User)).values(profile_sealed=vault.seal(_kintsugi_profile()))
            )
        report({"enrich_seconds": watch.seconds})
    finally:
        await db.close()


async def phase_turns(url: str, key: str, count: int) -> None:
    """Real turns by users spread over the stored ones: store the update, then drain."""
    from telegram import Bot

    from bench.common import TOKEN
    from bench.ptb_conversation_bot import text_update
    from bot import timezones
    from bot.clock import SystemClock
    from bot.crypto import Vault
    from bot.db.database import Database
    from bot.turn.turns import Lookups, Turns

    db = await Database.open(url, Vault([key]))
    turns = Turns(db, Bot(TOKEN), SystemClock(), Lookups(timezones.zone_named, timezones.zone_at))
    step = max(1, count // KINTSUGI_TURNS)
    users = [FIRST_ID + n for n in range(0, count, step)][:KINTSUGI_TURNS]
    stores, drains = [], []
    try:
        for n, user_id in enumerate(users):
            update = text_update(10_000_000 + n, user_id, "/settings")
            update["message"]["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len("/settings")}
            ]
            watch = Stopwatch()
            async with db.transaction() as repos:  # as Intake.accept stores it
                await repos.inbox.add([(update["update_id"], user_id, update)], datetime.now(UTC))
            stores.append(watch.seconds)
            watch = Stopwatch()
            result = await turns.drain(user_id)
            drains.append(watch.seconds)
            assert result.queued >= 1, result  # the turn did answer
        report(
            {
                "turns": len(users),
                "store_seconds": statistics.median(stores),
                "drain_seconds": statistics.median(drains),
                "bytes": await _size(db, url),
            }
        )
    finally:
        await db.close()


async def _size(db: Database, url: str) -> int | None:
    """PostgreSQL's size of the database; SQLite's file is measured once this process
    has closed it (see _sqlite_size)."""
    from sqlalchemy import text

    if url.startswith("sqlite"):
        return None
    async with db.engine.connect() as connection:
        return (
            await connection.execute(text("SELECT pg_database_size(current_database())"))
        ).scalar_one()


def _sqlite_size(url: str) -> int:
    """The database file's size, its write-ahead log first folded back into it."""
    import sqlite3

    path = Path(url.split("///", 1)[1])
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


# ------------------------------------------------------------------ the benchmark


async def _ptb(count: int, api_url: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="kintsugi-ptb-") as folder:
        path = str(Path(folder) / "conversationbot.pickle")
        seeded = await run_phase("bench.persistence", "ptb-seed", path, str(count))
        result = await run_phase("bench.persistence", "ptb-startup", path, api_url)
    assert result["users"] == count == result["conversations"], result
    print(
        f"  PTB, {count:,} users (file written in {seeded['seconds']:.1f} s): {result}", flush=True
    )
    return result


async def _kintsugi(count: int, db_kind: str, admin_url: str, api_url: str, key: str) -> dict:
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    async with fresh_database(db_kind, admin_url, "persist") as url:
        await run_phase("bench.persistence", "seed", url, key, str(count), tomorrow)
        startup = await run_phase("bench.nudges", "startup", url, key, api_url)
        turned = await run_phase("bench.persistence", "turns", url, key, str(count))
        if turned["bytes"] is None:
            turned["bytes"] = _sqlite_size(url)
    assert startup["users"] == count, startup
    result = {**startup, **turned}
    print(f"  Kintsugi on {db_kind}, {count:,} users: {result}", flush=True)
    return result


def _mib(n_bytes: int) -> str:
    return f"{n_bytes / 2**20:,.1f} MiB" if n_bytes >= 2**20 else f"{n_bytes / 2**10:,.0f} KiB"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds >= 0.01 else f"{seconds * 1000:,.1f} ms"


def _ptb_row(count: int, r: dict) -> list[object]:
    return [
        f"{count:,}",
        "PTB + PicklePersistence",
        f"{r['imports_seconds']:.2f} s",
        f"{r['start_seconds']:.2f} s",
        f"{r['rss_after_start_mib']:.0f} MiB",
        f"{r['peak_rss_at_start_mib']:.0f} MiB",
        _mib(r["bytes"]) + " (pickle)",
        f"{_ms(r['update_seconds'])}: {r['writes_per_update']} whole-file writes",
    ]


def _kintsugi_row(count: int, db_kind: str, r: dict) -> list[object]:
    name = {"sqlite": "SQLite", "postgres": "PostgreSQL"}[db_kind]
    return [
        f"{count:,}",
        f"Kintsugi, {name}",
        f"{r['imports_seconds']:.2f} s",
        f"{r['start_seconds']:.2f} s",
        f"{r['rss_after_start_mib']:.0f} MiB",
        f"{r['peak_rss_mib']:.0f} MiB",
        _mib(r["bytes"]) + " (database)",
        f"{_ms(r['store_seconds'] + r['drain_seconds'])}: store "
        f"{_ms(r['store_seconds'])} + turn {_ms(r['drain_seconds'])}",
    ]


async def run(counts: list[int], db_kinds: list[str], admin_url: str, argv: list[str]) -> str:
    from cryptography.fernet import Fernet

    whole = Stopwatch()
    key = Fernet.generate_key().decode()
    print(
        f"persistence: {', '.join(f'{c:,}' for c in counts)} users, "
        f"{' and '.join(db_kinds)}; {machine()}",
        flush=True,
    )
    ptb: dict[int, dict] = {}
    kintsugi: dict[tuple[int, str], dict] = {}
    emulator, ready = await start_service("bench.emulator_proc", str(FIRST_ID), str(EMULATOR_USERS))
    try:
        for count in counts:
            ptb[count] = await _ptb(count, ready["url"])
            for db_kind in db_kinds:
                kintsugi[count, db_kind] = await _kintsugi(
                    count, db_kind, admin_url, ready["url"], key
                )
    finally:
        await stop_service(emulator)
    rows = []
    for count in counts:
        rows.append(_ptb_row(count, ptb[count]))
        rows += [_kintsugi_row(count, db_kind, kintsugi[count, db_kind]) for db_kind in db_kinds]
    figures = table(
        [
            "stored users",
            "approach",
            "imports",
            "start",
            "RSS after start",
            "peak RSS",
            "on disk",
            "persisting one update",
        ],
        rows,
    )
    block = f"""`{command_line(argv)}`, {today()} (the whole run: {whole.seconds / 60:.1f} min);
{machine()}.

{figures}

{_meaning(counts[-1], ptb[counts[-1]], [kintsugi[counts[-1], k] for k in db_kinds])}
"""
    update_doc(SECTION, block, "persistence", SECTION_INTRO)
    return block


def _meaning(count: int, ptb: dict, kintsugi: list[dict]) -> str:
    """What the figures at the largest count say, in the run's own numbers."""
    rss = max(k["rss_after_start_mib"] for k in kintsugi)
    start = max(k["start_seconds"] for k in kintsugi)
    turn = max(k["store_seconds"] + k["drain_seconds"] for k in kintsugi)
    imports = max(k["imports_seconds"] for k in kintsugi)
    return (
        f"At {count:,} stored users PTB's usual approach reads and deep-copies every "
        f"user at start ({ptb['start_seconds']:.1f} s, {ptb['rss_after_start_mib']:.0f} MiB "
        f"resident, growing with each user), while Kintsugi reads no user at start "
        f"(at most {start:.2f} s and {rss:.0f} MiB, about as at 10 users; its imports, up to "
        f"{imports:.1f} s against PTB's {ptb['imports_seconds']:.1f} s, are the larger part "
        f"of its start, at any count). "
        f"Each user's change costs PicklePersistence {ptb['writes_per_update']} rewrites "
        f"of the whole {_mib(ptb['bytes'])} file, {_ms(ptb['update_seconds'])} in all, "
        f"synchronous, so the bot answers no one meanwhile; and it pays that for every user "
        f"who changed since the last `update_persistence()` (every 60 s by default): "
        f"{60 / ptb['update_seconds']:,.0f} users changing in a minute would fill the minute "
        f"with writes. Kintsugi's "
        f"whole turn, flow included, took at most {_ms(turn)} and commits each update as "
        f"it is handled, whatever the number stored; "
        f"`on_flush=True` would spare PTB the rewrites only by losing everything since "
        f"start on a crash."
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--users",
        type=int,
        nargs="+",
        default=list(USER_COUNTS),
        help="numbers of stored users to measure at",
    )
    parser.add_argument(
        "--db",
        nargs="+",
        choices=("sqlite", "postgres"),
        default=["sqlite", "postgres"],
        help="Kintsugi's databases",
    )
    parser.add_argument(
        "--postgres-url",
        default=POSTGRES_ADMIN_URL,
        help="an admin connection; fresh databases are made and dropped",
    )


def main(args: argparse.Namespace, argv: list[str]) -> None:
    block = asyncio.run(run(sorted(args.users), args.db, args.postgres_url, argv))
    print()
    print(block)


# ------------------------------------------------------------------ phase entry point

PHASES = ("ptb-seed", "ptb-startup", "seed", "turns")


def _phase(argv: list[str]) -> None:
    imported_at = time.perf_counter()
    phase, *rest = argv
    if phase == "ptb-seed":
        phase_ptb_seed(rest[0], int(rest[1]))
    elif phase == "ptb-startup":
        asyncio.run(phase_ptb_startup(rest[0], rest[1], imported_at))
    elif phase == "seed":
        asyncio.run(phase_seed(rest[0], rest[1], int(rest[2]), datetime.fromisoformat(rest[3])))
    elif phase == "turns":
        asyncio.run(phase_turns(rest[0], rest[1], int(rest[2])))
    else:
        raise SystemExit(f"unknown phase {phase!r}")


def _standalone(argv: list[str]) -> None:
    """``python -m bench.persistence [options]``, as ``python -m bench persistence``."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.persistence",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    main(parser.parse_args(argv), ["persistence", *argv])


if __name__ == "__main__":
    if sys.argv[1:2] and sys.argv[1] in PHASES:
        _phase(sys.argv[1:])
    else:
        _standalone(sys.argv[1:])
