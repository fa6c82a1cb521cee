"""Reading incident dates typed in Tajik, Russian and English."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.reports.dates import DateProblem, latest_allowed, moscow_today, parse_date

NOW = datetime(2025, 6, 10, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        # numeric, day first
        "05.02.2025", "5.2.2025", "5/2/2025", "05-02-2025", "5.2.25", "05 02 2025",
        " 05.02.2025 ", "05.02.2025г.", "05.02.2025 г.",
        # ISO
        "2025-02-05", "2025.02.05",
        # English
        "5 February", "5 february 2025", "February 5", "February 5th, 2025", "5th of February",
        "5 Feb", "Feb 5 2025",
        # Russian
        "5 февраля", "5 февраля 2025", "5 февраля 2025 г.", "5-го февраля", "5 фев",
        "5 Февраль 2025 года",
        # Tajik
        "5 феврали", "5 феврал", "5 феврал 2025", "5-уми феврали соли 2025", "5 феврали 2025",
    ],
)
def test_reads_5_february_2025(text: str) -> None:
    result = parse_date(text, now=NOW)
    assert result.ok, (text, result)
    assert result.value == date(2025, 2, 5)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", date(2025, 6, 10)), ("Сегодня", date(2025, 6, 10)),
        ("имрӯз", date(2025, 6, 10)), ("yesterday", date(2025, 6, 9)),
        ("вчера", date(2025, 6, 9)), ("Дирӯз", date(2025, 6, 9)),
        ("позавчера", date(2025, 6, 8)), ("парерӯз", date(2025, 6, 8)),
        ("1 мая", date(2025, 5, 1)), ("1 майи 2024", date(2024, 5, 1)),
        ("3 марта", date(2025, 3, 3)), ("3 марти 2023", date(2023, 3, 3)),
        ("12 июня 2024", date(2024, 6, 12)), ("12 июл 2024", date(2024, 7, 12)),
        ("1 сентября", date(2024, 9, 1)),  # no year: the latest one not in the future
        ("31 декабря", date(2024, 12, 31)),
        ("sept 3", date(2024, 9, 3)), ("3 окт 2022", date(2022, 10, 3)),
        ("01.01.2020", date(2020, 1, 1)),
        ("10.6", date(2025, 6, 10)),
    ],
)
def test_relative_words_months_and_missing_years(text: str, expected: date) -> None:
    assert parse_date(text, now=NOW).value == expected


def test_29_february() -> None:
    assert parse_date("29.02.2024", now=NOW).value == date(2024, 2, 29)
    assert parse_date("29.02.2025", now=NOW).problem is DateProblem.NO_SUCH_DAY
    assert parse_date("29 февраля 2023", now=NOW).problem is DateProblem.NO_SUCH_DAY
    # Without a year: the most recent 29 February that existed.
    assert parse_date("29 February", now=NOW).value == date(2024, 2, 29)
    assert parse_date("29 феврали", now=datetime(2029, 1, 5, tzinfo=UTC)).value == \
        date(2028, 2, 29)


@pytest.mark.parametrize("text", ["31.04.2025", "30 февраля 2024", "31 June 2024"])
def test_days_that_do_not_exist(text: str) -> None:
    assert parse_date(text, now=NOW).problem is DateProblem.NO_SUCH_DAY


@pytest.mark.parametrize("text", ["12.06.2025", "2026-01-01", "1 January 2030", "5.5.2099"])
def test_future_dates_are_refused(text: str) -> None:
    assert parse_date(text, now=NOW).problem is DateProblem.FUTURE


def test_future_means_not_yet_begun_anywhere_in_russia() -> None:
    # 12:00 UTC on 10 June is already 11 June nowhere in Russia (Kamchatka is UTC+12: 00:00).
    assert parse_date("11.06.2025", now=datetime(2025, 6, 10, 11, 0, tzinfo=UTC)).problem \
        is DateProblem.FUTURE
    assert parse_date("11.06.2025", now=datetime(2025, 6, 10, 13, 0, tzinfo=UTC)).ok
    assert latest_allowed(datetime(2025, 6, 10, 13, 0, tzinfo=UTC)) == date(2025, 6, 11)


@pytest.mark.parametrize("text", ["31.12.2019", "1 января 2019", "2015-05-05", "5 May 1999"])
def test_dates_before_2020_are_refused(text: str) -> None:
    assert parse_date(text, now=NOW).problem is DateProblem.TOO_OLD


@pytest.mark.parametrize(
    "text",
    ["", "   ", "asdf", "когда-то давно", "5", "февраль", "13.13.2024", "32.01.2024",
     "5 5 5 5", "5 фев март", "мамa", "ма 5", "2024 2025 5 March", "x" * 100],
)
def test_gibberish_is_unreadable(text: str) -> None:
    assert parse_date(text, now=NOW).problem is DateProblem.UNREADABLE


def test_today_follows_moscow_time() -> None:
    # 22:30 UTC is already the next day in Moscow.
    assert moscow_today(datetime(2025, 6, 10, 22, 30, tzinfo=UTC)) == date(2025, 6, 11)
    assert parse_date("today", now=datetime(2025, 6, 10, 22, 30, tzinfo=UTC)).value == \
        date(2025, 6, 11)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # as people said them when the flow was tried (NOW is 10 June 2025)
        ("3 рӯз пеш", date(2025, 6, 7)), ("se ruz pesh", date(2025, 6, 7)),
        ("3 дня назад", date(2025, 6, 7)), ("3 days ago", date(2025, 6, 7)),
        ("позавчера", date(2025, 6, 8)), ("вчера вечером", date(2025, 6, 9)),
        ("сегодня утром", date(2025, 6, 10)), ("3 dekabr", date(2024, 12, 3)),
        ("5 fevral", date(2025, 2, 5)),
        # and their neighbours
        ("три дня назад", date(2025, 6, 7)), ("неделю назад", date(2025, 6, 3)),
        ("2 недели назад", date(2025, 5, 27)), ("a week ago", date(2025, 6, 3)),
        ("yesterday evening", date(2025, 6, 9)), ("vchera vecherom", date(2025, 6, 9)),
        ("дирӯз бегоҳ", date(2025, 6, 9)), ("як ҳафта пеш", date(2025, 6, 3)),
        ("du ruz pesh", date(2025, 6, 8)), ("10 dney nazad", date(2025, 5, 31)),
        ("1 day ago", date(2025, 6, 9)), ("5 fevralya 2025", date(2025, 2, 5)),
        ("12 iyun 2024", date(2024, 6, 12)), ("1 mai", date(2025, 5, 1)),
        ("20 sentyabr 2024", date(2024, 9, 20)), ("7 yanvar", date(2025, 1, 7)),
    ],
)
def test_dates_as_people_say_them(text: str, expected: date) -> None:
    result = parse_date(text, now=NOW)
    assert result.value == expected, (text, result)


@pytest.mark.parametrize("text", ["days ago", "много дней назад", "3 года назад дома",
                                  "pesh", "3 рӯз"])
def test_relative_phrases_that_say_no_day(text: str) -> None:
    assert parse_date(text, now=NOW).problem is DateProblem.UNREADABLE


def test_too_many_days_ago_is_too_old() -> None:
    assert parse_date("4000 days ago", now=NOW).problem is DateProblem.TOO_OLD
    assert parse_date("2000 days ago", now=NOW).problem is DateProblem.TOO_OLD  # before 2020
