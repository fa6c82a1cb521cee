"""The /stats chart: a PNG in any language, with or without data."""

from __future__ import annotations

import sys
from datetime import date

import pytest

from bot.i18n import Catalogs
from bot.moderation.chart import render_chart
from bot.moderation.stats import Period, compute_stats
from bot.reports.places import default_places
from tests.moderation.test_stats import ROWS, row

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PERIOD = Period(date(2026, 10, 1), date(2026, 11, 30), "x")


@pytest.fixture(scope="module")
def catalogs() -> Catalogs:
    return Catalogs.load()


@pytest.mark.parametrize("locale", ["tg", "ru", "en"])
def test_chart_is_a_png(catalogs: Catalogs, locale: str) -> None:
    png = render_chart(compute_stats(ROWS, PERIOD), catalogs.get(locale).gettext,
                       default_places(), locale)
    assert png.startswith(PNG_SIGNATURE) and len(png) > 5_000


def test_empty_chart_is_a_png(catalogs: Catalogs) -> None:
    png = render_chart(compute_stats([], PERIOD), catalogs.get("en").gettext,
                       default_places(), "en")
    assert png.startswith(PNG_SIGNATURE)


def test_many_bars_stay_portrait(catalogs: Catalogs) -> None:
    import struct

    rows = [row(f"R-{n}", day=f"{2010 + n // 12}-{n % 12 + 1:02d}-01") for n in range(120)]
    png = render_chart(compute_stats(rows, Period(None, None, "all")),
                       catalogs.get("ru").gettext, default_places(), "ru")
    width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk
    assert width < height <= 1300


def test_chart_leaves_no_pyplot_state(catalogs: Catalogs) -> None:
    render_chart(compute_stats(ROWS, PERIOD), catalogs.get("en").gettext, default_places(), "en")
    pyplot = sys.modules.get("matplotlib.pyplot")
    assert pyplot is None or not pyplot.get_fignums()
