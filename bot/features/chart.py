"""Draws the weekly progress picture, so a couple can see a trend rather than a single bad day.

Uses matplotlib's object-oriented API with the Agg canvas only: no pyplot, no global figure
registry, so it is safe from worker threads and nothing stays alive after a render.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from content.dates import format_date

_SIZE_INCHES = (10.0, 6.0)
_DPI = 100  # 10x6 inches at 100 dpi is the 1000x600 px Telegram shows well
_MAX_TICKS = 12
_BAR_WIDTH = 0.6
# Calm blues, teal and amber: nothing reads as a red/green verdict.
_LINES = (("score", "#3b6ea5"), ("safety", "#5a9e9a"), ("hope", "#c9a14a"))
_KEPT = "#b9c7d8"
_PLANNED = "#8c9bab"
_TEXT = "#333333"


@dataclass(frozen=True)
class ChartWords:
    """Every word on the picture, from content/ (the caller passes them in the user's locale)."""

    title: str
    week_axis: str
    score_axis: str
    kept_axis: str
    score_legend: str
    safety_legend: str
    hope_legend: str
    kept_legend: str
    empty: str
    locale: str = "en"  # the reader's, for the weeks' dates ("5 Jan", "5 ene")


@dataclass(frozen=True)
class WeekPoint:
    """One week of progress; None means no check-in that week, so the line breaks there."""

    week_start: date
    score: float | None
    safety: float | None
    hope: float | None
    kept: float  # a "partly" counts as half
    planned: int


def render_progress(weeks: Sequence[WeekPoint], words: ChartWords) -> bytes:
    """PNG bytes (about 1000x600 px); the figure is freed after, so repeated calls don't grow."""
    figure = _figure(weeks, words)
    buffer = io.BytesIO()
    try:
        FigureCanvasAgg(figure).print_png(buffer)
    finally:
        figure.clear()
    return buffer.getvalue()


def _figure(weeks: Sequence[WeekPoint], words: ChartWords) -> Figure:
    """The whole picture as a Figure, kept separate so tests can read its labels back."""
    figure = Figure(figsize=_SIZE_INCHES, dpi=_DPI, layout="constrained")
    scores = figure.add_subplot()
    scores.set_title(words.title, color=_TEXT, fontsize=14)
    scores.set_xlabel(words.week_axis, color=_TEXT)
    scores.set_ylabel(words.score_axis, color=_TEXT)
    scores.set_ylim(0.8, 5.2)
    scores.set_yticks([1, 2, 3, 4, 5])
    kept = scores.twinx()
    kept.set_ylabel(words.kept_axis, color=_TEXT)
    if not weeks:
        scores.set_xticks([])
        kept.set_yticks([])
        scores.text(
            0.5,
            0.5,
            words.empty,
            transform=scores.transAxes,
            ha="center",
            va="center",
            fontsize=13,
            color=_TEXT,
            wrap=True,
        )
        return figure
    _draw_weeks(scores, kept, weeks, words)
    return figure


def _draw_weeks(scores: Axes, kept: Axes, weeks: Sequence[WeekPoint], words: ChartWords) -> None:
    """Bars behind on the right axis, lines in front on the left, so the feelings stay readable."""
    xs = list(range(len(weeks)))
    kept.bar(
        xs,
        [week.planned for week in weeks],
        _BAR_WIDTH,
        facecolor="none",
        edgecolor=_PLANNED,
        linewidth=0.8,
        alpha=0.6,
    )
    bars = kept.bar(
        xs, [week.kept for week in weeks], _BAR_WIDTH, color=_KEPT, label=words.kept_legend
    )
    top = max(max(week.planned for week in weeks), max(week.kept for week in weeks), 1)
    kept.set_ylim(0, top * 1.15)
    ticks = kept.yaxis.get_major_locator()
    assert isinstance(ticks, MaxNLocator), "an axis starts with AutoLocator, a MaxNLocator"
    ticks.set_params(integer=True)
    # The lines must paint over the bars, which live on the twin drawn later by default.
    scores.set_zorder(kept.get_zorder() + 1)
    scores.patch.set_visible(False)
    legend = {"score": words.score_legend, "safety": words.safety_legend, "hope": words.hope_legend}
    lines: list[Artist] = []
    for field, colour in _LINES:
        values = [_nan(getattr(week, field)) for week in weeks]
        lines += scores.plot(
            xs, values, marker="o", markersize=4, linewidth=2, color=colour, label=legend[field]
        )
    step = math.ceil(len(weeks) / _MAX_TICKS)
    scores.set_xticks(xs[::step], [_short(week.week_start, words.locale) for week in weeks[::step]])
    # A lone week sits in the middle of a few slots rather than filling the whole width.
    centre, half = (len(weeks) - 1) / 2, max(len(weeks), 3) / 2 + 0.1
    scores.set_xlim(centre - half, centre + half)
    # The bars' legend entry is drawn from the first bar, as matplotlib does for a container.
    scores.figure.legend(
        [*lines, bars.patches[0]],
        [*legend.values(), words.kept_legend],
        loc="outside lower center",
        ncols=4,
        frameon=False,
        fontsize=9,
    )


def _nan(value: float | None) -> float:
    return math.nan if value is None else value


def _short(day: date, locale: str) -> str:
    """'5 Jan' in the reader's language and order (CLDR's, through Babel), not strftime's
    English month names."""
    return format_date(day, locale, form="day_month")
