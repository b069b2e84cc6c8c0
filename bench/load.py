"""Load: simulated people talking to Kintsugi, beside a bare python-telegram-bot echo bot.

``python -m bench load [--users 100 1000] [--db sqlite postgres] [--pairs 1]`` runs,
each piece in its own process (so the bot's figures are the bot's alone):

- the emulator (bench/load_emulator.py), flood control off, fresh for every run;
- the bot: either the bare PTB echo bot (bench/echo_bot.py) or Kintsugi as
  ``python -m bot`` runs it (bench/load_kintsugi.py) on a fresh database, its
  sender's rate limits raised far above the load;
- the people (bench/load_users.py): N users at once, each through onboarding
  and step 1 (/responsibility) for the partner who broke trust, waiting for
  each answer before the next action, checking it is the right one.

Runs alternate bare, Kintsugi, bare, Kintsugi (SQLite, then PostgreSQL), so
drift of the machine touches both sides of each pair alike, and every
Kintsugi figure is given as a ratio to the bare bot of its own pair.
"""

from __future__ import annotations

import argparse
import asyncio

from bench.common import (
    POSTGRES_ADMIN_URL,
    Stopwatch,
    command_line,
    fresh_database,
    machine,
    run_phase,
    start_service,
    stop_service,
    table,
    today,
    update_doc,
)

FIRST_ID = 2_000_000
MAX_RUN_SECONDS = 30.0
SECTION = "Load: Kintsugi beside a bare python-telegram-bot echo bot"
DB_NAMES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


async def one_run(bot: str, users: int, db_kind: str, admin_url: str, max_seconds: float) -> dict:
    """One bot, one fresh emulator, N people; returns what the people's process measured."""
    from cryptography.fernet import Fernet

    emulator, ready = await start_service("bench.load_emulator")
    api_url = ready["url"]
    try:
        if bot == "echo":
            service, started = await start_service("bench.echo_bot", api_url)
            return await _load(service, started, api_url, users, "echo", max_seconds)
        async with fresh_database(db_kind, admin_url, "load") as url:
            key = Fernet.generate_key().decode()
            service, started = await start_service("bench.load_kintsugi", api_url, url, key)
            return await _load(service, started, api_url, users, "kintsugi", max_seconds)
    finally:
        await stop_service(emulator)


async def _load(
    service: asyncio.subprocess.Process,
    started: dict,
    api_url: str,
    users: int,
    kind: str,
    max_seconds: float,
) -> dict:
    try:
        return await run_phase(
            "bench.load_users",
            api_url,
            str(started["pid"]),
            str(FIRST_ID),
            str(users),
            kind,
            str(max_seconds),
            timeout=max_seconds + 300,
        )
    finally:
        await stop_service(service)


def _label(run: dict) -> str:
    return "bare PTB echo" if run["bot"] == "echo" else f"Kintsugi, {DB_NAMES[run['db']]}"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds >= 0.1 else f"{seconds * 1000:.1f} ms"


def _errors(run: dict) -> str:
    return ", ".join(f"{n} {kind}" for kind, n in run["errors"].items()) or "0"


def _per_update_ms(run: dict) -> float:
    return run["bot_cpu_seconds"] / run["actions"] * 1000 if run["actions"] else 0.0


def _print_run(number: int, run: dict) -> None:
    print(
        f"  run {number}: {_label(run)}, {run['users']:,} users: "
        f"{run['actions']:,} updates in {run['seconds']:.1f} s = {run['per_second']:.1f}/s, "
        f"p50 {_ms(run['p50'])} p95 {_ms(run['p95'])} p99 {_ms(run['p99'])}, "
        f"bot CPU {run['bot_cpu_seconds']:.1f} s ({_per_update_ms(run):.2f} ms/update), "
        f"peak RSS {run['bot_peak_rss_mib']:.0f} MiB, done {run['finished']:,}, "
        f"cut off {run['cut_off']:,}, "
        f"errors {_errors(run)} {run['error_examples']}",
        flush=True,
    )


async def run(
    users_counts: list[int],
    dbs: list[str],
    pairs: int,
    admin_url: str,
    max_seconds: float,
    argv: list[str],
    write_doc: bool = True,
) -> str:
    whole = Stopwatch()
    print(f"load: {users_counts} users, {dbs}, {pairs} pair(s) each; {machine()}", flush=True)
    runs: list[dict] = []
    for users in users_counts:
        for _ in range(pairs):
            for db_kind in dbs:
                for bot in ("echo", "kintsugi"):
                    result = await one_run(bot, users, db_kind, admin_url, max_seconds)
                    result.update(bot=bot, db=db_kind, number=len(runs) + 1)
                    runs.append(result)
                    _print_run(result["number"], result)
    block = _report(runs, max_seconds, whole.seconds, argv)
    if write_doc:
        update_doc(SECTION, block, "load", SECTION_INTRO)
    return block


SECTION_INTRO = """\
N simulated people at once (`bench/load.py`), each going through onboarding
and then step 1 (`/responsibility`, the path of the partner who broke trust,
alone): 23 actions, 13 of them button presses with the callback data the bot
sent, 10 typed. Each person waits for the answer before the next action,
as a person would, and checks it is the right one (the expected text, and
the button the next action presses); a wrong or missing answer is counted as
an error and ends that person's run. The same people, with the same count and
kinds of actions, talk to a **bare python-telegram-bot echo bot**
(`bench/echo_bot.py`: PTB's defaults, its own Updater polling, a
MessageHandler and a CallbackQueryHandler, one message per action). Kintsugi
runs as `python -m bot` runs it (Runtime, long polling), on a fresh database,
with its sender's rate limits raised far above the load, because **the
emulator's flood control is off** for this benchmark. The bot, the emulator
and the people each run in their own process (the machine has 2 cores for
the three of them, and PostgreSQL). Runs alternate bare, Kintsugi, bare,
Kintsugi, so that drift of the machine touches both sides of a pair alike.

A run ends when every person is done or at a time limit, whichever comes
first; the people still waiting for an answer then ("cut off") are left out
of the figures (with 1,000 people the limit comes first, so their figures
are of the first steps of onboarding: for Kintsugi at its present speed,
little more than everyone's `/start`). Updates per second are the actions answered over
the run's time; latency is from just before an action is posted
to the emulator until its complete answer is seen by the people's process;
bot CPU is user and system time of the bot process over that span (from
/proc), and peak RSS its high-water mark.
"""


def _report(runs: list[dict], max_seconds: float, seconds: float, argv: list[str]) -> str:
    per_run = table(
        [
            "run",
            "bot",
            "users",
            "updates",
            "time",
            "updates/s",
            "p50",
            "p95",
            "p99",
            "bot CPU",
            "CPU per update",
            "bot peak RSS",
            "done / cut off",
            "errors",
        ],
        [
            [
                r["number"],
                _label(r),
                f"{r['users']:,}",
                f"{r['actions']:,}",
                f"{r['seconds']:.1f} s",
                f"{r['per_second']:,.1f}",
                _ms(r["p50"]),
                _ms(r["p95"]),
                _ms(r["p99"]),
                f"{r['bot_cpu_seconds']:.1f} s",
                f"{_per_update_ms(r):.2f} ms",
                f"{r['bot_peak_rss_mib']:.0f} MiB",
                f"{r['finished']:,} / {r['cut_off']:,}",
                _errors(r),
            ]
            for r in runs
        ],
    )
    pairs = [(runs[i], runs[i + 1]) for i in range(0, len(runs) - 1, 2)]
    ratios = table(
        [
            "runs",
            "Kintsugi on",
            "users",
            "throughput",
            "p50",
            "p95",
            "p99",
            "CPU per update",
            "peak RSS",
        ],
        [
            [
                f"{k['number']} / {b['number']}",
                DB_NAMES[k["db"]],
                f"{k['users']:,}",
                _ratio(k["per_second"], b["per_second"]),
                _ratio(k["p50"], b["p50"]),
                _ratio(k["p95"], b["p95"]),
                _ratio(k["p99"], b["p99"]),
                _ratio(_per_update_ms(k), _per_update_ms(b)),
                _ratio(k["bot_peak_rss_mib"], b["bot_peak_rss_mib"]),
            ]
            for b, k in pairs
        ],
    )
    verdicts = [_verdict(b, k) for b, k in pairs]
    return f"""### Figures

`{command_line(argv)}`, {today()} (the whole run: {seconds / 60:.1f} min; a run ends when
every person is done, or after {max_seconds:.0f} s at the latest); {machine()}.

Every run:

{per_run}

Kintsugi as a ratio to the bare bot of the same pair (throughput: higher is
better; latency, CPU and memory: lower is better):

{ratios}

Goal: throughput at least 1.0 of the bare bot's with p99 no worse, never
below 0.7: {", ".join(verdicts)}.

{LIMITS}"""


LIMITS = """\
#### What limits these figures

Profiled with py-spy (the bot process, 200 samples a second, 100 people for
20 s) and a count of the SQL statements; none of this is produced by the
command above, which measures only.

- **Before this benchmark's optimisations** (commit 5cfcd30, the same
  command with `--users 100 --max-seconds 30`, 2026-11-23 21:49 UTC):
  Kintsugi reached 0.22x of the bare bot's throughput on SQLite (27.3
  against 125.1 updates/s) and 0.25x on PostgreSQL (25.7 against 102.8), at
  31.4 and 29.9 ms of CPU per update (6.7x and 5.8x the bare bot's).
- **HTTP** took a third of the bot's CPU: httpx, httpcore and anyio (pool
  bookkeeping, cancellation shields, and httpcore trying `import sniffio`,
  which is not installed, on every request: 7 % alone). PTB's requests now
  go through `bot/telegram/aiohttp_request.py`, a `BaseRequest` on aiohttp (C-parsed
  HTTP, already a dependency), with HTTPXRequest's timeouts and error
  mapping: 5 % of the CPU is left there. Alone, this took SQLite from 22.7
  to 32.5 updates/s (100 people, 20 s).
- **Transactions**: 4.7 per update before (the turn; a second one only to
  find the inbox empty; one per delivered call to mark it sent; the claims
  and the intake). Now a turn looks for the user's next update inside its
  own transaction, deliveries are marked sent together (a group commit: each
  still waits for its own commit), a turn's replies go in with one insert,
  and the sender claims while calls are in flight rather than in rounds (a
  slow send no longer holds a whole round): 2.4 transactions per update. A
  turn also locks a known user first and reads their inbox once after the
  lock: two statements fewer in every turn but a new user's first.
- **What remains is the database layer** (`bot/db`, about 10 statements
  per turn): SQLAlchemy building and compiling statements is 24 % (SQLite)
  to 31 % (PostgreSQL) of the bot's samples, the event loop 8-24 %, the
  statements themselves in aiosqlite's thread 26 % (SQLite), Fernet 2-3 %,
  PTB parsing 4-7 %, the flows and texts 1.5 %. On SQLite every transaction
  also waits for the one writer (an asyncio lock in front of `BEGIN
  IMMEDIATE`), so turns, claims and marks queue behind each other. Next
  steps there: one `INSERT ... ON CONFLICT ... RETURNING` instead of
  insert-then-select to lock a user, the flood check only when the drain
  found a backlog, marks of a batch in one statement, statements built once.
  uvloop was tried and gave nothing measurable here (24.5 and 27.4
  updates/s without, 16.5 and 25.3 with, alternating on PostgreSQL).
- **The bare bot** handles one update at a time (PTB's default
  `concurrent_updates` is off), so it is bound by one round trip to the
  emulator per update, at 4-5 ms of CPU per update. Kintsugi does more per
  action: an answered button is two or three calls (the question closed
  with its answer, the next question, the toast), each reply is stored
  before it is sent, and "typing…" goes out when a turn takes longer than
  0.4 s, which under this load is most of them.
- **The machine**: two cores for the bot, the emulator, the people and
  PostgreSQL, shared with other jobs (load average about 7 during these
  runs): the same run varies by a third from one time to the next, which
  is why each Kintsugi run is compared with the bare run just before it.
"""


def _ratio(value: float, baseline: float) -> str:
    return f"{value / baseline:.2f}" if baseline else "-"


def _verdict(bare: dict, kintsugi: dict) -> str:
    throughput = kintsugi["per_second"] / bare["per_second"] if bare["per_second"] else 0.0
    p99 = kintsugi["p99"] / bare["p99"] if bare["p99"] else 0.0
    if throughput >= 1.0 and p99 <= 1.0:
        word = "met"
    elif throughput >= 0.7:
        word = "not met, above the 0.7 floor"
    else:
        word = "**below the 0.7 floor**"
    return f"runs {kintsugi['number']}/{bare['number']} {word} ({throughput:.2f}x, p99 {p99:.2f}x)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--users", type=int, nargs="+", default=[100, 1000])
    parser.add_argument(
        "--db", choices=("sqlite", "postgres"), nargs="+", default=["sqlite", "postgres"]
    )
    parser.add_argument(
        "--pairs", type=int, default=1, help="bare/Kintsugi pairs per user count and database"
    )
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=MAX_RUN_SECONDS,
        help="a run ends after this many seconds at the latest",
    )
    parser.add_argument(
        "--postgres-url",
        default=POSTGRES_ADMIN_URL,
        help="an admin connection; a fresh database is made and dropped",
    )
    parser.add_argument(
        "--no-doc", action="store_true", help="print the figures without writing docs/benchmarks.md"
    )


def main(args: argparse.Namespace, argv: list[str]) -> None:
    block = asyncio.run(
        run(
            args.users,
            args.db,
            args.pairs,
            args.postgres_url,
            args.max_seconds,
            argv,
            not args.no_doc,
        )
    )
    print()
    print(block)


if __name__ == "__main__":
    import sys

    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    add_arguments(parser)
    main(parser.parse_args(sys.argv[1:]), ["load", *sys.argv[1:]])
