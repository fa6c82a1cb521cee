"""Articles whose ``check_by`` date has passed: listed by ``/stale`` and sent to the
moderators once a week, so that a rule that may have changed is checked, not forgotten."""

from __future__ import annotations

import datetime
import html
from collections.abc import Callable, Sequence

from telegram.ext import Application

from bot.context import HamrohContext
from bot.kb.check import stale_articles
from bot.kb.model import Article
from bot.services import SERVICES_KEY, Services
from bot.staff import announce

Gettext = Callable[[str], str]
DateFormatter = Callable[[datetime.date], str]

# Mondays at 09:00 Moscow time (PTB counts days from 0 = Sunday).
DIGEST_TIME = datetime.time(6, 0, tzinfo=datetime.UTC)
DIGEST_DAYS = (1,)


def today() -> datetime.date:
    return datetime.datetime.now(datetime.UTC).date()


def render_stale(articles: Sequence[Article], locale: str, _: Gettext,
                 format_date: DateFormatter) -> str:
    if not articles:
        return _("No article is past its “check by” date. Nothing to check this week.")
    lines = ["<b>" + _("Articles to check: the rules in them may have changed") + "</b>", ""]
    for article in articles:
        assert article.check_by is not None
        title = html.escape(article.text(locale).title, quote=False)
        lines.append(_("• {title} (<code>{id}</code>): check by {date}").format(
            title=title, id=article.id, date=format_date(article.check_by)))
    lines += ["", _("Users see a warning at the top of these answers until an editor checks "
                    "the facts and moves “check_by” in the article file.")]
    return "\n".join(lines)


def stale_message(services: Services, locale: str) -> str:
    kb = services.knowledge
    articles = stale_articles(kb.articles.values(), today()) if kb else []
    tr = services.catalogs.get(locale)
    return render_stale(articles, locale, tr.gettext, tr.format_date)


async def stale_digest_job(context: HamrohContext) -> None:
    """The weekly message; nothing is sent in a week with nothing to check."""
    services = context.services
    kb = services.knowledge
    if kb is None or not stale_articles(kb.articles.values(), today()):
        return
    await announce(context.bot, services.settings, services.db,
                   lambda locale: (stale_message(services, locale), None),
                   "stale-articles digest")


def setup_stale_digest(app: Application) -> None:  # type: ignore[type-arg]
    services: Services = app.bot_data[SERVICES_KEY]
    if app.job_queue is None or services is None:
        return
    app.job_queue.run_daily(stale_digest_job, time=DIGEST_TIME, days=DIGEST_DAYS,
                            name="stale-articles")
