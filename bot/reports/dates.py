"""Reading the date of an incident as people type it, in Tajik, Russian or English.

Day-first numeric dates (05.02.2025, 5/2/25), ISO (2025-02-05) and month names in
any of the three languages and their usual endings (5 February, 5 февраля,
5 феврали, 5-уми феврал 2025), also typed in Latin letters (5 fevral, 3 dekabr).
Relative days as people say them: "вчера вечером", "сегодня утром", "3 дня назад",
"3 рӯз пеш", "se ruz pesh", "3 days ago", "a week ago". A date without a year means its
latest occurrence that is not in the future. Dates before 2020 and in the future are
refused.

Someone who does not remember the day may give the month: "декабрь 2025", "12.2025",
"dekabr", "last month". Such a date is kept as ``YYYY-MM`` (ISO 8601 with month
precision); :func:`parse_incident_date` returns either form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import Enum

EARLIEST = date(2020, 1, 1)
# Most users are in Russia; "today" follows Moscow time (UTC+3, no daylight saving).
MOSCOW = timedelta(hours=3)
# A date is refused as "future" only once it has not begun anywhere in Russia
# (Kamchatka, UTC+12): a worker in Novosibirsk must not be told their today is tomorrow.
LATEST_OFFSET = timedelta(hours=12)


class DateProblem(Enum):
    UNREADABLE = "unreadable"
    NO_SUCH_DAY = "no_such_day"  # e.g. 30 February or 29.02.2025
    FUTURE = "future"
    TOO_OLD = "too_old"


@dataclass(frozen=True)
class DateResult:
    value: date | None = None
    problem: DateProblem | None = None

    @property
    def ok(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def iso(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def minus(self, months: int) -> Month:
        index = self.year * 12 + self.month - 1 - months
        return Month(index // 12, index % 12 + 1)


@dataclass(frozen=True)
class IncidentDateResult:
    """``value`` is ``YYYY-MM-DD``, or ``YYYY-MM`` when only the month is known."""

    value: str | None = None
    problem: DateProblem | None = None


def is_month_only(value: str) -> bool:
    return len(value) == 7


def incident_day(value: str) -> date:
    """A stored incident date as a day: the first of the month for ``YYYY-MM``."""
    return date.fromisoformat(value + "-01" if is_month_only(value) else value)


def moscow_today(now: datetime | None = None) -> date:
    return ((now or datetime.now(UTC)) + MOSCOW).date()


def latest_allowed(now: datetime | None = None) -> date:
    return ((now or datetime.now(UTC)) + LATEST_OFFSET).date()


# Month forms by number. A typed word is a month when one of these starts with it
# (abbreviations: "фев", "sept") or it starts with one of them (case endings:
# "февраля", "феврали", "марте").
_MONTH_FORMS: dict[int, tuple[str, ...]] = {
    1: ("january", "январь", "января", "январ"),
    2: ("february", "февраль", "февраля", "феврал"),
    3: ("march", "март", "марта"),
    4: ("april", "апрель", "апреля", "апрел"),
    5: ("may", "май", "мая"),
    6: ("june", "июнь", "июня", "июн"),
    7: ("july", "июль", "июля", "июл"),
    8: ("august", "август", "августа"),
    9: ("september", "sept", "сентябрь", "сентября", "сентябр"),
    10: ("october", "октябрь", "октября", "октябр"),
    11: ("november", "ноябрь", "ноября", "ноябр"),
    12: ("december", "декабрь", "декабря", "декабр"),
}
# The same months typed in Latin letters, as Russian and Tajik speakers do on phones.
_LATIN_MONTHS: dict[int, tuple[str, ...]] = {
    1: ("yanvar", "janvar"), 2: ("fevral", "fev"), 3: ("mart",), 4: ("aprel",),
    6: ("iyun", "iun"), 7: ("iyul", "iul"), 8: ("avgust",), 9: ("sentyabr", "sentabr"),
    10: ("oktyabr", "oktabr"), 11: ("noyabr", "noabr"), 12: ("dekabr",),
}
# Stems long enough that anything starting with them is that month.
_MONTH_STEMS: dict[int, tuple[str, ...]] = {
    1: ("январ", "januar"), 2: ("феврал", "februar"), 3: ("март", "march"),
    4: ("апрел", "april"), 6: ("июн", "june"), 7: ("июл", "july"),
    8: ("август", "august"), 9: ("сентябр", "septemb"), 10: ("октябр", "octob"),
    11: ("ноябр", "novemb"), 12: ("декабр", "decemb"),
}
_MAY_FORMS = {"may", "май", "мая", "мае", "майи", "маи", "mai", "maya", "mayi"}

_RELATIVE: dict[str, int] = {
    "today": 0, "сегодня": 0, "имрӯз": 0, "имруз": 0, "segodnya": 0, "sevodnya": 0,
    "imruz": 0, "imroz": 0,
    "yesterday": 1, "вчера": 1, "дирӯз": 1, "дируз": 1, "vchera": 1, "diruz": 1, "diroz": 1,
    "позавчера": 2, "парерӯз": 2, "парируз": 2, "пареруз": 2, "pozavchera": 2, "pareruz": 2,
    "pariruz": 2,
}
# Parts of the day said with a relative day ("вчера вечером"): they do not change it.
_PART_OF_DAY = {
    "утром", "днем", "днём", "вечером", "ночью", "утра", "вечера", "ночи", "morning",
    "evening", "night", "afternoon", "in", "at", "this", "last", "субҳ", "субҳи", "субх",
    "саҳар", "шом", "шаб", "бегоҳ", "бегоҳи", "бегоҳӣ", "рӯзона", "utrom", "vecherom",
    "nochyu", "dnem", "subh", "shom", "shab", "begoh",
}
# "N days ago" in each language, in Cyrillic and Latin letters.
_DAY_WORDS = {"day", "days", "день", "дня", "дней", "рӯз", "руз", "рез", "den", "dnya",
              "dney", "ruz", "roz", "rӯz"}
_WEEK_WORDS = {"week", "weeks", "неделю", "недели", "недель", "неделя", "ҳафта", "хафта",
               "nedelyu", "nedeli", "nedel", "hafta"}
_SINGULAR_UNITS = {"day", "week", "неделю", "nedelyu", "ҳафта", "хафта", "hafta"}
_AGO_WORDS = {"ago", "назад", "пеш", "қабл", "nazad", "pesh", "qabl"}
_NUMBER_WORDS: dict[str, int] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "один": 1, "одна": 1, "одну": 1, "два": 2, "две": 2, "три": 3, "четыре": 4, "пять": 5,
    "шесть": 6, "семь": 7, "восемь": 8, "девять": 9, "десять": 10,
    "dva": 2, "dve": 2, "tri": 3, "chetyre": 4, "pyat": 5,
    "як": 1, "ду": 2, "се": 3, "чор": 4, "панҷ": 5, "панч": 5, "шаш": 6, "ҳафт": 7,
    "хафт": 7, "ҳашт": 8, "хашт": 8, "нӯҳ": 9, "нух": 9, "даҳ": 10, "дах": 10,
    "yak": 1, "du": 2, "se": 3, "chor": 4, "panj": 5, "shash": 6, "haft": 7, "hasht": 8,
    "nuh": 9, "dah": 10,
}
MAX_DAYS_AGO = 3660
# Words that may surround a date without changing it.
_FILLER = {
    "г", "гг", "год", "года", "году", "сол", "соли", "с", "of", "the", "on", "year",
    "числа", "рӯзи", "рузи", "sana", "сана", "санаи", "в", "дар", "th", "st", "nd", "rd",
    "моҳи", "мохи", "mohi", "месяц", "месяце", "month", "in",
}

_MONTH_YEAR = re.compile(r"^(\d{1,2})[-./](\d{4})$")
_YEAR_MONTH = re.compile(r"^(\d{4})[-./](\d{1,2})$")
_RELATIVE_MONTHS: dict[str, int] = {
    "this month": 0, "в этом месяце": 0, "этот месяц": 0, "ҳамин моҳ": 0, "хамин мох": 0,
    "hamin moh": 0, "v etom mesyatse": 0,
    "last month": 1, "в прошлом месяце": 1, "прошлый месяц": 1, "моҳи гузашта": 1,
    "мохи гузашта": 1, "mohi guzashta": 1, "v proshlom mesyatse": 1, "proshlyy mesyats": 1,
}
_ISO = re.compile(r"^(\d{4})[-./](\d{1,2})[-./](\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})[-./](\d{1,2})(?:[-./](\d{2}|\d{4}))?$")
_ORDINAL_SUFFIX = re.compile(r"^(\d{1,2})(?:-?(?:го|ого|е|ое|ум|уми|юм|юми|th|st|nd|rd))?$")


def _month_of(word: str) -> int | None:
    if word in _MAY_FORMS:
        return 5
    if len(word) < 3:
        return None
    latin = {month for month, stems in _LATIN_MONTHS.items()
             if any(word.startswith(stem) for stem in stems)}
    if len(latin) == 1:
        return latin.pop()
    found = {
        month
        for month, forms in _MONTH_FORMS.items()
        if month != 5 and any(form.startswith(word) for form in forms)
    }
    found |= {
        month
        for month, stems in _MONTH_STEMS.items()
        if any(word.startswith(stem) for stem in stems)
    }
    return found.pop() if len(found) == 1 else None


def _normalise(text: str) -> str:
    text = text.lower().replace("ё", "е").strip()
    return re.sub(r"[,()\u00a0]", " ", text).strip(" .")


def parse_date(text: str, *, now: datetime | None = None) -> DateResult:
    """Read ``text`` as a date of an incident and check it is within the allowed range."""
    today = moscow_today(now)
    candidate = _read(text, today)
    if isinstance(candidate, Month):
        return DateResult(problem=DateProblem.UNREADABLE)
    if isinstance(candidate, DateProblem):
        return DateResult(problem=candidate)
    return _checked(candidate, now)


def parse_incident_date(text: str, *, now: datetime | None = None) -> IncidentDateResult:
    """A day or, when that is all the person remembers, a month and year."""
    candidate = _read(text, moscow_today(now))
    if isinstance(candidate, DateProblem):
        return IncidentDateResult(problem=candidate)
    if isinstance(candidate, Month):
        if candidate.first_day < EARLIEST:
            return IncidentDateResult(problem=DateProblem.TOO_OLD)
        if candidate.first_day > latest_allowed(now):
            return IncidentDateResult(problem=DateProblem.FUTURE)
        return IncidentDateResult(value=candidate.iso())
    result = _checked(candidate, now)
    return IncidentDateResult(value=result.value.isoformat() if result.value else None,
                              problem=result.problem)


def current_month(now: datetime | None = None) -> Month:
    today = moscow_today(now)
    return Month(today.year, today.month)


def _checked(candidate: date, now: datetime | None) -> DateResult:
    if candidate < EARLIEST:
        return DateResult(problem=DateProblem.TOO_OLD)
    if candidate > latest_allowed(now):
        return DateResult(problem=DateProblem.FUTURE)
    return DateResult(value=candidate)


def _read(text: str, today: date) -> date | Month | DateProblem:
    norm = _normalise(text)
    if not norm or len(norm) > 40:
        return DateProblem.UNREADABLE
    if (days_ago := _relative_days(norm)) is not None:
        if days_ago > MAX_DAYS_AGO:
            return DateProblem.TOO_OLD
        return today - timedelta(days=days_ago)
    if (months_ago := _RELATIVE_MONTHS.get(" ".join(re.split(r"[\s-]+", norm)))) is not None:
        return Month(today.year, today.month).minus(months_ago)

    compact = re.sub(r"\s*([-./])\s*", r"\1", norm)
    compact = re.sub(r"\s*(г|года|год|сол)\.?$", "", compact).strip()
    if match := _ISO.match(compact):
        return _make(int(match[1]), int(match[2]), int(match[3]))
    if match := _MONTH_YEAR.match(compact):
        return _month(int(match[2]), int(match[1]))
    if match := _YEAR_MONTH.match(compact):
        return _month(int(match[1]), int(match[2]))
    if match := _DMY.match(compact):
        day, month = int(match[1]), int(match[2])
        if match[3] is None:
            return _latest_past(day, month, today)
        year = int(match[3])
        return _make(year + 2000 if year < 100 else year, month, day)
    return _read_words(norm, today)


def _relative_days(norm: str) -> int | None:
    """How many days ago "вчера вечером", "3 рӯз пеш", "a week ago" mean, or None."""
    words = [word for word in re.split(r"[\s-]+", norm) if word and word not in _PART_OF_DAY]
    if len(words) == 1 and words[0] in _RELATIVE:
        return _RELATIVE[words[0]]
    if not words or words[-1] not in _AGO_WORDS:
        return None
    words = words[:-1]
    count = 1
    if len(words) == 2:
        number, unit = words
        if number.isdecimal() and len(number) <= 4:
            count = int(number)
        elif number in _NUMBER_WORDS:
            count = _NUMBER_WORDS[number]
        else:
            return None
    elif len(words) == 1 and words[0] in _SINGULAR_UNITS:  # "a week ago" without "a"
        unit = words[0]
    else:
        return None
    if unit in _DAY_WORDS:
        return count
    if unit in _WEEK_WORDS:
        return count * 7
    return None


def _read_words(norm: str, today: date) -> date | DateProblem:
    tokens = [token for token in re.split(r"[\s./-]+", norm) if token]
    day: int | None = None
    month: int | None = None
    year: int | None = None
    for token in tokens:
        if token in _FILLER:
            continue
        if re.fullmatch(r"\d{4}", token):
            if year is not None:
                return DateProblem.UNREADABLE
            year = int(token)
            continue
        if (match := _ORDINAL_SUFFIX.match(token)) and day is None:
            day = int(match[1])
            continue
        if token.isdecimal() and len(token) <= 2 and day is not None and month is None:
            month = int(token)  # "05 02 2025": spaces instead of dots
            continue
        # "5-уми" splits into "5" and "уми": an ordinal ending on its own.
        if token in {"го", "ого", "е", "ое", "ум", "уми", "юм", "юми"} and day is not None:
            continue
        found = _month_of(token)
        if found is None or month is not None:
            return DateProblem.UNREADABLE
        month = found
    if month is None:
        return DateProblem.UNREADABLE
    if day is None:  # "декабрь 2025", "dekabr": only the month is remembered
        if year is None:
            this = Month(today.year, today.month)
            return Month(this.year if month <= this.month else this.year - 1, month)
        return _month(year, month)
    if year is None:
        return _latest_past(day, month, today)
    return _make(year, month, day)


def _month(year: int, month: int) -> Month | DateProblem:
    return Month(year, month) if 1 <= month <= 12 and year >= 1 else DateProblem.UNREADABLE


def _make(year: int, month: int, day: int) -> date | DateProblem:
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        return DateProblem.UNREADABLE
    try:
        return date(year, month, day)
    except ValueError:
        return DateProblem.NO_SUCH_DAY


def _latest_past(day: int, month: int, today: date) -> date | DateProblem:
    """The most recent day/month not after today (29 February: the last leap year)."""
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        return DateProblem.UNREADABLE
    for year in range(today.year, today.year - 8, -1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate <= today:
            return candidate
    return DateProblem.NO_SUCH_DAY
