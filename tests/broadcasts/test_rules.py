"""The rules of writing a broadcast, and what the owner is shown."""

from __future__ import annotations

import pytest

from bot.broadcasts import rules, views
from bot.broadcasts.rules import Draft
from bot.callbacks import MAX_BYTES
from bot.i18n import Catalogs

EN = Catalogs.load().get("en")


def test_draft_round_trip_and_malformed_data() -> None:
    draft = Draft()
    draft.set_text("ru", "<b>Привет</b>")
    draft.awaiting = "en"
    again = Draft.from_data(draft.to_data())
    assert again == draft
    assert Draft.from_data(None) is None
    assert Draft.from_data({"texts": "nope"}) is None
    odd = Draft.from_data({"texts": {"ru": "x", "fr": "y"}, "fallback": "en",
                           "awaiting": "de", "previewed": True, "audience": "everyone"})
    assert odd == Draft(texts={"ru": "x"}, previewed=True)


def test_fallback_is_the_first_language_written_unless_chosen() -> None:
    draft = Draft()
    assert draft.effective_fallback is None
    draft.set_text("en", "Hello")
    draft.set_text("tg", "Салом")
    assert draft.effective_fallback == "en"
    assert draft.written == ["tg", "en"] and draft.missing == ["ru"]
    assert not draft.set_fallback("ru")  # not written
    assert draft.set_fallback("tg") and draft.effective_fallback == "tg"
    assert rules.text_for(draft.texts, draft.fallback, "ru") == "Салом"
    assert rules.text_for(draft.texts, draft.fallback, None) == "Салом"  # no language chosen
    assert rules.text_for(draft.texts, draft.fallback, "en") == "Hello"
    assert rules.text_for(draft.texts, "ru", "uz") == "Hello"  # a stale fallback: the first
    with pytest.raises(ValueError):
        rules.text_for({}, None, "ru")


def test_preview_then_audience_then_send() -> None:
    draft = Draft()
    assert not draft.preview_done()  # nothing to preview
    assert rules.send_problem(None, "all") == "no_draft"
    assert rules.send_problem(draft, "all") == "empty"
    draft.set_text("ru", "Привет")
    assert not draft.choose_audience("all")  # the preview comes first
    assert rules.send_problem(draft, "all") == "not_previewed"
    assert draft.preview_done()
    assert not draft.choose_audience("fr")
    assert draft.choose_audience("ru")
    assert rules.send_problem(draft, "all") == "audience"  # not what was confirmed
    assert rules.send_problem(draft, "ru") is None
    draft.set_text("en", "Hello")  # a change sends the owner back to the preview
    assert not draft.previewed and draft.audience is None
    assert rules.send_problem(draft, "ru") == "not_previewed"
    draft.preview_done()
    draft.choose_audience("all")
    draft.set_fallback("en")  # so does a different fallback
    assert rules.send_problem(draft, "all") == "not_previewed"


def test_texts_are_checked_like_telegram() -> None:
    ok = rules.check_text("  <b>Важно</b>: ҳуҷҷатҳо & <a href=\"https://x.org\">сайт</a> ")
    assert ok.problem == "html"  # a bare & must be written &amp;
    assert "&" in ok.detail
    ok = rules.check_text('  <b>Важно</b>: ҳуҷҷатҳо &amp; <a href="https://x.org">сайт</a> ')
    assert ok.ok and ok.html.startswith("<b>") and ok.length == len("Важно: ҳуҷҷатҳо & сайт")
    broken = rules.check_text("<b>bold<i>both</b></i>")
    assert broken.problem == "html" and broken.detail
    assert rules.check_text("  \n ").problem == "empty"
    assert rules.check_text("<b> </b>").problem == "empty"
    assert rules.check_text("x" * 4096).ok
    too_long = rules.check_text("<b>" + "x" * 4097 + "</b>")
    assert too_long.problem == "too_long" and too_long.length == 4097
    emoji = rules.check_text("🙂" * 2049)  # Telegram counts UTF-16 units
    assert emoji.problem == "too_long" and emoji.length == 4098


def test_formatting_from_the_client_wins_over_typed_tags() -> None:
    assert not rules.has_client_formatting([])
    assert not rules.has_client_formatting(["url", "mention", "bot_command", "hashtag"])
    assert rules.has_client_formatting(["url", "bold"])
    assert rules.has_client_formatting(["text_link"])


def test_audience_sizes_and_durations() -> None:
    sizes = {"tg": 3, "ru": 5, None: 2}
    assert rules.audience_size(sizes, "all") == 10
    assert rules.audience_size(sizes, "ru") == 5 and rules.audience_size(sizes, "en") == 0
    assert rules.duration_parts(0.2) == (0, 0, 1)
    assert rules.duration_parts(59.5) == (0, 1, 0)
    assert rules.duration_parts(3725) == (1, 2, 5)
    assert views.duration_text(3725, EN) == "1 h 2 min"
    assert views.duration_text(95, EN) == "1 min 35 s"
    assert views.duration_text(16.4, EN) == "17 s"


def _callback_data(markup) -> list[str]:  # type: ignore[no-untyped-def]
    return [b.callback_data for row in markup.inline_keyboard for b in row]


def test_screens_in_the_owners_language() -> None:
    draft = Draft()
    text, markup = views.draft_screen(draft, EN)
    assert "New announcement" in text and "not written" in text
    assert "bc:pv" not in _callback_data(markup)
    draft.set_text("ru", "<b>Привет</b>")
    text, markup = views.draft_screen(draft, EN)
    assert "🇷🇺 Русский: written, 6 characters" in text
    assert "Fallback: 🇷🇺 Русский" in text
    assert {"bc:w:tg", "bc:w:ru", "bc:w:en", "bc:pv", "bc:x"} <= set(_callback_data(markup))

    draft.preview_done()
    text, markup = views.preview_screen(draft, {"ru": 4, None: 1}, EN)
    assert "🇹🇯 Тоҷикӣ, 🇬🇧 English: these users get the 🇷🇺 Русский text." in text
    assert "👥 Everyone (5)" in [b.text for row in markup.inline_keyboard for b in row]
    text, markup = views.confirm_screen("ru", 4, 30, EN)
    assert "Send the announcement to users of 🇷🇺 Русский: 4 users?" in text
    assert _callback_data(markup) == ["bc:go:ru", "bc:au"]
    text, markup = views.confirm_screen("en", 0, 30, EN)
    assert "Nobody would receive it" in text and _callback_data(markup) == ["bc:au"]


def test_progress_screens() -> None:
    counts = {"pending": 90, "sending": 4, "sent": 400, "failed": 1, "blocked": 5,
              "skipped": 0, "unknown": 0}
    text, markup = views.progress_screen(
        views.Progress(12, "sending", counts, "all", eta=94 / 30), EN)
    assert "Broadcast #12</b>: sending" in text and "To everyone: 500 users" in text
    assert "Sent: 400" in text and "Failed: 1" in text and "Blocked the bot: 5" in text
    assert "Left: 94 · about 4 s more" in text and "Skipped" not in text
    assert markup is not None and _callback_data(markup) == ["bc:p:12", "bc:s:12"]

    done = {**counts, "pending": 0, "sending": 0, "sent": 492, "unknown": 2}
    text, markup = views.progress_screen(views.Progress(12, "done", done, "tg"), EN)
    assert "finished" in text and "Left" not in text and markup is None
    assert "Unknown: 2" in text and "could not tell whether" in text

    text, markup = views.progress_screen(views.Progress(12, "paused", counts, "all"), EN)
    assert markup is not None and _callback_data(markup) == ["bc:r:12", "bc:s:12"]
    text, _ = views.progress_screen(views.Progress(12, "cancelled", counts, "all"), EN)
    assert "Not sent (cancelled): 94" in text
    text, markup = views.progress_screen(views.Progress(12, "stopping", counts, "all"), EN)
    assert "restarting" in text and markup is None
    text, markup = views.progress_screen(views.Progress(12, "preparing", {}, "all"), EN)
    assert "listing the recipients" in text and _callback_data(markup) == ["bc:s:12"]


def test_button_data_fits_telegram() -> None:
    big = 2**62
    _, markup = views.cancel_question(big, EN)
    _, progress = views.progress_screen(views.Progress(big, "sending", {}, "all"), EN)
    assert progress is not None
    for data in _callback_data(markup) + _callback_data(progress):
        assert len(data.encode()) <= MAX_BYTES
    assert rules.parse_args(("12",), 0) == 12
    assert rules.parse_args(("x",), 0) is None and rules.parse_args((), 0) is None
