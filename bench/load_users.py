"""Simulated people for the load benchmark, in a process of their own.

Usage: python -m bench.load_users API_URL BOT_PID FIRST_ID COUNT (kintsugi|echo) MAX_SECONDS

COUNT users, all at once, each plays CONVERSATION the way a person would:
do one thing (type, or press a button with the callback data the bot sent),
wait until the bot's answer is in the chat, then do the next. With Kintsugi
the answer must be the right one (the expected text, and the button the next
step presses); with the echo bot, the echo of what was typed or pressed.
A wrong or missing answer is an error: that user stops, and it is reported.
The run ends when everyone is done or at MAX_SECONDS, whichever is first;
actions still waiting for their answer then are left out of the figures.
Latency is from just before the user's action is posted to the emulator to
the moment the complete answer is seen here. The bot's CPU time and peak
memory are read from /proc for the load's span alone.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bench.common import peak_rss_mib, report

ANSWER_TIMEOUT = 120.0


@dataclass(frozen=True)
class Action:
    """One thing a person does: type `text`, press the button labelled by content key
    `button` (`toggle`: a multi-select, answered by a tick on the same message), then
    see the content key `expect`."""

    expect: str
    text: str | None = None
    button: str | None = None
    toggle: bool = False

    def __post_init__(self) -> None:
        if (self.text is None) == (self.button is None) or (self.toggle and not self.button):
            raise ValueError(f"{self.expect}: an action types a text or presses a button")


def _onboarding() -> list[Action]:
    return [
        Action("onboarding.welcome", text="/start"),
        Action("onboarding.consent", button="onboarding.begin"),
        Action("onboarding.role", button="onboarding.consent_yes"),
        Action("onboarding.causes", button="onboarding.role_broke"),
        Action("onboarding.causes", button="causes.dishonesty", toggle=True),
        Action("onboarding.hopes", button="onboarding.causes_done"),
        Action("onboarding.safety", text="To be someone my partner can lean on again"),
        Action("onboarding.zone", button="onboarding.safety_no"),
        Action("onboarding.zone_confirm", text="Berlin"),
        Action("onboarding.reminder", button="onboarding.zone_confirm_yes"),
        Action("menu.text", button="onboarding.reminder_none"),
    ]


def _responsibility() -> list[Action]:
    """Step 1 for the partner who broke trust, alone: owning it, then a four-part apology."""
    return [
        Action("responsibility.broke_intro", text="/responsibility"),
        Action("responsibility.what", button="responsibility.begin"),
        Action("responsibility.impact", text="I hid messages from you for months"),
        Action("responsibility.own", text="You stopped feeling safe when I was away"),
        Action("responsibility.change", text="I take responsibility for lying to you"),
        Action("responsibility.offer_commit", text="I show you my phone whenever you ask"),
        Action("responsibility.ack", button="responsibility.commit_no"),
        Action(
            "responsibility.accept", text="I know I broke your trust and left you alone with it"
        ),
        Action("responsibility.actions", button="responsibility.use_earlier"),
        Action("responsibility.signs", button="responsibility.use_earlier"),
        Action("responsibility.apology_review", text="You will see my phone face up on the table"),
        Action("responsibility.apology_saved", button="responsibility.share_apology"),
    ]


CONVERSATION = [*_onboarding(), *_responsibility()]


# ------------------------------------------------------------------ what to expect


class Script:
    """What the bot under test must answer to each action."""

    def button_to_press(self, button: str, shown: list[dict]) -> tuple[int, str] | None:
        raise NotImplementedError

    def answered(
        self, action: Action, sent: str, after: int, shown: list[dict], following: Action | None
    ) -> bool:
        raise NotImplementedError


def _buttons(message: dict) -> list[tuple[str, str]]:
    return [(text, data) for text, data in message["buttons"]]


class KintsugiScript(Script):
    def __init__(self) -> None:
        from content import catalog

        self._words = catalog()

    def label(self, key: str) -> str:
        return self._words.plain(key)

    def recognisable(self, key: str) -> str:
        return self._words.fixed_words(key).lower()

    def button_to_press(self, button: str, shown: list[dict]) -> tuple[int, str] | None:
        wanted = self.label(button)
        for message in reversed(shown):
            for text, data in _buttons(message):
                if text == wanted and data:
                    return message["id"], data
        return None

    def answered(
        self, action: Action, sent: str, after: int, shown: list[dict], following: Action | None
    ) -> bool:
        if action.toggle:
            assert action.button is not None  # a toggle is a press (Action checks)
            ticked = "✓ " + self.label(action.button)
            return any(text == ticked for m in shown for text, _ in _buttons(m))
        needle = self.recognisable(action.expect)
        found = [m for m in shown if m["id"] > after and needle in (m["text"] or "").lower()]
        if not found:
            return False
        if following is not None and following.button is not None:
            # The answer is complete once the next question's button is there to press.
            return self.button_to_press(following.button, shown) is not None
        return True


class EchoScript(Script):
    def button_to_press(self, button: str, shown: list[dict]) -> tuple[int, str] | None:
        for message in reversed(shown):
            for _text, data in _buttons(message):
                if data:
                    return message["id"], data
        return None

    def answered(
        self, action: Action, sent: str, after: int, shown: list[dict], following: Action | None
    ) -> bool:
        echoed = f"pressed: {sent}" if action.button else f"echo: {sent}"
        return any(m["id"] > after and m["text"] == echoed for m in shown)


# ------------------------------------------------------------------ playing


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)
    finished: int = 0


class Person:
    def __init__(
        self, user_id: int, http: aiohttp.ClientSession, root: str, script: Script, tally: Tally
    ) -> None:
        self.id = user_id
        self._http = http
        self._root = root
        self._script = script
        self._tally = tally
        self._version = 0
        self._shown: list[dict] = []  # the bot's messages seen since the last action

    async def play(self) -> None:
        for index, action in enumerate(CONVERSATION):
            following = CONVERSATION[index + 1] if index + 1 < len(CONVERSATION) else None
            problem = await self._one(action, following)
            if problem is not None:
                self._tally.errors[problem] += 1
                if len(self._tally.examples) < 5:
                    self._tally.examples.append(
                        f"user {self.id}, step {index + 1} ({action.expect}): {problem}"
                    )
                return
        self._tally.finished += 1

    async def _one(self, action: Action, following: Action | None) -> str | None:
        started = time.perf_counter()
        if action.button is not None:
            target = self._script.button_to_press(action.button, self._shown)
            if target is None:
                return "no button to press"
            message_id, data = target
            await self._post("presses", {"callback_data": data, "message_id": message_id})
            sent = data
            after = message_id - 1 if action.toggle else max(m["id"] for m in self._shown)
        else:
            assert action.text is not None  # not a press, so it types (Action checks)
            posted = await self._post("messages", {"text": action.text})
            sent = action.text
            after = posted["message"]["message_id"]
        watch_from = after
        loop_deadline = time.monotonic() + ANSWER_TIMEOUT
        while True:
            news = await self._wait(watch_from, loop_deadline - time.monotonic())
            if self._script.answered(action, sent, after, news, following):
                self._tally.latencies.append(time.perf_counter() - started)
                self._shown = news
                return None
            if time.monotonic() >= loop_deadline:
                return "wrong answer" if any(m["id"] > after for m in news) else "no answer"

    async def _post(self, what: str, body: dict[str, Any]) -> Any:
        async with self._http.post(
            f"{self._root}/_emu/users/{self.id}/{what}", json=body
        ) as response:
            response.raise_for_status()
            return await response.json()

    async def _wait(self, after: int, timeout: float) -> list[dict]:
        query: dict[str, str | int] = {
            "user": self.id,
            "since": self._version,
            "after": after,
            "timeout": f"{max(0.0, min(timeout, 25.0)):.2f}",
        }
        async with self._http.get(f"{self._root}/_bench/wait", params=query) as response:
            response.raise_for_status()
            answer = await response.json()
        self._version = answer["version"]
        return answer["messages"]


# ------------------------------------------------------------------ the bot, from outside


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of process *pid* (all its threads)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _peak_rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return 0.0
    return sorted_values[min(len(sorted_values) - 1, int(fraction * len(sorted_values)))]


async def main(
    root: str, bot_pid: int, first_id: int, count: int, kind: str, max_seconds: float
) -> None:
    script = KintsugiScript() if kind == "kintsugi" else EchoScript()
    tally = Tally()
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(
        connector=connector, timeout=aiohttp.ClientTimeout(total=90)
    ) as http:
        async with http.post(
            f"{root}/_bench/users", json={"first_id": first_id, "count": count}
        ) as response:
            response.raise_for_status()
        people = [Person(first_id + n, http, root, script, tally) for n in range(count)]
        cpu_before = _cpu_seconds(bot_pid)
        started = time.perf_counter()
        playing = [asyncio.create_task(person.play()) for person in people]
        _, cut_off = await asyncio.wait(playing, timeout=max_seconds)
        # The time limit ends the run: what is still waiting for an answer is left out.
        seconds = time.perf_counter() - started
        cpu = _cpu_seconds(bot_pid) - cpu_before
        for task in cut_off:
            task.cancel()
        await asyncio.gather(*cut_off, return_exceptions=True)
    latencies = sorted(tally.latencies)
    report(
        {
            "users": count,
            "actions": len(latencies),
            "seconds": seconds,
            "per_second": len(latencies) / seconds,
            "finished": tally.finished,
            "cut_off": len(cut_off),
            "conversation": len(CONVERSATION),
            "p50": percentile(latencies, 0.50),
            "p95": percentile(latencies, 0.95),
            "p99": percentile(latencies, 0.99),
            "max": latencies[-1] if latencies else 0.0,
            "errors": dict(tally.errors),
            "error_examples": tally.examples,
            "bot_cpu_seconds": cpu,
            "bot_peak_rss_mib": _peak_rss_mib(bot_pid),
            "users_peak_rss_mib": peak_rss_mib(),
        }
    )


if __name__ == "__main__":
    api, pid, first, users, bot_kind, limit = sys.argv[1:7]
    asyncio.run(main(api, int(pid), int(first), int(users), bot_kind, float(limit)))
