from __future__ import annotations

import datetime

import pytest

from bot.kb.check import REQUIRED_IDS, Problem, check_knowledge_base
from tests.kb.conftest import TODAY, KbWriter, article_toml


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.level == "error"]


def messages(problems: list[Problem], level: str | None = None) -> str:
    return "\n".join(f"{p.where}: {p.message}" for p in problems
                     if level is None or p.level == level)


def test_required_ids_are_unique() -> None:
    assert len(REQUIRED_IDS) == 36 == len(set(REQUIRED_IDS))


def test_valid_kb_has_no_errors(write_kb: KbWriter) -> None:
    problems = check_knowledge_base(write_kb(), today=TODAY)
    assert errors(problems) == [], messages(problems)


def test_missing_required_article(write_kb: KbWriter) -> None:
    problems = check_knowledge_base(write_kb(ids=REQUIRED_IDS[1:]), today=TODAY)
    assert messages(problems, "error") == (
        f"articles/{REQUIRED_IDS[0]}.toml: required article is missing")


def one(write_kb: KbWriter, text: str, aid: str = "work.extra") -> list[Problem]:
    return check_knowledge_base(write_kb(overrides={aid: text}), today=TODAY)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("x = [", "not valid TOML"),
        (article_toml("work.other"), "does not match the file name"),
        (article_toml("work.extra").replace('category = "work"', 'category = "fun"'),
         "unknown category"),
        (article_toml("work.extra").replace('category = "work"', 'category = "help"'),
         "should start with its category"),
        (article_toml("work.extra", langs=("ru", "en")), "language [tg] is missing"),
        (article_toml("work.extra").replace('title = "work.extra en"', 'title = ""'),
         "'title' is empty"),
        (article_toml("work.extra").replace('keywords = ["work.extra-ru-kw"]', "keywords = []"),
         "'keywords' is empty"),
        (article_toml("work.extra").replace('More about work.extra.\n', "", 1),
         "'details' is empty"),
        (article_toml("work.extra", status="ok"), "status 'ok'"),
        (article_toml("work.extra", sources="[]"), "'sources' must list at least one"),
        (article_toml("work.extra", reviewed="2027-01-01"), "is in the future"),
        (article_toml("work.extra", related='["work.nowhere"]'), "'work.nowhere' does not exist"),
        (article_toml("work.extra").replace('title = "work.extra ru"', f'title = "{"я" * 61}"'),
         "title is 61 characters"),
    ],
)
def test_each_rule_reports_an_error(write_kb: KbWriter, text: str, fragment: str) -> None:
    problems = one(write_kb, text)
    found = [p for p in errors(problems) if fragment in p.message]
    assert found, messages(problems)
    assert all("work.extra.toml" in p.where for p in found)


def test_warnings_only(write_kb: KbWriter) -> None:
    draft = article_toml("work.extra", status="draft", reviewed="2026-01-01")
    shared = article_toml("work.extra_b").replace('"work.extra_b-ru-kw"', '"Патент"')
    other = article_toml("work.extra_c").replace('"work.extra_c-ru-kw"', '"патент "')
    problems = check_knowledge_base(
        write_kb(overrides={"work.extra": draft, "work.extra_b": shared, "work.extra_c": other}),
        today=TODAY)
    assert errors(problems) == [], messages(problems)
    text = messages(problems, "warning")
    assert "work.extra.toml: translation not yet checked by a native speaker: tg, ru, en" in text
    assert "more than 180 days ago" in text
    assert "keyword 'патент' is also in work.extra_c" in text


def test_html_and_length(write_kb: KbWriter) -> None:
    pytest.importorskip("bot.telegram_html")
    bad_html = one(write_kb, article_toml("work.extra", short="a < b"))
    assert any("not valid Telegram HTML" in p.message for p in errors(bad_html))
    bad_tag = one(write_kb, article_toml("work.extra", short="<h1>x</h1>"))
    assert any("not valid Telegram HTML" in p.message for p in errors(bad_tag))
    # Tags and escapes do not count towards the visible length.
    fits = "<b>" + "&amp;" * 600 + "</b>"
    assert errors(one(write_kb, article_toml("work.extra", short=fits))) == []
    too_long = "я" * 601
    assert any("601 visible characters (max 600)" in p.message
               for p in errors(one(write_kb, article_toml("work.extra", short=too_long))))


def test_freshness_rules(write_kb: KbWriter) -> None:
    today = datetime.date(2026, 12, 6)

    def problems(extra: str, how: str = "check_how = \"мвд.рф\"\n") -> list[str]:
        text = article_toml("work.extra", extra=extra).replace("[en]\n", f"[en]\n{how}")
        text = text.replace("[tg]\n", f"[tg]\n{how}").replace("[ru]\n", f"[ru]\n{how}")
        root = write_kb(overrides={"work.extra": text})
        return [f"{p.level}: {p.message}" for p in check_knowledge_base(root, today)
                if p.where.startswith("articles/work.extra.toml")]

    fresh = problems("rules_as_of = 2026-03-11\ncheck_by = 2027-01-01")
    assert not [p for p in fresh if "stale" in p or "check_how" in p or "rules_as_of" in p]
    stale = problems("rules_as_of = 2026-03-11\ncheck_by = 2026-06-30")
    assert any(p.startswith("warning: stale: check_by 2026-06-30") for p in stale)
    root_strict = write_kb(overrides={"work.extra": article_toml(
        "work.extra", extra="rules_as_of = 2026-03-11\ncheck_by = 2026-06-30")})
    strict = [p for p in check_knowledge_base(root_strict, today, strict=True)
              if p.where.startswith("articles/work.extra.toml")]
    assert any(p.level == "error" and "stale" in p.message for p in strict)
    no_how = problems("rules_as_of = 2026-03-11\ncheck_by = 2027-01-01", how="")
    assert sum("'check_how' is empty" in p for p in no_how) == 3
    assert any("'rules_as_of' is missing" in p for p in problems("", how=""))
    assert any("in the future" in p for p in problems("rules_as_of = 2027-03-11"))


def test_examples_too_few_and_shared(write_kb: KbWriter) -> None:
    many = ", ".join(f'"question number {n} about work"' for n in range(20))
    with_examples = article_toml("work.a").replace(
        'keywords = ["work.a-en-kw"]', f'keywords = ["work.a-en-kw"]\nexamples = [{many}]')
    other = article_toml("work.b").replace(
        'keywords = ["work.b-en-kw"]', 'keywords = ["work.b-en-kw"]\n'
        'examples = ["Question number 3 about WORK!"]')
    root = write_kb(ids=(), overrides={"work.a": with_examples, "work.b": other})
    messages = [(p.where, p.message) for p in check_knowledge_base(root, today=TODAY)]
    assert not any(w == "articles/work.a.toml [en]" and "examples" in m for w, m in messages)
    assert ("articles/work.b.toml [en]", "1 examples (at least 20 teach the answer model "
            "this article)") in messages
    assert any("'question number 3 about work' is also in work.b" in m for _, m in messages)


def test_urgent_examples_file(write_kb: KbWriter) -> None:
    root = write_kb()
    path = root / "urgent_examples.jsonl"

    def found() -> list[str]:
        return [f"{p.level} {p.where}: {p.message}"
                for p in check_knowledge_base(root, today=TODAY) if "urgent" in p.where]

    assert any(line.startswith("warning urgent_examples.jsonl: missing") for line in found())
    path.write_text('{"q": "держат в аэропорту", "urgent": true}\n'
                    '{"q": "сколько стоит патент", "urgent": false}\n', encoding="utf-8")
    assert found() == []
    path.write_text('{"q": "держат", "urgent": "yes"}\nnot json\n', encoding="utf-8")
    problems = found()
    assert any(line.startswith("error urgent_examples.jsonl:1") for line in problems)
    assert any(line.startswith("error urgent_examples.jsonl:2") for line in problems)


def test_out_of_scope_examples_file(write_kb: KbWriter) -> None:
    root = write_kb()
    path = root / "out_of_scope_examples.jsonl"

    def found() -> list[str]:
        return [f"{p.level} {p.where}: {p.message}"
                for p in check_knowledge_base(root, today=TODAY) if "scope" in p.where]

    assert any(line.startswith("warning out_of_scope_examples.jsonl: missing")
               for line in found())
    path.write_text('{"q": "курс рубля сегодня", "lang": "ru"}\n', encoding="utf-8")
    assert found() == []
    path.write_text('{"q": ""}\nnot json\n', encoding="utf-8")
    problems = found()
    assert any(line.startswith("error out_of_scope_examples.jsonl:1") for line in problems)
    assert any(line.startswith("error out_of_scope_examples.jsonl:2") for line in problems)
