from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from bot.kb import KnowledgeBaseError, load_knowledge_base
from bot.kb.loader import read_knowledge_base
from tests.kb.conftest import KbWriter, article_toml


def test_loads_fixture(write_kb: KbWriter) -> None:
    kb = load_knowledge_base(write_kb(ids=("entry.documents", "entry.stay_limit")))
    assert [c.id for c in kb.categories] == ["entry", "stay", "work", "rights", "help"]
    assert kb.category("entry").title("ru") == "Въезд"
    assert kb.category("nope") is None
    art = kb.article("entry.documents")
    assert art is not None
    assert art.reviewed == datetime.date(2026, 11, 1)
    assert art.sources == ("Федеральный закон № 115-ФЗ",)
    assert art.text("tg").title == "entry.documents tg"
    assert art.text("en").short == "<b>Do this</b> now."  # surrounding newlines stripped
    assert art.text("tg").keywords == ("entry.documents-tg-kw",)


def test_in_category_sorted_by_order_then_id(write_kb: KbWriter) -> None:
    kb = load_knowledge_base(write_kb(ids=(), overrides={
        "work.b": article_toml("work.b", order=5),
        "work.a": article_toml("work.a", order=5),
        "work.c": article_toml("work.c", order=1),
    }))
    assert [a.id for a in kb.in_category("work")] == ["work.c", "work.a", "work.b"]
    assert kb.in_category("help") == []


def test_text_falls_back_to_en_then_ru(write_kb: KbWriter) -> None:
    kb = load_knowledge_base(write_kb(ids=(), overrides={
        "work.a": article_toml("work.a", langs=("ru", "en")),
        "work.b": article_toml("work.b", langs=("ru",)),
    }))
    assert kb.article("work.a").text("tg").title == "work.a en"
    assert kb.article("work.b").text("tg").title == "work.b ru"
    assert kb.article("work.b").text("en").title == "work.b ru"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('id = "entry.x"\n[tg\n', "not valid TOML"),
        (article_toml("entry.other"), "does not match the file name"),
        (article_toml("entry.x").replace('category = "entry"', 'category = "food"'),
         "unknown category 'food'"),
        (article_toml("entry.x").replace("order = 10", 'order = "ten"'), "'order'"),
        (article_toml("entry.x").replace("reviewed = 2026-11-01", 'reviewed = "soon"'),
         "'reviewed'"),
        (article_toml("entry.x").replace('status = "reviewed"', 'status = "final"', 1),
         "status 'final'"),
        (article_toml("entry.x").replace('title = "entry.x tg"\n', "", 1), "[tg] 'title'"),
        (article_toml("entry.x").replace('sources = ["Федеральный закон № 115-ФЗ"]\n', ""),
         "'sources' is missing"),
    ],
)
def test_broken_article_named_in_error(write_kb: KbWriter, text: str, fragment: str) -> None:
    root = write_kb(ids=("entry.documents",), overrides={"entry.x": text})
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base(root)
    message = str(info.value)
    assert "entry.x.toml" in message
    assert fragment in message
    # The tolerant reader keeps the good articles.
    kb, issues = read_knowledge_base(root)
    assert "entry.documents" in kb.articles and "entry.x" not in kb.articles
    assert any(fragment in i.message for i in issues)


def test_missing_directory_and_categories(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base(tmp_path / "nowhere")
    assert "categories.toml" in str(info.value)
    assert "articles" in str(info.value)


def test_bad_categories(write_kb: KbWriter) -> None:
    root = write_kb(ids=(), categories='[[category]]\nid = "entry"\ntitle = { ru = "Въезд" }\n')
    with pytest.raises(KnowledgeBaseError, match=r"categories.toml.*title missing in tg, en"):
        load_knowledge_base(root)


def test_hidden_and_non_toml_files_ignored(write_kb: KbWriter) -> None:
    root = write_kb(ids=("entry.documents",))
    (root / "articles" / ".#entry.documents.toml").write_text("garbage [", encoding="utf-8")
    (root / "articles" / "notes.txt").write_text("garbage [", encoding="utf-8")
    assert list(load_knowledge_base(root).articles) == ["entry.documents"]


def test_model_is_immutable(write_kb: KbWriter) -> None:
    kb = load_knowledge_base(write_kb(ids=("entry.documents",)))
    art = kb.article("entry.documents")
    with pytest.raises(AttributeError):
        art.order = 3  # type: ignore[misc]
    with pytest.raises(TypeError):
        kb.articles["x"] = art  # type: ignore[index]
    hash(art)


def test_freshness_dates_and_check_how(write_kb: KbWriter) -> None:
    text = article_toml("entry.x", extra="rules_as_of = 2026-03-11\ncheck_by = 2027-01-01")
    text = text.replace('[ru]\n', '[ru]\ncheck_how = " мвд.рф "\n', 1)
    kb = load_knowledge_base(write_kb(ids=(), overrides={"entry.x": text}))
    art = kb.article("entry.x")
    assert art.rules_as_of == datetime.date(2026, 3, 11)
    assert art.check_by == datetime.date(2027, 1, 1)
    assert art.text("ru").check_how == "мвд.рф"
    assert art.text("en").check_how == ""
    plain = load_knowledge_base(write_kb(ids=("entry.documents",))).article("entry.documents")
    assert plain.rules_as_of is None and plain.check_by is None


def test_freshness_dates_must_be_dates(write_kb: KbWriter) -> None:
    text = article_toml("entry.x", extra='check_by = "next year"')
    with pytest.raises(KnowledgeBaseError, match="'check_by' must be a TOML date"):
        load_knowledge_base(write_kb(ids=(), overrides={"entry.x": text}))
