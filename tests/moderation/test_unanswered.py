"""The editors' view: the period, near-duplicate grouping, rendering and its storage."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime

import pytest

from bot.crypto import ReportKeys
from bot.i18n import Catalogs
from bot.kb.loader import load_knowledge_base
from bot.moderation.unanswered import (
    MESSAGE_LIMIT,
    QUESTION_CHARS,
    SCAN_LIMIT,
    TOP,
    QuestionGroup,
    article_titles,
    group_questions,
    near_duplicates,
    opened_questions,
    pack,
    parse_days,
    question_key,
    render_view,
    shorten,
    since_iso,
)
from bot.sealing import open_question, seal_question
from bot.storage import Database
from bot.storage.questions import UNANSWERED_TEXT_CHARS, FeedbackSummary, UnansweredQuestion
from bot.telegram_html import parse_html, utf16_len

KB = load_knowledge_base()
_clock = itertools.count()


def q(text: str, lang: str = "ru", reason: str = "not_found", best: tuple[str, ...] = (),
      at: str | None = None) -> UnansweredQuestion:
    if at is None:  # each a second later than the one before
        n = next(_clock)
        at = f"2026-11-{1 + n // 86400 % 28:02d}T{n // 3600 % 24:02d}:{n // 60 % 60:02d}:" \
             f"{n % 60:02d}+00:00"
    return UnansweredQuestion(text, lang, best, reason, at)


# --- the period -----------------------------------------------------------------------

@pytest.mark.parametrize(("args", "days"), [
    ([], 30), (["7"], 7), (["7d"], 7), (["90D"], 90), (["1"], 1), (["3660"], 3660),
    ([" 14 "], 14),
    (["0"], None), (["3661"], None), (["-5"], None), (["week"], None), (["7", "8"], None),
    (["2026-11"], None),
])
def test_parse_days(args: list[str], days: int | None) -> None:
    assert parse_days(args) == days


def test_since_is_sortable_like_the_stored_timestamps() -> None:
    now = datetime(2026, 12, 6, 10, 30, 15, 123456, tzinfo=UTC)
    assert since_iso(30, now) == "2026-11-06T10:30:15+00:00"
    assert "2026-11-06T10:30:14+00:00" < since_iso(30, now) <= "2026-11-06T10:30:15+00:00"


# --- near-duplicates -------------------------------------------------------------------

SAME = [
    # Russian: typos, punctuation, case, Latin letters, a word left out or added
    (("как продлить патент на работу", "ru"), ("как продлит патэнт на работу?", "ru")),
    (("как продлить патент на работу", "ru"), ("kak prodlit patent na rabotu", "ru")),
    (("Как продлить патент на работу?", "ru"), ("как продлить патент", "ru")),
    (("сколько стоит патент в москве", "ru"), ("сколко стоит патент в масскве", "ru")),
    (("что делать если потерял паспорт", "ru"), ("што делать если потерял пасспорт", "ru")),
    (("где можно сделать медицинскую справку для патента", "ru"),
     ("где можно сделать медицинску справку для патента в москве", "ru")),
    # Tajik: with and without its letters, in Latin, with typos
    (("чӣ тавр патентро дароз кунам", "tg"), ("чи тавр патенро дароз кунам", "tg")),
    (("чӣ тавр патентро дароз кунам", "tg"), ("chi tavr patentro daroz kunam", "tg")),
    (("Бе патент чанд рӯз мондан мумкин аст?", "tg"), ("бе патент чанд руз мондан мумкин", "tg")),
    (("шиносномаамро гум кардам чӣ кор кунам", "tg"),
     ("шиносномамро гум кардам чи кор кунм", "tg")),
    # English: typos (a transposition too), another small word
    (("how do I renew my patent", "en"), ("how do i renew my patnet??", "en")),
    (("how do I renew my patent", "en"), ("How can I renew my patent?", "en")),
    (("what's the weather in Dushanbe tomorrow?", "en"),
     ("whats the wether in dushanbe tomorow", "en")),
    (("my boss does not pay my salary", "en"), ("my boss doesnt pay my salary", "en")),
    (("where can I get a medical certificate", "en"),
     ("where can i get medical certficate", "en")),
]

DIFFERENT = [
    (("как продлить патент", "ru"), ("сколько стоит патент", "ru")),
    # a short question is not the same as every longer one that contains its words
    (("патент", "ru"), ("как продлить патент на работу", "ru")),
    (("регистрация", "ru"), ("регистрация патент", "ru")),
    # one word swapped for another, even a similar looking one
    (("что делать если потерял паспорт", "ru"), ("что делать если потерял патент", "ru")),
    (("можно ли работать без патента", "ru"), ("можно ли работать без регистрации", "ru")),
    (("где получить миграционную карту", "ru"), ("где получить медицинскую справку", "ru")),
    (("чӣ тавр патентро дароз кунам", "tg"), ("патент чанд пул аст", "tg")),
    (("шиносномаамро гум кардам чи кор кунам", "tg"),
     ("патентамро гум кардам чи кор кунам", "tg")),
    (("how do I renew my patent", "en"), ("how do I get a patent", "en")),
    (("what's the weather in Dushanbe tomorrow?", "en"),
     ("what's the weather in Moscow tomorrow?", "en")),
    (("can my employer take my passport", "en"), ("can police take my passport", "en")),
    (("my boss does not pay my salary", "en"), ("my boss took my passport", "en")),
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_near_duplicates_with_typos_match(a: tuple[str, str], b: tuple[str, str]) -> None:
    assert near_duplicates(question_key(*a), question_key(*b))
    assert near_duplicates(question_key(*b), question_key(*a))


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_different_questions_do_not_match(a: tuple[str, str], b: tuple[str, str]) -> None:
    assert not near_duplicates(question_key(*a), question_key(*b))
    assert not near_duplicates(question_key(*b), question_key(*a))


def test_key_folds_like_the_search() -> None:
    assert question_key("Чӣ ҲОЛ аст?!", "tg") == question_key("чи хол аст", "tg") == "чи хол аст"
    assert question_key("Объём, ещё", "ru") == "обем еще"
    assert question_key("🙏🙏", "ru") == "🙏🙏"  # nothing to fold: not lumped with other emoji


def test_grouping_in_three_languages() -> None:
    questions = [
        q("как продлить патент на работу?", "ru"),
        q("как продлит патэнт на работу", "ru"),
        q("kak prodlit patent na rabotu", "ru"),
        q("сколько стоит патент", "ru"),
        q("чӣ тавр патентро дароз кунам", "tg"),
        q("чи тавр патенро дароз кунам", "tg"),
        q("how do I renew my patent", "en"),
        q("how do i renew my patnet??", "en"),
        q("what's the weather in Dushanbe tomorrow?", "en"),
        q("what's the weather in Moscow tomorrow?", "en"),
    ]
    groups = group_questions(questions)
    members = [sorted(x.question for x in g.questions) for g in groups]
    assert members == [
        sorted(["как продлить патент на работу?", "как продлит патэнт на работу",
                "kak prodlit patent na rabotu"]),
        ["how do I renew my patent", "how do i renew my patnet??"],
        ["чи тавр патенро дароз кунам", "чӣ тавр патентро дароз кунам"],
        ["what's the weather in Moscow tomorrow?"],  # the newer of the two singles
        ["what's the weather in Dushanbe tomorrow?"],
        ["сколько стоит патент"],
    ]
    assert [g.count for g in groups] == [3, 2, 2, 1, 1, 1]
    assert sum(g.count for g in groups) == len(questions)


def test_the_most_asked_wording_leads_and_represents() -> None:
    questions = [q("Патент?"), q("патент"), q("ПАТЕНТ!"), q("патент"), q("патэнт")]
    [group] = group_questions(questions)
    assert group.key == "патент" and group.count == 5
    assert group.representative() == "патент"  # asked twice in exactly this form
    # Of equally frequent texts, the newest.
    [group] = group_questions([q("Патент?"), q("патент"), q("ПАТЕНТ!")])
    assert group.representative() == "ПАТЕНТ!"


def test_group_facts() -> None:
    group = QuestionGroup("патент", [
        q("патент", "ru", "unsure", ("work.patent", "work.patent_payment")),
        q("патент", "tg", "unsure", ("work.patent_payment", "rights.scams")),
        q("патент", "ru", "unsure", ("work.patent_payment",)),
        q("патент", "ru", "not_found"),
    ])
    assert group.languages() == ["ru", "tg"]
    assert group.reasons() == [("unsure", 3), ("not_found", 1)]
    # the most often offered first, then the better ranked
    assert group.articles() == ["work.patent_payment", "work.patent", "rights.scams"]


def test_many_different_questions_group_quickly() -> None:
    import time

    words = ["патент", "работа", "москва", "где", "сколько", "стоит", "получить", "продлить",
             "регистрация", "паспорт", "полиция", "карта", "справка", "экзамен", "штраф",
             "запрет", "въезд", "банк", "перевод"]
    questions = [q(" ".join(words[(i * k) % len(words)] for k in range(1, 2 + i % 9)))
                 for i in range(SCAN_LIMIT)]
    started = time.perf_counter()
    groups = group_questions(questions)
    assert sum(g.count for g in groups) == SCAN_LIMIT
    assert time.perf_counter() - started < 10  # about a second on a slow machine


# --- rendering --------------------------------------------------------------------------

CATALOGS = Catalogs.load()
EN = CATALOGS.get("en")


def render(groups: list[QuestionGroup], feedback: list[FeedbackSummary], *, days: int = 30,
           total: int | None = None, grouped: int | None = None, locale: str = "en"
           ) -> list[str]:
    tr = CATALOGS.get(locale)
    count = sum(g.count for g in groups)
    return render_view(groups, feedback, days=days,
                       total=count if total is None else total,
                       grouped=count if grouped is None else grouped,
                       _=tr.gettext, ngettext=tr.ngettext, title_of=article_titles(KB, locale))


def check_messages(messages: list[str]) -> str:
    """Every message valid Telegram HTML within the limit; their visible text joined."""
    assert messages
    texts = []
    for message in messages:
        assert len(message) <= MESSAGE_LIMIT
        plain, _entities = parse_html(message)
        assert 0 < utf16_len(plain) <= MESSAGE_LIMIT
        texts.append(plain)
    return "\n".join(texts)


def test_render_groups_and_feedback() -> None:
    groups = group_questions([
        q("where can I buy a cheap ticket to Dushanbe", "en"),
        q("wher can i buy cheap tickets to dushanbe", "en"),
        q("patent", "en", "unsure", ("work.patent", "work.patent_payment", "rights.scams")),
    ])
    feedback = [FeedbackSummary("entry.stay_limit", helpful=2, not_helpful=3),
                FeedbackSummary("gone.article", helpful=0, not_helpful=1)]
    messages = render(groups, feedback, days=7)
    assert len(messages) == 1
    text = check_messages(messages)
    assert "Questions the bot could not answer in the last 7 days" in text
    assert "3 questions in all." in text
    assert "1. ×2 · en · not found\nwher can i buy cheap tickets to dushanbe" in text \
        or "1. ×2 · en · not found\nwhere can I buy a cheap ticket to Dushanbe" in text
    titles = "; ".join(KB.article(a).text("en").title  # type: ignore[union-attr]
                       for a in ("work.patent", "work.patent_payment", "rights.scams"))
    assert f"2. ×1 · en · not sure\npatent\nHesitated between: {titles}" in text
    stay = KB.article("entry.stay_limit").text("en").title  # type: ignore[union-attr]
    assert "Articles with the most 👎 in the last 7 days" in text
    assert f"1. {stay} — 👎 3 · 👍 2" in text
    assert "2. gone.article — 👎 1 · 👍 0" in text  # an article no longer in the base
    assert "Only the latest" not in text


def test_titles_in_the_moderators_language() -> None:
    feedback = [FeedbackSummary("entry.stay_limit", helpful=0, not_helpful=1)]
    for locale in ("tg", "ru"):
        text = check_messages(render([], feedback, locale=locale))
        assert KB.article("entry.stay_limit").text(locale).title in text  # type: ignore[union-attr]


def test_mixed_reasons_show_both() -> None:
    groups = group_questions([q("патент", reason="unsure", best=("work.patent",)),
                              q("патент"), q("патент")])
    text = check_messages(render(groups, []))
    assert "×3 · ru · not found (2), not sure (1)" in text
    assert "Hesitated between: " in text


def test_empty_period() -> None:
    text = check_messages(render([], [], days=1))
    assert "Questions the bot could not answer in the last 1 day" in text
    assert "No unanswered questions in the last 1 day." in text
    assert "No answer was marked 👎 in the last 1 day." in text
    text = check_messages(render([], [], days=30))
    assert "No unanswered questions in the last 30 days." in text


def test_user_text_is_escaped_never_markup() -> None:
    evil = '<b>bold</b> & <a href="tg://user?id=1">me</a> &amp; </i><i>'
    groups = group_questions([q(evil, "en"), q(evil, "en")])
    [message] = render(groups, [])
    assert "<b>bold</b>" not in message and "<a href" not in message
    plain, entities = parse_html(message)
    assert evil in plain  # shown exactly as typed
    assert all(e["type"] in {"bold", "italic"} for e in entities)
    assert not any(e["type"] in {"text_link", "text_mention"} for e in entities)


def test_long_questions_are_cut() -> None:
    long = "почему " + "очень " * 100 + "долго"
    groups = group_questions([q(long)])
    plain, _ = parse_html(render(groups, [])[0])
    shown = next(line for line in plain.splitlines() if line.startswith("почему"))
    assert QUESTION_CHARS - 2 <= len(shown) <= QUESTION_CHARS and shown.endswith("…")
    assert shorten("  a\n b  ", 10) == "a b"
    assert shorten("abcdef", 4) == "abc…"


def test_worst_case_stays_within_the_limit() -> None:
    # Many groups of the longest questions, each full of characters that escaping makes
    # five times longer, every one "unsure" between three long titles.
    questions = []
    for n in range(TOP + 5):
        text = f"{n} " + " ".join(f"&<>{chr(0x41 + n)}{i}" for i in range(120))
        questions += [q(text, "en", "unsure", ("work.patent", "work.patent_payment",
                                               "rights.scams"))] * (TOP + 5 - n)
    groups = group_questions(questions)
    assert len(groups) == TOP + 5
    feedback = [FeedbackSummary(f"a&<>{'x' * 200}{n}", n, 100 - n) for n in range(TOP)]
    messages = render(groups, feedback, total=5000, grouped=len(questions))
    assert len(messages) > 1
    text = check_messages(messages)
    assert "… and 5 more" in text
    assert f"Only the latest {len(questions)} of them were grouped." in text
    assert "5000 questions in all." in text
    assert text.count("×") == TOP  # ten groups shown
    assert len(re.findall(r"— 👎 \d+ · 👍 \d+", text)) == TOP


def test_pack_breaks_only_between_blocks() -> None:
    blocks = ["a" * 30, "b" * 30, "c" * 30]
    assert pack([(blocks, "\n\n")], limit=70) == ["a" * 30 + "\n\n" + "b" * 30, "c" * 30]
    assert pack([(["h"], "\n"), (["x", "y"], "\n")]) == ["h\n\nx\ny"]


# --- storage ----------------------------------------------------------------------------

async def test_storage_reads_a_period_with_limits(db: Database,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    clock = iter(f"2026-11-{day:02d}T12:00:00+00:00" for day in range(1, 29))
    monkeypatch.setattr("bot.storage.questions.now_iso", lambda: next(clock))
    questions = db.questions
    keys = ReportKeys.from_master(b"k" * 32)

    async def add(text: str, lang: str, ids: list[str], reason: str) -> None:
        await questions.add_unanswered(lambda row: seal_question(keys, row, text), "owner",
                                       lang, ids, reason)

    await add("old", "en", [], "not_found")  # 1 Nov
    await add("патент", "ru", ["work.patent", "rights.scams"], "unsure")
    await add("x" * 3000, "tg", [], "not_found")  # 3 Nov
    await questions.add_feedback("work.patent", False, "ru")  # 4 Nov
    await questions.add_feedback("old.article", False, "en")  # 5 Nov
    await questions.add_feedback("entry.stay_limit", False, "en")  # 6 Nov
    await questions.add_feedback("entry.stay_limit", True, "en")
    await questions.add_feedback("entry.stay_limit", False, "tg")
    await questions.add_feedback("work.patent", True, "ru")  # 9 Nov
    await questions.add_feedback("work.patent", True, "ru")
    await questions.add_feedback("help.contacts", True, "ru")  # only 👍: not listed

    since = "2026-11-02T00:00:00+00:00"
    rows = opened_questions(await questions.unanswered_since(since), keys)
    assert [(r.question[:6], r.lang, r.best_ids, r.reason) for r in rows] == [
        ("xxxxxx", "tg", (), "not_found"),
        ("патент", "ru", ("work.patent", "rights.scams"), "unsure")]
    assert len(rows[0].question) == UNANSWERED_TEXT_CHARS
    assert rows[1].created_at == "2026-11-02T12:00:00+00:00"
    assert [r.question for r in opened_questions(
        await questions.unanswered_since(since, limit=1), keys)] == ["x" * UNANSWERED_TEXT_CHARS]
    # Sealed and bound to its row: another row's blob does not open.
    stored = await questions.unanswered_since(since)
    assert stored[0].sealed is not None and b"xxxx" not in stored[0].sealed
    assert open_question(keys, stored[1].id, stored[0].sealed) is None
    assert await questions.count_unanswered_since(since) == 2
    assert await questions.count_unanswered_since("2026-11-01T00:00:00+00:00") == 3

    assert await questions.most_unhelpful_since(since) == [
        FeedbackSummary("entry.stay_limit", helpful=1, not_helpful=2),
        FeedbackSummary("old.article", helpful=0, not_helpful=1),
        FeedbackSummary("work.patent", helpful=2, not_helpful=1),
    ]
    assert await questions.most_unhelpful_since("2026-11-05T00:00:00+00:00", limit=2) == [
        FeedbackSummary("entry.stay_limit", helpful=1, not_helpful=2),
        FeedbackSummary("old.article", helpful=0, not_helpful=1),
    ]
    assert await questions.most_unhelpful_since("2026-11-06T00:00:00+00:00") == [
        FeedbackSummary("entry.stay_limit", helpful=1, not_helpful=2),
    ]
    assert await questions.most_unhelpful_since("2026-12-01T00:00:00+00:00") == []
