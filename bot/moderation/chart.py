"""The /stats chart: a portrait PNG of horizontal bars, readable on a phone.

Built on ``matplotlib.figure.Figure`` with the Agg canvas and no pyplot, so there is
no global figure state and it is safe in ``asyncio.to_thread``. matplotlib is
imported inside the function: the bot starts without loading it.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.moderation.stats import (
    BY_INCIDENT,
    BY_MONTH,
    BY_STATUS,
    NO_REPORTS,
    TITLE,
    ReportStats,
    period_label,
    sections,
)
from bot.reports.places import Places

if TYPE_CHECKING:
    from matplotlib.axes import Axes

Gettext = Callable[[str], str]

WIDTH_IN, DPI = 6.0, 120
MIN_HEIGHT_IN, MAX_HEIGHT_IN = 8.0, 10.0  # taller only when there are many bars
INCH_PER_BAR = 0.32
FONT = 12
LABEL_WIDTH = 58  # characters per line: labels sit above their bar, across the width
BAR_COLOUR = "#2f6f9f"


def _panels(stats: ReportStats, _: Gettext, locale: str, places: Places
            ) -> list[tuple[str, list[tuple[str, int]]]]:
    """(title, bars) for the panels that have data: type, month, status."""
    by_heading = {section.heading: section for section in sections(stats, _, locale, places)}
    chosen = [by_heading[_(heading)] for heading in (BY_INCIDENT, BY_MONTH, BY_STATUS)]
    return [(section.heading, section.capped(_)[0]) for section in chosen if section.items]


def _bars(ax: Axes, title: str, items: list[tuple[str, int]]) -> None:
    """One bar per item, its label above it (long labels need the whole width on a
    phone), its count after its end; the first item on top."""
    counts = [n for _label, n in items]
    positions = list(range(len(items)))
    bars = ax.barh(positions, counts, color=BAR_COLOUR, height=0.42)
    for position, (label, _n) in zip(positions, items, strict=True):
        ax.text(0, position - 0.26, textwrap.fill(label, LABEL_WIDTH), fontsize=FONT - 1,
                ha="left", va="bottom")
    ax.bar_label(bars, labels=[str(n) for n in counts], padding=4, fontsize=FONT,
                 fontweight="bold")
    ax.set_xlim(0, max(counts) * 1.15 + 0.5)  # room for the count after the longest bar
    ax.set_ylim(len(items) - 0.6, -0.95)  # inverted: the first item on top
    ax.set_title(title, fontsize=FONT + 2, fontweight="bold", loc="left")
    ax.set_axis_off()


def _empty(ax: Axes, text: str) -> None:
    ax.text(0.5, 0.5, textwrap.fill(text, 30), ha="center", va="center",
            fontsize=FONT + 4, transform=ax.transAxes)
    ax.set_axis_off()


def render_chart(stats: ReportStats, _: Gettext, places: Places, locale: str) -> bytes:
    """PNG bytes: by type of incident, by month and by status. Counts are exact: the
    chart is for moderators."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    panels = _panels(stats, _, locale, places) if stats.total else []
    bars = sum(len(items) for _title, items in panels)
    height = min(MAX_HEIGHT_IN, max(MIN_HEIGHT_IN, 2 + INCH_PER_BAR * bars))
    figure = Figure(figsize=(WIDTH_IN, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    try:
        title = _(TITLE) + "\n" + period_label(stats.period, _, locale)
        figure.suptitle(title, fontsize=FONT + 3, fontweight="bold")
        if not panels:
            _empty(figure.subplots(), _(NO_REPORTS))
        else:
            heights = [len(items) + 1 for _title, items in panels]  # + room for the title
            axes = figure.subplots(len(panels), 1, squeeze=False,
                                   gridspec_kw={"height_ratios": heights})[:, 0]
            for ax, (panel_title, items) in zip(axes, panels, strict=True):
                _bars(ax, panel_title, items)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=DPI)
        return buffer.getvalue()
    finally:
        figure.clear()
