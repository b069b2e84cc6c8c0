"""What every benchmark needs: databases to throw away, processes, memory, the report."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import re
import resource
import shlex
import sys
import tempfile
import time
import uuid
from collections import deque
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
TOKEN = "4242424:bench-token-for-the-emulator-only"
RESULT_PREFIX = "BENCH-RESULT "


# ------------------------------------------------------------------ databases


@asynccontextmanager
async def fresh_database(
    kind: str, admin_url: str = POSTGRES_ADMIN_URL, label: str = "bench"
) -> AsyncIterator[str]:
    """An empty database of *kind* ("sqlite" or "postgres"), removed afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix=f"kintsugi-{label}-") as folder:
            yield f"sqlite+aiosqlite:///{folder}/kintsugi.db"
        return
    import asyncpg

    admin = admin_url.replace("postgresql+asyncpg://", "postgresql://")
    name = f"kintsugi_{label}_{uuid.uuid4().hex[:10]}"
    connection = await asyncpg.connect(admin)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    base = admin.rpartition("/")[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    try:
        yield f"{base}/{name}"
    finally:
        connection = await asyncpg.connect(admin)
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await connection.close()


# ------------------------------------------------------------------ processes


async def run_phase(module: str, *args: str, timeout: float = 900) -> dict:
    """Run ``python -m module args`` and return the JSON it reports on its last result line."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        module,
        *args,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout)
    lines = [
        line[len(RESULT_PREFIX) :]
        for line in out.decode().splitlines()
        if line.startswith(RESULT_PREFIX)
    ]
    if process.returncode != 0 or not lines:
        raise RuntimeError(
            f"{module} {' '.join(args)} failed ({process.returncode}):\n{err.decode()[-3000:]}"
        )
    return json.loads(lines[-1])


async def start_service(module: str, *args: str) -> tuple[asyncio.subprocess.Process, dict]:
    """Start ``python -m module args``, which reports once ready and serves until its
    stdin is closed; returns the process and that report."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        module,
        *args,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None  # asked for a pipe
    while True:
        line = (await asyncio.wait_for(process.stdout.readline(), 120)).decode()
        if not line:
            raise RuntimeError(f"{module} ended before it was ready")
        if line.startswith(RESULT_PREFIX):
            return process, json.loads(line[len(RESULT_PREFIX) :])


async def stop_service(process: asyncio.subprocess.Process) -> None:
    assert process.stdin is not None  # start_service gave it a pipe
    process.stdin.close()
    try:
        await asyncio.wait_for(process.wait(), 20)
    except TimeoutError:
        process.kill()
        await process.wait()


async def until_stdin_closes() -> None:
    """A service's wait: the benchmark that started it closes our stdin (or dies)."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    await reader.read()


def report(result: dict) -> None:
    """What a phase process hands back to the benchmark that started it."""
    print(RESULT_PREFIX + json.dumps(result), flush=True)


def most_in_any_window(stamps: Sequence[float], width: float = 1.0) -> int:
    """The most stamps in any rolling window of *width* seconds, counted as Telegram's
    flood control (and the emulator's) counts: the window (t - width, t]."""
    window: deque[float] = deque()
    most = 0
    for stamp in sorted(stamps):
        window.append(stamp)
        while window[0] <= stamp - width:
            window.popleft()
        most = max(most, len(window))
    return most


# ------------------------------------------------------------------ memory


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def rss_mib() -> float:
    """Resident memory of this process now."""
    return _status_kib("VmRSS") / 1024


def peak_rss_mib() -> float:
    """The most resident memory this process has had (its high-water mark)."""
    return _status_kib("VmHWM") / 1024


def cpu_seconds() -> float:
    """CPU time (user and system) this process has used."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Stopwatch:
    def __init__(self) -> None:
        self.start = time.perf_counter()

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.start


# ------------------------------------------------------------------ the report


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return (
        f"{model}, {os.cpu_count()} cores{memory}; {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}"
    )


def command_line(argv: Sequence[str]) -> str:
    return "python -m bench " + " ".join(shlex.quote(arg) for arg in argv)


def today() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


INTRO = """# Benchmarks

Measured by `bench/` on one machine, with the Bot API played by the
loopback emulator in `playground/`, in a separate process. `python -m bench`
(in `.venv`) runs everything below in about 8 minutes on 2 cores and
rewrites the figures; `python -m bench <name> --help` runs one. Every figure
says which command produced it, when, and on what machine. Memory is the
resident set size (RSS) of the process named.
"""


def update_doc(section: str, block: str, marker: str, intro_of_section: str = "") -> None:
    """Put *block* under ``## section`` between markers named *marker*, keeping the rest.

    The section's intro sits between markers of its own, so a changed intro reaches
    the report too; text written by hand outside the markers stays as it is.
    """
    text = DOC.read_text() if DOC.exists() else INTRO
    heading = f"## {section}"
    if heading not in text:
        text = text.rstrip() + f"\n\n{heading}\n"
    if intro_of_section.strip():
        text = _put_marked(
            text, heading, f"intro:{marker.split(':')[0]}", intro_of_section, first=True
        )
    text = _put_marked(text, heading, marker, block)
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text.rstrip() + "\n")


def _put_marked(text: str, heading: str, marker: str, block: str, first: bool = False) -> str:
    """Replace the block between *marker*'s markers, or add it to the section under
    *heading*: at its start when *first*, otherwise at its end."""
    begin, end = f"<!-- bench:{marker} -->", f"<!-- /bench:{marker} -->"
    wrapped = f"{begin}\n{block.strip()}\n{end}"
    if begin in text and end in text:
        return re.sub(
            re.escape(begin) + r".*?" + re.escape(end), lambda _: wrapped, text, flags=re.S
        )
    start = text.index(heading)
    if first:
        cut = start + len(heading)
        return text[:cut] + f"\n\n{wrapped}\n\n" + text[cut:].lstrip("\n")
    following = text.find("\n## ", start + len(heading))
    cut = len(text) if following < 0 else following
    return text[:cut].rstrip() + f"\n\n{wrapped}\n" + text[cut:]


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)
