"""The draft model and the step rules, driven without Telegram."""

from __future__ import annotations

from datetime import date

import pytest

from bot.callbacks import MAX_BYTES, unpack
from bot.i18n import SUPPORTED_LOCALES, Catalogs
from bot.reports import draft as d
from bot.reports import flow
from bot.reports.draft import Draft, Evidence
from bot.reports.places import default_places
from bot.reports.screens import STEP_BY_CODE, cancel_screen, step_screen
from bot.reports.summary import render_receipt, render_summary
from bot.telegram_html import parse_html
from tests.reports.conftest import NOW, complete_draft

PLACES = default_places()


def new() -> Draft:
    return Draft.new(1001, "en", NOW)


def walk(draft: Draft, *answers: tuple[str, str, str]) -> flow.Outcome:
    """Press buttons (step, command, arg) in order; every press must be accepted."""
    outcome = flow.Outcome()
    for step, command, arg in answers:
        assert draft.step == step, (draft.step, step)
        outcome = flow.press(draft, step, command, arg, PLACES, NOW)
        assert outcome.problem is None, outcome
    return outcome


def test_full_path_with_buttons_and_text() -> None:
    draft = new()
    walk(draft, ("consent", "set", "anon"), ("incident", "toggle", "refused"),
         ("incident", "done", ""), ("place", "set", "svo"))
    assert draft.step == d.DATE
    assert flow.type_text(draft, d.DATE, "5 феврали", NOW).problem is None
    assert draft.date == "2025-02-05" and draft.step == d.AFFECTED_STEP
    walk(draft, ("affected", "set", "family"))
    assert flow.type_text(draft, d.PEOPLE_STEP, "14", NOW).step == d.GROUPS_STEP
    walk(draft, ("groups", "toggle", "child"), ("groups", "toggle", "elderly"),
         ("groups", "toggle", "child"), ("groups", "done", ""), ("held", "set", "3-12h"))
    assert draft.groups == ["elderly"] and draft.people == "14"
    outcome = flow.type_text(draft, d.DESCRIPTION, "They refused entry without any reason.")
    assert outcome.step == d.EVIDENCE
    assert flow.receive_media(draft, d.EVIDENCE, Evidence("voice", "v1", 100)).notice
    walk(draft, ("evidence", "done", ""))
    assert draft.step == d.REVIEW and d.is_complete(draft, PLACES)
    assert flow.press(draft, d.REVIEW, "confirm", "", PLACES).submit
    assert draft.contact is False and not draft.urgent


def test_other_type_and_typed_places_ask_for_text() -> None:
    draft = new()
    walk(draft, ("consent", "set", "contact"), ("incident", "toggle", "other"),
         ("incident", "done", ""))
    assert draft.step == d.INCIDENT_TEXT
    assert flow.type_text(draft, d.INCIDENT_TEXT, "?").problem is not None
    assert flow.type_text(draft, d.INCIDENT_TEXT, "x" * 200).problem is not None
    flow.type_text(draft, d.INCIDENT_TEXT, "phone   taken")
    assert draft.incident_text == "phone taken" and draft.step == d.PLACE
    walk(draft, ("place", "set", "ru_other"))
    assert draft.step == d.PLACE_TEXT
    flow.type_text(draft, d.PLACE_TEXT, "Тверская область")
    assert draft.place_text == "Тверская область" and draft.step == d.DATE
    # Back from the date goes to the typed place, then to the place buttons.
    assert flow.press(draft, d.DATE, "back", "", PLACES).step == d.PLACE_TEXT
    assert flow.press(draft, d.PLACE_TEXT, "back", "", PLACES).step == d.PLACE
    walk(draft, ("place", "set", "led"))
    assert draft.place_text is None and not draft.place_typed and draft.step == d.DATE


def test_insults_skip_the_holding_question() -> None:
    draft = complete_draft()
    draft.step = d.GROUPS_STEP
    draft.incident, draft.incidents = "insults", ["insults"]
    assert not d.applies(draft, d.HELD_STEP)
    assert d.next_step(draft, d.GROUPS_STEP) == d.DESCRIPTION
    assert d.previous_step(draft, d.DESCRIPTION) == d.GROUPS_STEP


def test_back_on_first_step_leaves_and_cancel_asks() -> None:
    draft = new()
    assert flow.press(draft, d.CONSENT, "back", "", PLACES).leave
    assert flow.press(draft, d.CONSENT, "cancel", "", PLACES).cancel_ask


def test_urgent_choice_triggers_emergency_once() -> None:
    draft = complete_draft(held="no")
    draft.step = d.HELD_STEP
    outcome = flow.press(draft, d.HELD_STEP, "set", "still", PLACES)
    assert outcome.emergency and draft.urgent and draft.emergency_sent
    draft.step = d.HELD_STEP
    assert not flow.press(draft, d.HELD_STEP, "set", "still", PLACES).emergency


def test_edit_from_review_returns_to_review() -> None:
    draft = complete_draft()
    assert flow.press(draft, d.REVIEW, "edit", "", PLACES).step == d.EDIT
    assert flow.press(draft, d.EDIT, "go", "date", PLACES).step == d.DATE
    assert draft.editing
    assert flow.type_text(draft, d.DATE, "01.03.2025", NOW).step == d.REVIEW
    assert draft.date == "2025-03-01" and not draft.editing
    # Back while editing returns to the summary without changes.
    flow.press(draft, d.REVIEW, "edit", "", PLACES)
    flow.press(draft, d.EDIT, "go", "place", PLACES)
    assert flow.press(draft, d.PLACE, "back", "", PLACES).step == d.REVIEW
    assert draft.place == "dme"
    # Changing the type to insults drops the holding answer; back to one that asks it.
    flow.press(draft, d.REVIEW, "edit", "", PLACES)
    flow.press(draft, d.EDIT, "go", "incident", PLACES)
    assert flow.press(draft, d.INCIDENT, "toggle", "insults", PLACES).redraw
    assert draft.held == "lt3h"  # held at the border still involves holding
    flow.press(draft, d.INCIDENT, "toggle", "held_border", PLACES)
    assert draft.incidents == ["insults"] and draft.held is None
    assert flow.press(draft, d.INCIDENT, "done", "", PLACES).step == d.REVIEW
    flow.press(draft, d.REVIEW, "edit", "", PLACES)
    assert flow.press(draft, d.EDIT, "go", "held", PLACES).problem is not None  # n/a
    flow.press(draft, d.EDIT, "go", "incident", PLACES)
    flow.press(draft, d.INCIDENT, "toggle", "detained", PLACES)
    assert flow.press(draft, d.INCIDENT, "done", "", PLACES).step == d.HELD_STEP
    assert flow.press(draft, d.HELD_STEP, "set", "gt2d", PLACES).step == d.REVIEW


def test_wrong_input_keeps_everything() -> None:
    draft = complete_draft()
    before = draft.to_json()
    for step in d.ORDER:
        draft.step = step
        outcome = flow.receive_media(draft, step, None)
        assert outcome.problem is not None and outcome.step is None
        if step not in flow.TEXT_STEPS and step != d.EVIDENCE:
            assert flow.type_text(draft, step, "hello there").problem is not None
        assert flow.press(draft, step, "set", "forged-value", PLACES).problem is not None
    draft.step = before["step"]
    assert draft.to_json() == before
    draft.step = d.DATE
    for bad in ("tomorrow maybe", "31.12.2019", "01.01.2099", "31.02.2024"):
        assert flow.type_text(draft, d.DATE, bad, NOW).problem is not None
    draft.step = d.PEOPLE_STEP
    for bad in ("0", "-3", "many", "10001", "3.5"):
        assert flow.type_text(draft, d.PEOPLE_STEP, bad).problem is not None
    draft.step = before["step"]
    assert draft.to_json() == before


def test_description_rules() -> None:
    assert not d.is_sentence("too short")
    assert not d.is_sentence("aaaaaaaaaaaaaaaaaaaaaaaa")  # one word
    assert d.is_sentence("Они забрали паспорт и не вернули.")
    draft = new()
    kept = d.set_description(draft, "слово " * 3000)
    assert kept.dropped == 18_000 - 1 - d.DESCRIPTION_MAX_CHARS and kept.total == 12_000
    assert len(draft.description or "") == d.DESCRIPTION_MAX_CHARS


def test_a_long_description_in_several_messages_is_kept_whole() -> None:
    draft = complete_draft()
    draft.description, draft.evidence_done, draft.step = None, False, d.DESCRIPTION
    parts = [f"Часть {n}. " + "Нас держали в комнате без воды. " * 95 for n in (1, 2, 3)]
    assert all(2900 < len(part) <= 3100 for part in parts)
    outcome = flow.type_text(draft, d.DESCRIPTION, parts[0])
    assert outcome.step == d.EVIDENCE and outcome.notice is not None
    assert outcome.notice.message == flow.DESCRIPTION_SAVED
    for part in parts[1:]:
        notice = flow.type_text(draft, d.EVIDENCE, part).notice
        assert notice is not None and notice.message == flow.ADDED_TO_DESCRIPTION
    assert draft.description == "\n".join(part.strip() for part in parts)
    assert notice.kwargs()["total"] == len(draft.description)


def test_the_description_limit_says_exactly_what_was_kept() -> None:
    draft = complete_draft()
    draft.description = "а" * (d.DESCRIPTION_MAX_CHARS - 101)
    draft.step = d.EVIDENCE
    notice = flow.type_text(draft, d.EVIDENCE, "Потом у нас забрали телефоны " * 10).notice
    assert notice is not None and notice.message == flow.DESCRIPTION_LIMIT
    assert notice.kwargs()["kept"] == 100  # 101 of room, one for the line break
    assert notice.kwargs()["kept"] + notice.kwargs()["dropped"] == len(
        ("Потом у нас забрали телефоны " * 10).strip())
    assert len(draft.description or "") == d.DESCRIPTION_MAX_CHARS
    notice = flow.type_text(draft, d.EVIDENCE, "И ещё одно сообщение после лимита.").notice
    assert notice is not None and notice.message == flow.DESCRIPTION_FULL


def test_editing_the_description_adds_or_replaces() -> None:
    draft = complete_draft(description="Border guards kept us in a room for many hours.")
    flow.press(draft, d.REVIEW, "edit", "", PLACES)
    assert flow.press(draft, d.EDIT, "go", d.DESCRIPTION, PLACES).step == d.DESCRIPTION
    # Text typed without choosing is added, never lost; the step stays open for more.
    outcome = flow.type_text(draft, d.DESCRIPTION, "Then they took our phones away.")
    assert outcome.step is None and outcome.notice is not None
    assert draft.description == ("Border guards kept us in a room for many hours.\n"
                                 "Then they took our phones away.")
    flow.type_text(draft, d.DESCRIPTION, "And nobody gave us any water.")
    assert draft.description.endswith("phones away.\nAnd nobody gave us any water.")
    assert flow.press(draft, d.DESCRIPTION, "replace", "", PLACES).redraw
    assert flow.type_text(draft, d.DESCRIPTION, "short").problem is not None
    flow.type_text(draft, d.DESCRIPTION, "A new text that replaces the old one.")
    assert draft.description == "A new text that replaces the old one."
    flow.type_text(draft, d.DESCRIPTION, "A second part goes after the new text.")
    assert draft.description.endswith("old one.\nA second part goes after the new text.")
    assert flow.press(draft, d.DESCRIPTION, "done", "", PLACES).step == d.REVIEW
    assert draft.description_mode is None


def test_a_voice_message_can_be_the_description() -> None:
    draft = complete_draft()
    draft.description, draft.evidence, draft.evidence_done = None, [], False
    draft.step = d.DESCRIPTION
    photo = flow.receive_media(draft, d.DESCRIPTION, Evidence("photo", "p1"))
    assert photo.problem is not None and draft.evidence == []
    outcome = flow.receive_media(draft, d.DESCRIPTION, Evidence("voice", "v1", 9000, 41))
    assert outcome.step == d.EVIDENCE and outcome.notice is not None
    assert draft.description_voice and draft.evidence[0].file_id == "v1"
    assert draft.has_description and d.first_missing(draft) == d.EVIDENCE
    walk(draft, ("evidence", "done", ""))
    assert d.is_complete(draft, PLACES)


def test_several_incident_types_first_is_main() -> None:
    draft = new()
    walk(draft, ("consent", "set", "anon"))
    assert flow.press(draft, d.INCIDENT, "done", "", PLACES).problem is not None
    for code in ("held_border", "documents", "extortion"):
        assert flow.press(draft, d.INCIDENT, "toggle", code, PLACES).redraw
    flow.press(draft, d.INCIDENT, "toggle", "held_border", PLACES)  # untapped
    assert draft.incidents == ["documents", "extortion"] and draft.incident == "documents"
    assert flow.press(draft, d.INCIDENT, "toggle", "forged", PLACES).problem is not None
    assert flow.press(draft, d.INCIDENT, "done", "", PLACES).step == d.PLACE
    old = Draft.from_json(draft.to_json() | {"incidents": [], "incidents_done": False})
    assert old.incidents == ["documents"] and old.incidents_done  # saved before the change


def test_month_only_date_and_keep_on_back() -> None:
    draft = complete_draft()
    draft.step = d.DATE
    assert flow.press(draft, d.DATE, "month", "", PLACES).step == d.DATE_MONTH
    assert flow.press(draft, d.DATE_MONTH, "back", "", PLACES).step == d.DATE
    flow.press(draft, d.DATE, "month", "", PLACES)
    assert flow.press(draft, d.DATE_MONTH, "set", "1999-01", PLACES).problem is not None
    assert flow.type_text(draft, d.DATE_MONTH, "dekabr 2025", NOW).problem is not None  # future
    assert flow.type_text(draft, d.DATE_MONTH, "dekabr 2024", NOW).step == d.AFFECTED_STEP
    assert draft.date == "2024-12" and draft.incident_date == date(2024, 12, 1)
    # Back to a typed answer offers to keep it.
    draft.step = d.PEOPLE_STEP
    draft.people = "20"
    assert flow.press(draft, d.PEOPLE_STEP, "keep", "", PLACES).step == d.GROUPS_STEP
    assert draft.people == "20"
    draft.step, draft.date = d.DATE, None
    assert flow.press(draft, d.DATE, "keep", "", PLACES).problem is not None  # nothing kept


def test_evidence_limit_duplicates_and_follow_up_text() -> None:
    draft = complete_draft()
    draft.evidence = []
    draft.step = d.EVIDENCE
    for index in range(d.MAX_EVIDENCE):
        assert flow.receive_media(draft, d.EVIDENCE, Evidence("photo", f"f{index}")).notice
    flow.receive_media(draft, d.EVIDENCE, Evidence("photo", "f0"))  # same file again
    assert len(draft.evidence) == d.MAX_EVIDENCE
    assert flow.receive_media(draft, d.EVIDENCE, Evidence("photo", "extra")).problem
    assert flow.type_text(draft, d.EVIDENCE, "ok").problem is not None
    outcome = flow.type_text(draft, d.EVIDENCE, "And then they took our phones too.")
    assert outcome.notice is not None and "took our phones" in (draft.description or "")


def test_draft_json_round_trip_and_unknown_step() -> None:
    draft = complete_draft()
    again = Draft.from_json(draft.to_json())
    assert again == draft
    data = draft.to_json() | {"step": "no-such-step", "future_field": 1}
    assert Draft.from_json(data).step == d.REVIEW


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_every_screen_is_valid_html_with_short_callback_data(locale: str) -> None:
    translator = Catalogs.load().get(locale)
    draft = complete_draft(locale=locale, description="<b>не тег</b> & " + "ж" * 3000,
                           held="still")
    draft.incident, draft.incident_text = "other", "<script>"
    draft.incidents = ["other", "documents"]
    draft.place, draft.place_text, draft.place_typed = "other", "Алматы & <i>", True
    for step in d.STEPS:
        screen = step_screen(draft, step, translator.gettext, translator.ngettext,
                             translator.format_date, PLACES)
        plain, _ = parse_html(screen.text)
        assert 0 < len(plain) <= 4096, (step, len(plain))
        assert screen.markup is not None
        for row in screen.markup.inline_keyboard:
            for button in row:
                data = button.callback_data
                assert isinstance(data, str) and len(data.encode()) <= MAX_BYTES
                callback = unpack(data)
                assert callback is not None and callback.namespace == "rp"
                assert callback.args[0] == draft.id and callback.args[1] in STEP_BY_CODE
    parse_html(cancel_screen(draft, d.REVIEW, translator.gettext).text)
    summary = render_summary(draft, translator.gettext, translator.ngettext,
                             translator.format_date, PLACES)
    assert "&lt;script&gt;" in summary and "&lt;b&gt;не тег&lt;/b&gt; &amp;" in summary
    for reviewers, alerted in ((True, True), (True, False), (False, False), (True, None)):
        parse_html(render_receipt("R-ABCDEF", True, True, translator.gettext,
                                  reviewers=reviewers, alerted=alerted))


def test_every_step_offers_cancel() -> None:
    translator = Catalogs.load().get("en")
    draft = complete_draft(locale="en")
    for step in d.STEPS:
        screen = step_screen(draft, step, translator.gettext, translator.ngettext,
                             translator.format_date, PLACES)
        assert screen.markup is not None
        commands = [unpack(b.callback_data).args[2]  # type: ignore[union-attr, arg-type]
                    for row in screen.markup.inline_keyboard for b in row]
        assert "cancel" in commands, step


@pytest.mark.parametrize(("typed", "expected"), [
    ("20", "20"), ("мо 20 нафар будем", "20"), ("нас было двадцать", "20"), ("about 20", "20"),
    ("около 20 человек", "20"), ("бисту панҷ нафар", "25"), ("двадцать пять", "25"),
    ("twenty five of us", "25"), ("сто двадцать", "120"), ("се нафар", "3"),
    ("we were three", "3"), ("трое", "3"), ("20 or 20", "20"),
    ("5-6", None), ("many", None), ("0", None), ("twenty thirty", None), ("five twenty", None),
    ("20000", None), ("", None),
])
def test_people_typed_in_a_phrase_or_in_words(typed: str, expected: str | None) -> None:
    from bot.reports.draft import parse_people

    assert parse_people(typed) == expected
