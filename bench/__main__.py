"""``python -m bench <benchmark> [options]``: run it, print it, update docs/benchmarks.md."""

from __future__ import annotations

import argparse
import sys

from bench import nudges

# name -> (module with add_arguments and main, one line of help)
BENCHMARKS = {
    "nudges": (nudges, "100,000 users due in the same minute: dispatch, sending at the "
                       "rate limit, startup and memory"),
}


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    commands = parser.add_subparsers(dest="benchmark", required=True)
    for name, (module, help_text) in BENCHMARKS.items():
        module.add_arguments(commands.add_parser(name, help=help_text))
    args = parser.parse_args(argv)
    BENCHMARKS[args.benchmark][0].main(args, argv)


if __name__ == "__main__":
    main(sys.argv[1:])
