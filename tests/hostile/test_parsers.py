"""Property tests of the parsers users and forged buttons reach, on generated input.

Every parser must answer "not understood" (None, a problem code) for anything it cannot
read, never raise; what it does read must be within range; and where the bot formats a
value and the user may type it back, parse(format(x)) == x.

The cases named after a bug (year 0000, digits that ``str.isdigit`` accepts but ``int``
refuses, such as "²") crashed handlers until they were fixed; they stay as regressions.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.broadcasts import rules as broadcast_rules
from bot.callbacks import MAX_BYTES, Callback, CallbackDataTooLong, pack, unpack
from bot.i18n import SUPPORTED_LOCALES, Catalogs
from bot.moderation.stats import MAX_DAYS, parse_period
from bot.moderation.unanswered import parse_days
from bot.reports import draft as d
from bot.reports.dates import (
    EARLIEST,
    DateProblem,
    Month,
    incident_day,
    latest_allowed,
    parse_date,
    parse_incident_date,
)
from bot.reports.screens import incident_date_label
from bot.support.service import parse_ticket_ref, ticket_ref
from tests.hostile.conftest import FUZZ

NOW = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)
TODAY = date(2026, 12, 6)
CATALOGS = Catalogs.load()

# --- strategies ------------------------------------------------------------------------

# Anything a Telegram client can send: every code point but lone surrogates (Telegram's
# JSON is valid UTF-8), up to the 4,096 characters of one message.
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=4096)
short_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)
# Digits that are not ASCII: Arabic-Indic, Devanagari, full-width, superscripts and
# circled numbers (str.isdigit() is true for the last two, int() refuses them).
ODD_DIGITS = "٠١٢٣٤٥٦٧٨٩०१२३४५६७८९０１２３４５６７８９¹²³⁴⁵⁶⁷⁸⁹⁰①②③④⑤"
DATE_WORDS = (
    "январь", "февраля", "феврали", "феврал", "март", "мая", "май", "июн", "августа",
    "сентябрь", "октябр", "ноября", "декабрь", "декабри", "january", "feb", "february", "may",
    "sept", "december", "yanvar", "fevral", "mart", "dekabr", "iyul", "noabr", "mai",
    "вчера", "сегодня", "позавчера", "имрӯз", "дирӯз", "парерӯз", "today", "yesterday",
    "vchera", "diruz", "вечером", "утром", "morning", "ночью", "назад", "пеш", "қабл", "ago",
    "nazad", "pesh", "дня", "дней", "рӯз", "руз", "day", "days", "week", "weeks", "неделю",
    "ҳафта", "hafta", "а", "a", "an", "три", "се", "se", "ten", "даҳ", "г", "г.", "года",
    "сол", "соли", "of", "the", "on", "числа", "рӯзи", "моҳи", "в", "дар", "th", "st", "го",
    "уми", "-уми", "last month", "this month", "в прошлом месяце", "моҳи гузашта",
    "0", "00", "0000", "1", "5", "05", "12", "13", "29", "30", "31", "32", "99", "2019",
    "2020", "2024", "2025", "2026", "2027", "9999", "3660", "3661", "9999999",
    *ODD_DIGITS,
)
SEPARATORS = (" ", ".", "-", "/", ", ", " - ", "  ", "(", ")", "\u00a0", "\u202f", "")


@st.composite
def date_like(draw: st.DrawFn) -> str:
    """Texts shaped like the dates people type, with odd digits and words mixed in."""
    parts = draw(st.lists(st.one_of(st.sampled_from(DATE_WORDS),
                                    st.integers(0, 10_000).map(str),
                                    st.text(st.sampled_from(ODD_DIGITS + "0123456789"),
                                            min_size=1, max_size=5),
                                    short_text), min_size=1, max_size=5))
    text = ""
    for part in parts:
        text += part + draw(st.sampled_from(SEPARATORS))
    return text


def _assert_incident_date(text: str) -> None:
    result = parse_incident_date(text, now=NOW)
    assert (result.value is None) != (result.problem is None), result
    if result.value is not None:
        assert re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", result.value), result
        day = incident_day(result.value)
        assert EARLIEST <= day <= latest_allowed(NOW), result
    else:
        assert isinstance(result.problem, DateProblem)


def _assert_date(text: str) -> None:
    result = parse_date(text, now=NOW)
    assert (result.value is None) != (result.problem is None), result
    if result.value is not None:
        assert EARLIEST <= result.value <= latest_allowed(NOW)


# --- dates ------------------------------------------------------------------------------


@FUZZ
@given(st.one_of(date_like(), any_text))
@example("12.0000")
def test_incident_date_never_raises_and_stays_in_range(text: str) -> None:
    _assert_incident_date(text)


@FUZZ
@given(st.one_of(date_like(), any_text))
@example("5 ²")
def test_day_parser_never_raises_and_stays_in_range(text: str) -> None:
    _assert_date(text)


@pytest.mark.parametrize("text", ["12.0000", "декабрь 0000", "0000-12", "² дня назад",
                                  "5 ²", "²³ days ago"])
def test_known_date_crashes(text: str) -> None:
    """The smallest inputs of the bug above, one per line of the report."""
    _assert_incident_date(text)


def _known_trigger(text: str) -> bool:
    """A digit int() refuses (superscripts, circled numbers...) or a year 0000 (in any
    script's digits): the two causes of the crash fixed in bot/reports/dates.py."""
    return (any(char.isdigit() and not char.isdecimal() for char in text)
            or any(int(run) == 0 for run in re.findall(r"\d{4}", text)))


@FUZZ
@given(st.one_of(date_like(), any_text).filter(lambda text: not _known_trigger(text)))
def test_incident_date_in_range_apart_from_the_known_crashes(text: str) -> None:
    """The same property without the two known triggers, so other regressions show now."""
    _assert_incident_date(text)
    _assert_date(text)


days_in_range = st.dates(min_value=EARLIEST, max_value=TODAY)


@FUZZ
@given(days_in_range, st.sampled_from(("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%y",
                                       "%d-%m-%Y", "%Y.%m.%d")))
def test_numeric_dates_round_trip(day: date, fmt: str) -> None:
    assert parse_incident_date(day.strftime(fmt), now=NOW).value == day.isoformat()
    assert parse_date(day.strftime(fmt), now=NOW).value == day


@FUZZ
@given(days_in_range, st.sampled_from(SUPPORTED_LOCALES), st.booleans())
def test_dates_the_bot_shows_can_be_typed_back(day: date, locale: str, month_only: bool
                                               ) -> None:
    """The Keep button and the month buttons show incident_date_label(value): typed back
    (a user copying what they see), it is the same date."""
    value = day.isoformat()[:7] if month_only else day.isoformat()
    shown = incident_date_label(value, CATALOGS.get(locale).format_date)
    assert parse_incident_date(shown, now=NOW).value == value, shown


@FUZZ
@given(st.integers(0, 400))
def test_relative_days_round_trip(days: int) -> None:
    expected = (TODAY - timedelta(days=days)).isoformat()
    for text in (f"{days} дня назад", f"{days} рӯз пеш", f"{days} days ago"):
        assert parse_incident_date(text, now=NOW).value == expected, text


@FUZZ
@given(st.integers(2020 * 12, 2026 * 12 + 11))
def test_month_round_trip(index: int) -> None:
    month = Month(index // 12, index % 12 + 1)
    assert parse_incident_date(month.iso(), now=NOW).value == month.iso()
    assert parse_incident_date(f"{month.month:02d}.{month.year}", now=NOW).value == month.iso()


# --- people -----------------------------------------------------------------------------

@FUZZ
@given(st.one_of(any_text, st.text(st.sampled_from("0123456789-., ²٣"), max_size=4096),
                 st.lists(st.sampled_from(["двадцать", "пять", "бисту", "панҷ", "сто",
                                           "twenty", "one", "hundred", "нафар", "people",
                                           "-", "0", "3", "10000", "10001", "²"]),
                          max_size=8).map(" ".join)))
@example("9" * 4096)  # the longest run of digits one Telegram message can carry
def test_people_count_is_none_or_in_range(text: str) -> None:
    people = d.parse_people(text)
    assert people is None or (people.isascii() and people.isdigit()
                              and 1 <= int(people) <= d.MAX_TYPED_PEOPLE), people


@FUZZ
@given(st.integers(1, d.MAX_TYPED_PEOPLE),
       st.sampled_from(["{}", "мо {} нафар будем", "нас было {}", "about {} people",
                        "{} нафар", "  {}  "]))
def test_people_count_round_trips(count: int, phrase: str) -> None:
    assert d.parse_people(phrase.format(count)) == str(count)
    assert d.parse_people(d.people_label(str(count))) == str(count)


# --- callback data ------------------------------------------------------------------------

@FUZZ
@given(st.one_of(any_text, st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
                 st.text(st.sampled_from(":rpkbmenu0123456789²\x00"), max_size=80)))
def test_unpack_never_raises(data: str) -> None:
    callback = unpack(data)
    if len(data.encode("utf-8")) > MAX_BYTES or not data:
        assert callback is None
    if callback is not None:
        assert callback.namespace and ":" not in callback.namespace
        assert all(":" not in arg for arg in callback.args)


segment = st.text(st.characters(exclude_categories=("Cs",), exclude_characters=":"),
                  max_size=20)


@FUZZ
@given(segment.filter(bool), st.lists(segment, max_size=6))
def test_pack_round_trips_or_refuses(namespace: str, args: list[str]) -> None:
    data = ":".join([namespace, *args])
    if len(data.encode("utf-8")) > MAX_BYTES:
        with pytest.raises(CallbackDataTooLong):
            pack(namespace, *args)
        return
    packed = pack(namespace, *args)
    assert 1 <= len(packed.encode("utf-8")) <= MAX_BYTES
    assert unpack(packed) == Callback(namespace, tuple(args))


# --- ticket references, periods, days ---------------------------------------------------


@FUZZ
@given(st.one_of(short_text, st.text(st.sampled_from("Tt-#0123456789²①٣ "), max_size=20)))
@example("T-²")
def test_ticket_ref_never_raises(text: str) -> None:
    ticket_id = parse_ticket_ref(text)
    assert ticket_id is None or 0 < ticket_id < 2**53


@FUZZ
@given(st.integers(1, 2**53 - 1))
def test_ticket_ref_round_trips(ticket_id: int) -> None:
    assert parse_ticket_ref(ticket_ref(ticket_id)) == ticket_id
    assert parse_ticket_ref(ticket_ref(ticket_id).lower()) == ticket_id


@FUZZ
@given(st.lists(st.text(st.sampled_from("0123456789²①٣x"), max_size=6), max_size=3),
       st.integers(0, 3))
@example(["²"], 0)
def test_broadcast_button_id_never_raises(args: list[str], index: int) -> None:
    value = broadcast_rules.parse_args(tuple(args), index)
    assert value is None or value >= 0


@FUZZ
@given(st.one_of(short_text,
                 st.text(st.sampled_from("0123456789-.d allmonth²٣"), max_size=30)))
def test_period_parser_never_raises(text: str) -> None:
    period = parse_period(text, TODAY)
    if period is not None:
        assert period.since is None or period.until is None or period.since <= period.until
        assert parse_period(period.key, TODAY) == period  # the key reads back the same


@FUZZ
@given(st.lists(st.one_of(short_text, st.text(st.sampled_from("0123456789d ²"),
                                              max_size=8)), max_size=3))
def test_unanswered_days_never_raise(args: list[str]) -> None:
    days = parse_days(args)
    assert days is None or 1 <= days <= MAX_DAYS
