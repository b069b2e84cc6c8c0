"""``python -m bench``: every benchmark, in under 10 minutes, into docs/benchmarks.md.

``python -m bench <benchmark> [options]`` runs one, with its own options
(``python -m bench <benchmark> --help``). Each writes its own section of the
report with the command that reproduces it.
"""

from __future__ import annotations

import argparse
import sys
import time

from bench import crisis, load, nudges, persistence

# name -> (module with add_arguments and main, one line of help)
BENCHMARKS = {
    "load": (
        load,
        "simulated people through onboarding and step 1, Kintsugi beside a bare "
        "python-telegram-bot echo bot, as ratios",
    ),
    "persistence": (
        persistence,
        "startup and memory at 10 to 100,000 stored users, beside "
        "ConversationHandler with PicklePersistence",
    ),
    "crisis": (
        crisis,
        "the crisis net's recall and false alarms per category on the "
        "evaluation corpus, its cost, beside the old phrase list",
    ),
    "nudges": (
        nudges,
        "100,000 users due in the same minute: dispatch, sending at the "
        "rate limit, startup and memory",
    ),
}

# What `python -m bench` runs: each benchmark with the arguments that keep the whole
# within 10 minutes on a 2-core machine. The nudge benchmark's sending is sampled
# (100,000 messages at Telegram's 30/s would take 56 minutes on their own).
EVERYTHING = (
    ["crisis", "--set", "tune"],
    ["crisis", "--set", "heldout"],
    ["crisis", "--set", "writers"],
    ["crisis", "--locale", "es", "--set", "tune"],
    ["crisis", "--locale", "es", "--set", "heldout"],
    ["load"],
    ["persistence"],
    [
        "nudges",
        "--users",
        "100000",
        "--db",
        "sqlite",
        "--sample-seconds",
        "15",
        "--rest-seconds",
        "15",
    ],
    [
        "nudges",
        "--users",
        "100000",
        "--db",
        "postgres",
        "--sample-seconds",
        "15",
        "--rest-seconds",
        "15",
    ],
)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = top.add_subparsers(dest="benchmark")
    for name, (module, help_text) in BENCHMARKS.items():
        module.add_arguments(commands.add_parser(name, help=help_text))
    return top


def run(argv: list[str]) -> None:
    args = parser().parse_args(argv)
    BENCHMARKS[args.benchmark][0].main(args, argv)


def main(argv: list[str]) -> None:
    if argv:
        run(argv)
        return
    started = time.perf_counter()
    for each in EVERYTHING:
        print(f"== python -m bench {' '.join(each)}", flush=True)
        run(each)
    print(f"== all benchmarks: {(time.perf_counter() - started) / 60:.1f} min")


if __name__ == "__main__":
    main(sys.argv[1:])
