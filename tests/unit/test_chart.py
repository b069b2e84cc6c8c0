"""The progress picture is a real, readable PNG for any history length, and leaves no residue."""

from __future__ import annotations

import gc
import io
import struct
import tracemalloc
from dataclasses import replace
from datetime import date, timedelta

import pytest
from PIL import Image

from bot.features.chart import ChartWords, WeekPoint, _figure, render_progress

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
WORDS = ChartWords(
    title="Titel Zebra",
    week_axis="Woche Quokka",
    score_axis="Gefühl Narwhal (1–5)",
    kept_axis="Gehalten Axolotl",
    score_legend="Zeichen",
    safety_legend="Sicherheit",
    hope_legend="Hoffnung",
    kept_legend="Gehalten",
    empty="Noch nichts Kiwi",
)


def history(count: int) -> list[WeekPoint]:
    """Weeks with gaps in every series, half-kept commitments and an empty week."""
    return [
        WeekPoint(
            week_start=date(2026, 1, 5) + timedelta(weeks=index),
            score=None if index % 5 == 3 else 1 + (index % 5),
            safety=None if index % 7 == 2 else 1.5 + (index % 4),
            hope=None if index % 4 == 1 else 5 - (index % 3),
            kept=(index % 4) + 0.5 * (index % 2),
            planned=0 if index % 9 == 8 else 4,
        )
        for index in range(count)
    ]


def png_size(data: bytes) -> tuple[int, int]:
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.parametrize("count", [0, 1, 12, 52])
def test_renders_a_png_of_about_1000_by_600(count):
    data = render_progress(history(count), WORDS)
    assert data.startswith(PNG_SIGNATURE)
    width, height = png_size(data)
    assert 900 <= width <= 1100
    assert 540 <= height <= 660


@pytest.mark.parametrize("count", [0, 1, 12, 52])
def test_picture_is_not_blank(count):
    data = render_progress(history(count), WORDS)
    image = Image.open(io.BytesIO(data)).convert("RGB")
    assert image.size == png_size(data)
    colours = image.getcolors(maxcolors=image.width * image.height)
    assert len(colours) >= 20
    background = image.getpixel((0, 0))
    ink = sum(n for n, colour in colours if colour != background)
    assert ink > image.width * image.height * 0.01


@pytest.mark.parametrize("count", [0, 1, 12, 52])
def test_words_on_the_axes_are_the_ones_passed_in(count):
    figure = _figure(history(count), WORDS)
    scores, kept = figure.axes
    assert scores.get_title() == WORDS.title
    assert scores.get_xlabel() == WORDS.week_axis
    assert scores.get_ylabel() == WORDS.score_axis
    assert kept.get_ylabel() == WORDS.kept_axis
    assert scores.get_ylim() == pytest.approx((0.8, 5.2))


def test_legend_and_empty_text_use_the_words_passed_in():
    legend_texts = [text.get_text() for text in _figure(history(3), WORDS).legends[0].get_texts()]
    assert legend_texts == [
        WORDS.score_legend,
        WORDS.safety_legend,
        WORDS.hope_legend,
        WORDS.kept_legend,
    ]
    empty = _figure([], WORDS)
    assert [text.get_text() for text in empty.axes[0].texts] == [WORDS.empty]


def test_gaps_break_the_lines_and_ticks_are_thinned_for_a_long_history():
    figure = _figure(history(52), WORDS)
    scores = figure.axes[0]
    score_line = scores.get_lines()[0]
    assert any(value != value for value in score_line.get_ydata())  # NaN where no check-in
    labels = [label.get_text() for label in scores.get_xticklabels()]
    assert 2 <= len(labels) <= 13
    assert labels[0] == "Jan 5"  # CLDR's English order


def test_the_weeks_dates_are_in_the_readers_language():
    figure = _figure(history(3), replace(WORDS, locale="es"))
    labels = [label.get_text() for label in figure.axes[0].get_xticklabels()]
    assert labels[0] == "5 ene"


def test_repeated_renders_leave_no_figures_behind():
    from matplotlib import pyplot
    from matplotlib.figure import Figure

    def live_figures() -> int:
        gc.collect()
        return sum(isinstance(thing, Figure) for thing in gc.get_objects())

    weeks, before = history(12), live_figures()
    for _ in range(30):
        render_progress(weeks, WORDS)
    assert live_figures() == before
    assert pyplot.get_fignums() == []


def test_memory_does_not_grow_across_renders():
    weeks = history(12)
    render_progress(weeks, WORDS)  # warm caches (fonts, text layout) before measuring
    gc.collect()
    tracemalloc.start()
    try:
        render_progress(weeks, WORDS)
        gc.collect()
        before, _ = tracemalloc.get_traced_memory()
        for _ in range(8):  # tracing is slow, and a leaked figure would show in any of these
            render_progress(weeks, WORDS)
        gc.collect()
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert after - before < 2 * 1024 * 1024
