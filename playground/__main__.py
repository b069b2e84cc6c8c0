"""``python -m playground``: run the Telegram emulator and chat page until signalled.

Prints exactly one ``PLAYGROUND_READY http://127.0.0.1:PORT`` line on stdout
once listening; launch scripts and tests parse that line to find the port.
"""

from __future__ import annotations

import argparse
import asyncio
import signal

from playground.emulator import Emulator


def _parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m playground", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="interface (keep it loopback)")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument(
        "--callback-answer-window",
        type=float,
        default=15.0,
        help="seconds a callback query may be answered",
    )
    return parser.parse_args(argv)


async def _serve(args: argparse.Namespace) -> None:
    emulator = Emulator(callback_answer_window=args.callback_answer_window)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    url = await emulator.start(args.host, args.port)
    print(f"PLAYGROUND_READY {url}", flush=True)
    try:
        await stop.wait()
    finally:
        await emulator.stop()


def main(argv: list[str] | None = None) -> None:
    asyncio.run(_serve(_parse_args(argv)))


if __name__ == "__main__":
    main()
