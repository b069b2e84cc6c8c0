"""The crisis net measured: recall, false alarms and cost, beside the old phrase list.

``python -m bench crisis [--locale en|es] [--set heldout|tune|all]`` reads the
evaluation corpus in tests/safety/corpus/ (corpus/<locale>/ for a locale other
than English; tune.yaml and train_*.yaml: what the rules were
tuned on and the model trained on; heldout.yaml: written apart and never
tuned on), runs the detector by meaning
(flows/crisis.py) and the phrase matcher it replaced (bench/crisis_baseline/)
on the same messages, and reports, per category:

- **recall**: messages that got an answer (the numbers or the safety question);
- **acute recall**: acute messages that got the acute answer at once (the
  numbers; for one's own urge, the calm answer with its lines), not a question first;
- **false alarms**: ordinary sentences that got either.

Then the cost: the time to read a 4,096-character message (median of many),
and the resident memory of a fresh process before and after building each
detector. Its section of docs/benchmarks.md is rewritten (each locale has its own).

For a locale other than English it also measures that locale's messages read by
the English data too (people mix languages): what it would add, and what it costs.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import yaml

from bench.common import command_line, machine, table, today, update_doc
from tests.safety.corpus_path import CORPUS, ENGLISH, heldout, tuning_files


def parts(locale: str = ENGLISH) -> dict[str, tuple[Path, ...]]:
    """The parts of a locale's corpus: what was tuned and trained on, and what never was."""
    tuning = tuple(tuning_files(locale))
    return {"heldout": (heldout(locale),), "tune": tuning, "all": (*tuning, heldout(locale))}


SETS = parts(ENGLISH)
SECTION = "The crisis net: recall and false alarms"


def section_of(locale: str) -> str:
    return SECTION if locale == ENGLISH else f"{SECTION} ({locale})"


LONG_MESSAGE_CHARS = 4096
TIMING_RUNS = 200


WRITERS = "writers"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--set",
        choices=[*sorted(SETS), WRITERS],
        default="heldout",
        help="which part of the corpus to measure on (default: heldout); "
        "'writers': each training writer left out of the model's "
        "training in turn and measured on",
    )
    parser.add_argument(
        "--locale",
        default=ENGLISH,
        help="whose detector data and corpus (default: en); another "
        "locale's corpus is tests/safety/corpus/<locale>/",
    )


def load(names: Iterable[str | Path]) -> tuple[list[tuple[str, str, str]], list[str]]:
    """(category, level, text) of every crisis message, and the ordinary sentences
    (a plain name is a file of the English corpus)."""
    crisis, ordinary = [], []
    for name in names:
        raw = yaml.safe_load((CORPUS / name).read_text(encoding="utf-8"))
        ordinary += [str(text) for text in raw.pop("ordinary")]
        crisis += [
            (category, level, str(text))
            for category, levels in raw.items()
            for level, texts in levels.items()
            for text in texts or ()
        ]
    return crisis, ordinary


def new_detector(locale: str = ENGLISH, *also: str) -> Callable[[str], tuple[bool, bool]]:
    """The detector of *locale*; with *also*, those locales' data read the text too
    and the gravest finding answers."""
    from flows.crisis import ACUTE, detect_in
    from flows.safety_check import QUESTION_FOR

    def read(text: str) -> tuple[bool, bool]:
        found = [f for f in (detect_in(text, each) for each in (locale, *also)) if f is not None]
        # Acute: what the person got is the answer at once, not a question first. An
        # overdose and one's own urge have no question: their answer is the same at
        # either grade (flows/safety_net.py).
        at_once = any(f.level == ACUTE or f.category not in QUESTION_FOR for f in found)
        return bool(found), at_once

    return read


def phrase_list() -> Callable[[str], tuple[bool, bool]]:
    from bench.crisis_baseline.phrase_matcher import crisis_signal

    def read(text: str) -> tuple[bool, bool]:
        found = crisis_signal(text) is not None
        return found, found  # the phrase list knew no grades: every match got the numbers

    return read


def measure(
    read: Callable[[str], tuple[bool, bool]],
    crisis: list[tuple[str, str, str]],
    ordinary: list[str],
) -> dict:
    per_category: dict[str, list[int]] = {}
    missed: list[tuple[str, str]] = []
    for category, level, text in crisis:
        found, acute = read(text)
        counts = per_category.setdefault(category, [0, 0, 0, 0])  # n, found, acute n, acute found
        counts[0] += 1
        counts[1] += found
        if level == "acute":
            counts[2] += 1
            counts[3] += acute
        if not found or (level == "acute" and not acute):
            missed.append((category, text))
    alarms = [text for text in ordinary if read(text)[0]]
    return {
        "per_category": per_category,
        "missed": missed,
        "alarms": alarms,
        "ordinary": len(ordinary),
    }


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} % ({part}/{whole})" if whole else "–"


def figures_table(new: dict, old: dict) -> str:
    rows = []
    for category in sorted(new["per_category"]):
        n, found, acute_n, acute_found = new["per_category"][category]
        old_n, old_found, _, _ = old["per_category"][category]
        rows.append(
            (
                category,
                _percent(found, n),
                _percent(acute_found, acute_n),
                _percent(old_found, old_n),
            )
        )
    totals = [sum(c[i] for c in new["per_category"].values()) for i in range(4)]
    old_totals = [sum(c[i] for c in old["per_category"].values()) for i in range(4)]
    rows.append(
        (
            "**all crisis messages**",
            _percent(totals[1], totals[0]),
            _percent(totals[3], totals[2]),
            _percent(old_totals[1], old_totals[0]),
        )
    )
    rows.append(
        (
            "**false alarms** (ordinary sentences)",
            _percent(len(new["alarms"]), new["ordinary"]),
            "",
            _percent(len(old["alarms"]), old["ordinary"]),
        )
    )
    return table(("category", "recall", "acute recall", "old phrase list: recall"), rows)


def timing_ms(read: Callable[[str], tuple[bool, bool]], ordinary: list[str]) -> float:
    """Median time to read one message of 4,096 characters of ordinary sentences."""
    filler = " ".join(ordinary) or "we talked about it again tonight. "
    message = (filler * (LONG_MESSAGE_CHARS // len(filler) + 1))[:LONG_MESSAGE_CHARS]
    read(message)  # warm: the data loaded, caches filled as in a running bot
    runs = []
    for index in range(TIMING_RUNS):
        varied = message[index:] + message[:index]  # new word boundaries, colder caches
        started = time.perf_counter()
        read(varied)
        runs.append((time.perf_counter() - started) * 1000)
    return statistics.median(runs)


_MEMORY_PROBE = """
import resource, sys
def rss():
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS:'):
            return int(line.split()[1]) / 1024
import content, flows.engine, yaml  # what a bot has loaded before any message
before = rss()
if sys.argv[1] == 'new':
    from flows.crisis import detect_in
    for locale in sys.argv[2:] or ['en']:
        detect_in('warm up', locale)
else:
    from bench.crisis_baseline.phrase_matcher import crisis_signal; crisis_signal('warm up')
print(before, rss())
"""


def memory_mib(which: str, *locales: str) -> tuple[float, float]:
    out = subprocess.run(
        [sys.executable, "-c", _MEMORY_PROBE, which, *locales],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent.parent,
    ).stdout.split()
    return float(out[0]), float(out[1])


def leaving_writers_out(locale: str = ENGLISH) -> str:
    """How the net does on a writer it never learnt from: for each training set written
    by its own hand, the model trained on all the others (the rules stay as they are)."""
    from flows.crisis import _Detector
    from flows.crisis_model import EVERYDAY_FILES, Model, train, training_examples

    detector, shipped = _Detector.of(locale), _Detector.of(locale).model
    tuning = tuning_files(locale)
    rows, totals = [], [0] * 6  # found, crisis, acute found, acute, alarms, ordinary
    try:
        writers = [
            p
            for p in tuning
            if p.name.startswith("train_") and not p.name.startswith(EVERYDAY_FILES)
        ]  # a plain set has no danger
        for left_out in writers:
            raw = train(training_examples([p for p in tuning if p != left_out], locale))
            detector.model = Model(
                tuple(raw["classes"]),
                {f: tuple(w) for f, w in raw["weights"].items()},
                tuple(raw["bias"]),
                float(raw["threshold"]),
            )
            figures = measure(new_detector(locale), *load([left_out]))
            counts = figures["per_category"].values()
            found, crisis, acute_found, acute = (sum(c[i] for c in counts) for i in (1, 0, 3, 2))
            counted = (
                found,
                crisis,
                acute_found,
                acute,
                len(figures["alarms"]),
                figures["ordinary"],
            )
            rows.append(
                (
                    left_out.name,
                    _percent(found, crisis),
                    _percent(acute_found, acute),
                    _percent(counted[4], counted[5]),
                )
            )
            totals = [total + n for total, n in zip(totals, counted, strict=True)]
    finally:
        detector.model = shipped
    rows.append(
        (
            "**all**",
            _percent(totals[0], totals[1]),
            _percent(totals[2], totals[3]),
            _percent(totals[4], totals[5]),
        )
    )
    return table(("left out", "recall", "acute recall", "false alarms"), rows)


def main(args: argparse.Namespace, argv: list[str]) -> None:
    locale, section = args.locale, section_of(args.locale)
    marker = "crisis" if locale == ENGLISH else f"crisis_{locale}"
    intro = SECTION_INTRO if locale == ENGLISH else LOCALE_INTRO.format(locale=locale)
    if args.set == WRITERS:
        block = "\n\n".join(
            [
                f"`{command_line(argv or ['crisis'])}`, {today()}, on {machine()}.",
                "Each training writer left out of the model's training in turn, and measured on:",
                leaving_writers_out(locale),
            ]
        )
        print(block)
        update_doc(section, block, f"{marker}:{WRITERS}", intro)
        return
    crisis, ordinary = load(parts(locale)[args.set])
    new, old = new_detector(locale), phrase_list()
    new_figures, old_figures = measure(new, crisis, ordinary), measure(old, crisis, ordinary)
    new_ms, old_ms = timing_ms(new, ordinary), timing_ms(old, ordinary)
    (new_before, new_after), (old_before, old_after) = memory_mib("new", locale), memory_mib("old")
    block = "\n\n".join(
        [
            f"`{command_line(argv or ['crisis'])}`, {today()}, on {machine()}.",
            f"On the **{args.set}** part of the {locale} corpus: {len(crisis)} crisis messages, "
            f"{len(ordinary)} ordinary sentences.",
            figures_table(new_figures, old_figures),
            table(
                ("cost", "detector by meaning", "old phrase list"),
                [
                    (
                        f"reading a {LONG_MESSAGE_CHARS:,}-character message "
                        f"(median of {TIMING_RUNS})",
                        f"{new_ms:.2f} ms",
                        f"{old_ms:.2f} ms",
                    ),
                    (
                        "resident memory the detector adds to a process",
                        f"{new_after - new_before:.1f} MiB",
                        f"{old_after - old_before:.1f} MiB",
                    ),
                ],
            ),
            *([] if locale == ENGLISH else [also_english(locale, crisis, ordinary, new_figures)]),
        ]
    )
    print(block)
    if args.set == "heldout":  # its messages stay unread, or tuning would creep in
        print("(the held-out messages themselves are not shown)")
    else:
        _show_mistakes(new_figures)
    update_doc(section, block, f"{marker}:{args.set}", intro)


def also_english(
    locale: str, crisis: list[tuple[str, str, str]], ordinary: list[str], alone: dict
) -> str:
    """People mix languages: what reading *locale*'s messages with the English data as
    well would add (recall) and cost (false alarms, time, memory)."""
    both = new_detector(locale, ENGLISH)
    figures = measure(both, crisis, ordinary)

    def summary(f: dict) -> tuple[str, str, str]:
        totals = [sum(c[i] for c in f["per_category"].values()) for i in range(4)]
        return (
            _percent(totals[1], totals[0]),
            _percent(totals[3], totals[2]),
            _percent(len(f["alarms"]), f["ordinary"]),
        )

    before, after = memory_mib("new", locale, ENGLISH)
    return "\n\n".join(
        [
            f"Read by the {locale} data alone, or by the {locale} and the English data together:",
            table(
                (
                    "read by",
                    "recall",
                    "acute recall",
                    "false alarms",
                    "4,096 characters",
                    "memory added",
                ),
                [
                    (f"{locale} alone", *summary(alone), "", ""),
                    (
                        f"{locale} and en",
                        *summary(figures),
                        f"{timing_ms(both, ordinary):.2f} ms",
                        f"{after - before:.1f} MiB",
                    ),
                ],
            ),
        ]
    )


def _show_mistakes(figures: dict) -> None:
    for category, text in figures["missed"]:
        print(f"MISSED  {category:18} {text[:150]!r}")
    for text in figures["alarms"]:
        print(f"ALARM   {text[:150]!r}")


SECTION_INTRO = """\
How well the crisis net (flows/crisis.py, with its English data in
content/detector/en.yaml) recognises people in danger, and how rarely it
raises a false alarm, on the evaluation corpus in tests/safety/corpus/. The
corpus was written for this by several writers apart from each other: the
rules were tuned on tune.yaml, the model learnt from it and from four training
sets (train_a-d.yaml; `tune` below is all of these), and heldout.yaml was never
tuned on. The figures that count are the held-out ones and, harder, each
training writer left out in turn (`writers`). The old phrase list runs on the
same messages.
"""

LOCALE_INTRO = """\
The same measure for the {locale} detector data (content/detector/{locale}.yaml and its
model), on the {locale} corpus in tests/safety/corpus/{locale}/, written in that
language, not translated: the rules were tuned on tune.yaml, the model learnt from it
and train_*.yaml, and heldout.yaml was written first, in its own voice, and never tuned
on. The old phrase list had English phrases only: it is what a {locale} user had before.
"""
