"""The crisis net measured: recall, false alarms and cost, beside the old phrase list.

``python -m bench crisis [--set heldout|tune|all]`` reads the evaluation corpus
in tests/safety/corpus/ (tune.yaml and train_*.yaml: what the rules were
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
detector. Its section of docs/benchmarks.md is rewritten.
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

CORPUS = Path(__file__).parent.parent / "tests" / "safety" / "corpus"


def _tuning() -> tuple[str, ...]:
    return ("tune.yaml", *sorted(p.name for p in CORPUS.glob("train_*.yaml")))


# The parts of the corpus: what was tuned and trained on, and what never was.
SETS = {"heldout": ("heldout.yaml",), "tune": _tuning(), "all": (*_tuning(), "heldout.yaml")}
SECTION = "The crisis net: recall and false alarms"
LONG_MESSAGE_CHARS = 4096
TIMING_RUNS = 200


WRITERS = "writers"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--set", choices=[*sorted(SETS), WRITERS], default="heldout",
                        help="which part of the corpus to measure on (default: heldout); "
                             "'writers': each training writer left out of the model's "
                             "training in turn and measured on")


def load(names: Iterable[str]) -> tuple[list[tuple[str, str, str]], list[str]]:
    """(category, level, text) of every crisis message, and the ordinary sentences."""
    crisis, ordinary = [], []
    for name in names:
        raw = yaml.safe_load((CORPUS / name).read_text(encoding="utf-8"))
        ordinary += [str(text) for text in raw.pop("ordinary")]
        crisis += [(category, level, str(text)) for category, levels in raw.items()
                   for level, texts in levels.items() for text in texts or ()]
    return crisis, ordinary


def new_detector() -> Callable[[str], tuple[bool, bool]]:
    from flows.crisis import detect
    from flows.safety_check import QUESTION_FOR

    def read(text: str) -> tuple[bool, bool]:
        found = detect(text)
        # Acute: what the person got is the answer at once, not a question first. An
        # overdose and one's own urge have no question: their answer is the same at
        # either grade (flows/safety_net.py).
        at_once = found is not None and (found.acute or found.category not in QUESTION_FOR)
        return found is not None, at_once
    return read


def phrase_list() -> Callable[[str], tuple[bool, bool]]:
    from bench.crisis_baseline.phrase_matcher import crisis_signal

    def read(text: str) -> tuple[bool, bool]:
        found = crisis_signal(text) is not None
        return found, found  # the phrase list knew no grades: every match got the numbers
    return read


def measure(read: Callable[[str], tuple[bool, bool]], crisis: list[tuple[str, str, str]],
            ordinary: list[str]) -> dict:
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
    return {"per_category": per_category, "missed": missed, "alarms": alarms,
            "ordinary": len(ordinary)}


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} % ({part}/{whole})" if whole else "–"


def figures_table(new: dict, old: dict) -> str:
    rows = []
    for category in sorted(new["per_category"]):
        n, found, acute_n, acute_found = new["per_category"][category]
        old_n, old_found, _, _ = old["per_category"][category]
        rows.append((category, _percent(found, n), _percent(acute_found, acute_n),
                     _percent(old_found, old_n)))
    totals = [sum(c[i] for c in new["per_category"].values()) for i in range(4)]
    old_totals = [sum(c[i] for c in old["per_category"].values()) for i in range(4)]
    rows.append(("**all crisis messages**", _percent(totals[1], totals[0]),
                 _percent(totals[3], totals[2]), _percent(old_totals[1], old_totals[0])))
    rows.append(("**false alarms** (ordinary sentences)",
                 _percent(len(new["alarms"]), new["ordinary"]), "",
                 _percent(len(old["alarms"]), old["ordinary"])))
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
    from flows.crisis import detect; detect('warm up')
else:
    from bench.crisis_baseline.phrase_matcher import crisis_signal; crisis_signal('warm up')
print(before, rss())
"""


def memory_mib(which: str) -> tuple[float, float]:
    out = subprocess.run([sys.executable, "-c", _MEMORY_PROBE, which], capture_output=True,
                         text=True, check=True, cwd=Path(__file__).parent.parent).stdout.split()
    return float(out[0]), float(out[1])


def leaving_writers_out() -> str:
    """How the net does on a writer it never learnt from: for each training set written
    by its own hand, the model trained on all the others (the rules stay as they are)."""
    from flows.crisis import _Detector
    from flows.crisis_model import Model, train, training_examples

    detector, shipped = _Detector.of("en"), _Detector.of("en").model
    tuning = [CORPUS / name for name in _tuning()]
    rows, totals = [], [0] * 6  # found, crisis, acute found, acute, alarms, ordinary
    try:
        for left_out in (path for path in tuning if path.name.startswith("train_")):
            raw = train(training_examples([p for p in tuning if p != left_out], "en"))
            detector.model = Model(tuple(raw["classes"]),
                                   {f: tuple(w) for f, w in raw["weights"].items()},
                                   tuple(raw["bias"]), float(raw["threshold"]))
            figures = measure(new_detector(), *load([left_out.name]))
            counts = figures["per_category"].values()
            found, crisis, acute_found, acute = (sum(c[i] for c in counts) for i in (1, 0, 3, 2))
            counted = (found, crisis, acute_found, acute, len(figures["alarms"]),
                       figures["ordinary"])
            rows.append((left_out.name, _percent(found, crisis), _percent(acute_found, acute),
                         _percent(counted[4], counted[5])))
            totals = [total + n for total, n in zip(totals, counted, strict=True)]
    finally:
        detector.model = shipped
    rows.append(("**all**", _percent(totals[0], totals[1]), _percent(totals[2], totals[3]),
                 _percent(totals[4], totals[5])))
    return table(("left out", "recall", "acute recall", "false alarms"), rows)


def main(args: argparse.Namespace, argv: list[str]) -> None:
    if args.set == WRITERS:
        block = "\n\n".join([
            f"`{command_line(argv or ['crisis'])}`, {today()}, on {machine()}.",
            "Each training writer left out of the model's training in turn, and measured on:",
            leaving_writers_out()])
        print(block)
        update_doc(SECTION, block, f"crisis:{WRITERS}", SECTION_INTRO)
        return
    crisis, ordinary = load(SETS[args.set])
    new, old = new_detector(), phrase_list()
    new_figures, old_figures = measure(new, crisis, ordinary), measure(old, crisis, ordinary)
    new_ms, old_ms = timing_ms(new, ordinary), timing_ms(old, ordinary)
    (new_before, new_after), (old_before, old_after) = memory_mib("new"), memory_mib("old")
    block = "\n\n".join([
        f"`{command_line(argv or ['crisis'])}`, {today()}, on {machine()}.",
        f"On the **{args.set}** part of the corpus: {len(crisis)} crisis messages, "
        f"{len(ordinary)} ordinary sentences.",
        figures_table(new_figures, old_figures),
        table(("cost", "detector by meaning", "old phrase list"), [
            (f"reading a {LONG_MESSAGE_CHARS:,}-character message (median of {TIMING_RUNS})",
             f"{new_ms:.2f} ms", f"{old_ms:.2f} ms"),
            ("resident memory the detector adds to a process",
             f"{new_after - new_before:.1f} MiB", f"{old_after - old_before:.1f} MiB"),
        ]),
    ])
    print(block)
    if args.set == "heldout":  # its messages stay unread, or tuning would creep in
        print("(the held-out messages themselves are not shown)")
    else:
        _show_mistakes(new_figures)
    update_doc(SECTION, block, f"crisis:{args.set}", SECTION_INTRO)


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
