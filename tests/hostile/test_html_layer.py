"""Property tests of the HTML layer: whatever a user typed, every message built from it is
valid Telegram HTML within Telegram's limits, with the user's text shown as text.

"Valid" is decided by the strict fake's own checks (``bot.fakeapi.validation``: the HTML
parser of ``bot.telegram_html``, Telegram's trimming, 1-4096 characters, inline keyboards
with 1-64 byte callback data), so these are the answers the fake would give the bot.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import InlineKeyboardMarkup

from bot.fakeapi.validation import message_text, reply_markup
from bot.i18n import SUPPORTED_LOCALES, Catalogs
from bot.moderation.card import CardData, render_card
from bot.moderation.unanswered import QUESTION_CHARS, group_questions, render_view
from bot.reports import draft as d
from bot.reports.draft import Draft, Evidence
from bot.reports.places import default_places
from bot.reports.screens import step_screen
from bot.reports.service import Note, ReportContent
from bot.reports.summary import SUMMARY_DESCRIPTION_PREVIEW, render_announcement
from bot.storage.questions import FeedbackSummary, UnansweredQuestion
from bot.storage.reports import ReportRow
from bot.telegram_html import HtmlParseError, parse_html, utf16_len
from bot.views import text as text_module
from bot.views.text import MESSAGE_LIMIT, split_message
from tests.hostile.conftest import FUZZ, FUZZ_SLOW
from tests.hostile.corpus import any_chars, hostile, hostile_line, huge, names

NOW = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)
CATALOGS = Catalogs.load()
PLACES = default_places()


def sendable(text: str) -> str:
    """The visible text of a message the fake accepts (it raises ApiError otherwise)."""
    return message_text(text, "HTML", None).text


def sendable_parts(text: str) -> list[str]:
    """How the bot sends a long HTML text (``split_message``), each part checked."""
    parts = split_message(text)
    assert parts, "nothing to send"
    return [sendable(part) for part in parts]


def squeeze(text: str) -> str:
    return re.sub(r"\s", "", text)


def check_markup(markup: InlineKeyboardMarkup | None) -> None:
    if markup is not None:
        reply_markup(markup.to_dict(), inline_only=True)


# --- the parser and escaping -------------------------------------------------------------

@FUZZ
@given(st.one_of(hostile, st.text(any_chars, max_size=300)))
def test_html_parser_only_refuses_politely(text: str) -> None:
    try:
        plain, entities = parse_html(text)
    except HtmlParseError as error:
        assert str(error).startswith("Bad Request: can't parse entities: ")
        return
    size = utf16_len(plain)
    for entity in entities:
        assert isinstance(entity["offset"], int) and isinstance(entity["length"], int)
        assert entity["offset"] >= 0 and entity["offset"] + entity["length"] <= size


@FUZZ
@given(hostile, st.booleans())
def test_escaped_text_is_shown_exactly(text: str, quote: bool) -> None:
    assert parse_html(html.escape(text, quote=quote)) == (text, [])
    plain, entities = parse_html(f"<b>{html.escape(text)}</b>")
    assert plain == text
    assert entities == ([{"type": "bold", "offset": 0, "length": utf16_len(text)}]
                        if text else [])


@st.composite
def bot_like_html(draw: st.DrawFn) -> str:
    """Texts as the bot builds them for split_message: escaped user text (any number of
    lines, single lines far over the limit), bold labels before values, and tags around
    user text that never span a line break nor wrap only blanks (as the card does; the
    review screen's multi-line blockquote stays far below the limit)."""
    lines = []
    count = draw(st.integers(1, 30))
    big = draw(st.sampled_from((None, 0, count - 1, count // 2)))
    for number in range(count):
        text = draw(huge if number == big else st.one_of(hostile, st.text(any_chars,
                                                                          max_size=300)))
        value = html.escape(text)
        one_line = value.replace("\n", " ")
        shape = draw(st.integers(0, 3))
        if shape == 0 or not one_line.strip():
            lines.append(value)
        elif shape == 1:
            label = html.escape(draw(hostile_line).replace("\n", " "))
            lines.append(f"<b>{label}:</b> {one_line}")
        elif shape == 2:
            lines.append(f"<i>{one_line}</i>")
        else:
            lines.append(f"<blockquote>{one_line}</blockquote>")
    return "\n".join(lines)


@settings(FUZZ_SLOW, max_examples=40)  # texts of up to 30 lines, one over 4,000 characters
@given(bot_like_html().filter(lambda text: parse_html(text)[0].strip(" \t\r\n\v\f")),
       st.sampled_from((MESSAGE_LIMIT, 200, 64)))
def test_split_message_parts_are_sendable_and_keep_all_text(text: str, limit: int) -> None:
    parts = split_message(text, limit)
    visible = []
    for part in parts:
        shown = sendable(part) if limit == MESSAGE_LIMIT else parse_html(part)[0]
        assert utf16_len(shown) <= limit, (utf16_len(shown), limit)
        visible.append(shown)
    assert squeeze("".join(visible)) == squeeze(parse_html(text)[0])


def test_split_message_work_grows_with_the_text_not_its_square(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Counts the characters split_message hands to the HTML parser. A small limit keeps
    this fast; the default limit (4,096) is the same shape, 10x slower."""
    parsed = 0

    def counting(source: str) -> tuple[str, list[dict[str, object]]]:
        nonlocal parsed
        parsed += len(source)
        return parse_html(source)

    monkeypatch.setattr(text_module, "parse_html", counting)
    card = "\n".join(["<b>Label:</b> value"] * 12 + ["ab"] * 1500)
    parts = split_message(card, limit=400)
    assert all(utf16_len(parse_html(part)[0]) <= 400 for part in parts)
    assert parsed <= 20 * len(card), f"{parsed:,} characters parsed for {len(card):,}"


# --- report screens -----------------------------------------------------------------------

def _typed(text: str, fallback: str) -> str:
    value, problem = d.clean_typed(text)
    return value if problem is None and value is not None else fallback


@st.composite
def complete_drafts(draw: st.DrawFn) -> Draft:
    """A report ready for review, every typed answer hostile (as the flow accepts it)."""
    draft = Draft.new(1001, draw(st.sampled_from(SUPPORTED_LOCALES)), now=NOW)
    draft.contact = draw(st.booleans())
    for code in draw(st.lists(st.sampled_from(list(d.INCIDENTS)), min_size=1, unique=True)):
        d.toggle_incident(draft, code)
    draft.incidents_done = True
    if "other" in draft.incidents:
        draft.incident_text = _typed(draw(hostile), "my <b>phone</b> {0} & %s was taken")
    place = draw(st.sampled_from(PLACES.items))
    d.choose_place(draft, PLACES, place.id)
    if place.typed:
        draft.place_text = _typed(draw(hostile), "Omsk </a><script> {user} ‮txet")
    day = draw(st.dates(min_value=date(2020, 1, 1), max_value=date(2026, 12, 6)))
    draft.date = day.isoformat()[:7] if draw(st.booleans()) else day.isoformat()
    draft.affected = draw(st.sampled_from(list(d.AFFECTED)))
    draft.people = draw(st.one_of(st.sampled_from(list(d.PEOPLE)),
                                  st.integers(1, d.MAX_TYPED_PEOPLE).map(str)))
    draft.groups = sorted(draw(st.sets(st.sampled_from(list(d.GROUPS)))),
                          key=list(d.GROUPS).index)
    draft.groups_done = True
    if d.asks_held(draft):
        draft.held = draw(st.sampled_from(list(d.HELD)))
    story = draw(st.one_of(hostile, st.text(any_chars, max_size=300), huge))
    if d.is_sentence(story):
        d.set_description(draft, story)
    else:
        draft.description_voice = True
    draft.evidence = [Evidence(kind, f"file-{n}", 1000, 3) for n, kind in enumerate(
        draw(st.lists(st.sampled_from(d.EVIDENCE_KINDS), max_size=d.MAX_EVIDENCE)))]
    draft.evidence_done = True
    draft.description_mode = draw(st.sampled_from((None, d.ADD, d.REPLACE)))
    draft.step = d.REVIEW
    assert d.is_complete(draft, PLACES)
    return draft


@FUZZ_SLOW
@given(complete_drafts())
def test_every_report_screen_is_valid_and_shows_typed_text_as_text(draft: Draft) -> None:
    tr = CATALOGS.get(draft.locale)
    for step in d.STEPS:
        screen = step_screen(draft, step, tr.gettext, tr.ngettext, tr.format_date, PLACES)
        shown = "\n".join(sendable_parts(screen.text))
        check_markup(screen.markup)
        if step != d.REVIEW:
            continue
        assert len(split_message(screen.text)) == 1  # the summary is one message
        if draft.incident_text:
            assert draft.incident_text in shown
        if draft.place_text:
            assert draft.place_text in shown
        if draft.description:
            preview = d.cut_text(draft.description, SUMMARY_DESCRIPTION_PREVIEW)
            assert squeeze(preview) in squeeze(shown)


def _row(draft: Draft, *, ref: str = "R-ABCDEF", status: str = "new") -> ReportRow:
    assert draft.incident and draft.place and draft.date and draft.affected and draft.people
    return ReportRow(
        ref=ref, draft_id=draft.id, reporter="a" * 64, created_at=NOW.isoformat(),
        updated_at=NOW.isoformat(), status=status, locale=draft.locale,
        incident=draft.incident, place=draft.place, incident_date=draft.date,
        affected=draft.affected, people=draft.people, groups=tuple(draft.groups),
        held=draft.held, urgent=draft.urgent, content=b"", incidents=tuple(draft.incidents))


@FUZZ_SLOW
@given(complete_drafts(), st.sampled_from(SUPPORTED_LOCALES))
def test_announcement_is_valid_and_escapes_typed_text(draft: Draft, locale: str) -> None:
    tr = CATALOGS.get(locale)
    text = render_announcement(_row(draft), draft.incident_text, draft.place_text, PLACES,
                               locale, tr.gettext)
    shown = sendable(text)
    for typed in (draft.incident_text, draft.place_text):
        if typed:
            assert typed in shown
    assert not draft.description or draft.description not in shown  # never the story


@settings(FUZZ_SLOW, max_examples=25)  # cards of 30,000 characters: 0.15 s each
@given(complete_drafts(), st.sampled_from(SUPPORTED_LOCALES), names, names,
       st.lists(st.tuples(st.sampled_from(("note", "question", "answer", "reason")),
                          st.one_of(hostile, huge.map(lambda text: text[:4096]))),
                max_size=4),
       st.sampled_from(("new", "in_review", "needs_info", "verified", "rejected", "closed")))
def test_moderator_card_is_split_never_cut_and_escapes_everything(
        draft: Draft, locale: str, reporter_name: str, staff_name: str,
        notes: list[tuple[str, str]], status: str) -> None:
    tr = CATALOGS.get(locale)
    content = ReportContent(reporter_id=1001, contact=draft.contact,
                            description=draft.description or "",
                            incident_text=draft.incident_text, place_text=draft.place_text,
                            evidence=tuple(draft.evidence), spoken=draft.description_voice)
    card = CardData(
        row=_row(draft, status=status), content=content,
        notes=[Note(n, kind, None if kind == "answer" else 9001, NOW.isoformat(), text)
               for n, (kind, text) in enumerate(notes)],
        other_reports=0, reporter_name=reporter_name if draft.contact else None,
        assignee_name=staff_name, staff_names={9001: staff_name})
    shown = "".join(sendable_parts(render_card(card, tr.gettext, tr.ngettext, locale,
                                               PLACES)))
    typed = [draft.description, draft.incident_text, draft.place_text,
             *(text for _kind, text in notes),
             staff_name if any(kind != "answer" for kind, _text in notes) else None,
             reporter_name if draft.contact else None]
    for value in typed:
        if value:
            assert squeeze(value) in squeeze(shown)


# --- what moderators see of users' questions and comments ----------------------------------

@FUZZ_SLOW
@given(st.lists(st.tuples(hostile_line, st.sampled_from(("tg", "ru", "en")),
                          st.sampled_from(("unsure", "not_found"))), min_size=1, max_size=15),
       st.lists(hostile_line, max_size=5), st.sampled_from(SUPPORTED_LOCALES))
def test_unanswered_view_is_valid_and_escapes_questions(
        questions: list[tuple[str, str, str]], comments: list[str], locale: str) -> None:
    tr = CATALOGS.get(locale)
    asked = [UnansweredQuestion(text, lang, ("work.patent",) if reason == "unsure" else (),
                                reason, f"2026-12-0{1 + n % 5}T10:00:00+00:00")
             for n, (text, lang, reason) in enumerate(questions)]
    groups = group_questions(asked)
    messages = render_view(groups, [FeedbackSummary("work.patent", 1, len(comments))],
                           days=30, total=len(asked), grouped=len(asked), _=tr.gettext,
                           ngettext=tr.ngettext, title_of=lambda article_id: article_id,
                           comments={"work.patent": comments})
    shown = "".join(sendable(message) for message in messages)
    for group in groups[:10]:
        representative = group.representative()
        if len(representative) < QUESTION_CHARS:
            assert squeeze(representative) in squeeze(shown)
    for comment in comments:
        text = " ".join(comment.split())
        if len(text) < QUESTION_CHARS:
            assert squeeze(text) in squeeze(shown)
