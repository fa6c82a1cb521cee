"""The translators' round trip: articles → .po → reviewed in Poedit → articles."""

from __future__ import annotations

import io

import pytest
from babel.messages.pofile import read_po, write_po

from bot.cli import main
from bot.kb.loader import load_knowledge_base
from bot.kb.translation import export_catalog, import_catalog
from tests.kb.conftest import KbWriter, article_toml


def _draft(aid: str) -> str:
    return article_toml(aid, status="draft", short="<b>Сделайте это</b> сейчас.\nВторая строка.")


def _through_po(catalog: object) -> object:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=0)  # type: ignore[arg-type]
    buffer.seek(0)
    return read_po(buffer)


def test_export_has_one_entry_per_field_with_the_russian_as_reference(
        write_kb: KbWriter) -> None:
    root = write_kb(ids=(), overrides={"work.a": _draft("work.a"), "work.b": _draft("work.b")})
    catalog = export_catalog(root, "tg")
    entries = {str(m.context): m for m in catalog if m.id}
    assert set(entries) == {f"work.{x}.{f}" for x in "ab" for f in ("title", "short", "details")}
    title = entries["work.a.title"]
    assert title.id == "work.a ru" and title.string == "work.a tg" and title.fuzzy
    assert export_catalog(root, "ru").get("work.a en", context="work.a.title") is not None


def test_round_trip_writes_reviewed_fields_and_keeps_the_rest(write_kb: KbWriter) -> None:
    root = write_kb(ids=(), overrides={"work.a": _draft("work.a"), "work.b": _draft("work.b")})
    untouched = (root / "articles" / "work.b.toml").read_text(encoding="utf-8")
    catalog = _through_po(export_catalog(root, "tg"))
    for message in catalog:  # type: ignore[attr-defined]
        if message.context and str(message.context).startswith("work.a."):
            message.flags.discard("fuzzy")
            if str(message.context).endswith(".short"):
                message.string = "<b>Инро ҳозир кунед</b>.\nСатри дуюм: \"нохунак\" ва \\ хат."
    result = import_catalog(root, catalog)  # type: ignore[arg-type]
    assert result.written == 3 and result.reviewed == ["work.a"] and not result.skipped
    kb = load_knowledge_base(root)
    tajik = kb.article("work.a").text("tg")  # type: ignore[union-attr]
    assert tajik.status == "reviewed"
    assert tajik.short == "<b>Инро ҳозир кунед</b>.\nСатри дуюм: \"нохунак\" ва \\ хат."
    assert tajik.title == "work.a tg" and tajik.keywords == ("work.a-tg-kw",)
    assert kb.article("work.a").text("ru").status == "draft"  # type: ignore[union-attr]
    assert kb.article("work.b").text("tg").status == "draft"  # type: ignore[union-attr]
    assert (root / "articles" / "work.b.toml").read_text(encoding="utf-8") == untouched
    # Exporting again shows the reviewed article without the "fuzzy" mark.
    again = export_catalog(root, "tg")
    assert not again.get("work.a ru", context="work.a.title").fuzzy  # type: ignore[union-attr]


def test_a_changed_source_is_not_imported(write_kb: KbWriter) -> None:
    root = write_kb(ids=(), overrides={"work.a": _draft("work.a")})
    catalog = _through_po(export_catalog(root, "tg"))
    for message in catalog:  # type: ignore[attr-defined]
        message.flags.discard("fuzzy")
    path = root / "articles" / "work.a.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('title = "work.a ru"',
                                                             'title = "work.a ru new"'))
    result = import_catalog(root, catalog)  # type: ignore[arg-type]
    assert any("work.a.title" in line and "changed" in line for line in result.skipped)
    assert result.reviewed == []  # the title was not reviewed against the new source


def test_unknown_language_is_refused(write_kb: KbWriter) -> None:
    with pytest.raises(ValueError, match="xx"):
        export_catalog(write_kb(ids=()), "xx")


def test_command_line_round_trip(write_kb: KbWriter, tmp_path: object,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_kb(ids=(), overrides={"work.a": _draft("work.a")})
    monkeypatch.setenv("KNOWLEDGE_DIR", str(root))
    output = root / "tg.po"
    assert main(["kb", "export-po", "--lang", "tg", "-o", str(output)]) == 0
    text = output.read_text(encoding="utf-8").replace("#, fuzzy\nmsgctxt", "msgctxt")
    output.write_text(text, encoding="utf-8")
    assert main(["kb", "import-po", str(output)]) == 0
    assert load_knowledge_base(root).article("work.a").text("tg").status == "reviewed"  # type: ignore[union-attr]
