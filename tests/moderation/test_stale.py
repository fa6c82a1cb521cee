"""Articles past their "check by" date: the list moderators get."""

from __future__ import annotations

import dataclasses
import datetime

from bot.i18n import Catalogs
from bot.kb.check import stale_articles
from bot.kb.loader import load_knowledge_base
from bot.moderation.stale import render_stale
from bot.telegram_html import parse_html

KB = load_knowledge_base()


def test_stale_articles_are_those_past_check_by() -> None:
    base = KB.article("rights.detention")
    assert base is not None
    past = dataclasses.replace(base, id="a.past", check_by=datetime.date(2026, 6, 30))
    today = dataclasses.replace(base, id="a.today", check_by=datetime.date(2026, 12, 6))
    future = dataclasses.replace(base, id="a.future", check_by=datetime.date(2027, 1, 1))
    none = dataclasses.replace(base, id="a.none", check_by=None)
    found = stale_articles([future, today, none, past], datetime.date(2026, 12, 6))
    assert [a.id for a in found] == ["a.past", "a.today"]


def test_the_list_names_each_article_in_the_moderators_language() -> None:
    catalogs = Catalogs.load()
    stale = stale_articles(KB.articles.values(), datetime.date(2026, 12, 6))
    for locale in ("tg", "ru", "en"):
        tr = catalogs.get(locale)
        text = render_stale(stale, locale, tr.gettext, tr.format_date)
        parse_html(text)
        for article in stale:
            assert article.id in text and article.text(locale).title[:20] in text
        empty = render_stale([], locale, tr.gettext, tr.format_date)
        assert empty == tr.gettext("No article is past its “check by” date. Nothing to check "
                                   "this week.")


async def test_the_weekly_job_sends_only_when_something_is_stale() -> None:
    from types import SimpleNamespace

    from bot.moderation.stale import stale_digest_job

    sent: list[tuple[int, str]] = []

    class Bot:
        async def send_message(self, chat_id: int, text: str, **_: object) -> None:
            sent.append((chat_id, text))

    settings = SimpleNamespace(moderation_chat_id=-1001, moderation_locale="en")
    services = SimpleNamespace(settings=settings, db=None, knowledge=KB,
                               catalogs=Catalogs.load())
    context = SimpleNamespace(services=services, bot=Bot())
    await stale_digest_job(context)  # type: ignore[arg-type]
    stale = stale_articles(KB.articles.values(), datetime.datetime.now(datetime.UTC).date())
    assert len(sent) == (1 if stale else 0)
    if stale:
        assert sent[0][0] == -1001 and stale[0].id in sent[0][1]
    sent.clear()
    fresh = dataclasses.replace(KB, articles={})
    services.knowledge = fresh
    await stale_digest_job(context)  # type: ignore[arg-type]
    assert sent == []
