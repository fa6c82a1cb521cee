"""Browsing the knowledge base: topics → questions → answer → details, plus feedback."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Sequence

from telegram import Message, Update

from bot import keyboards
from bot.callbacks import unpack
from bot.context import HamrohContext
from bot.handlers.messaging import edit_or_send, replace_keyboard
from bot.handlers.start import show_menu, stale_button
from bot.i18n import N_
from bot.kb.model import Article
from bot.views.articles import (
    ASK_PERSON,
    DETAILS,
    SHORT,
    SOURCES_VIEW,
    article_details,
    article_keyboard,
    article_short,
    article_sources,
    categories_view,
    category_view,
    related_articles,
)

log = logging.getLogger(__name__)

LAST_ARTICLE_KEY = "last_article"  # read by the support tickets
COMMENT_KEY = "comment_for"  # the article whose 👎 the user is about to explain
TELL_US = N_("✍️ Tell us what was missing")

EMERGENCY_ARTICLE = "help.emergency"
CONTACTS_ARTICLE = "help.contacts"


async def show_topics(update: Update, context: HamrohContext) -> None:
    kb = context.services.knowledge
    if update.callback_query:
        await update.callback_query.answer()
    if kb is None:
        await _knowledge_unavailable(update, context)
        return
    text, markup = categories_view(kb, context.translator, context.locale)
    await edit_or_send(update, context, text, markup)


async def send_article(update: Update, context: HamrohContext, article_id: str, *,
                       lang: str | None = None, edit: bool = False,
                       also: Sequence[str] = ()) -> bool:
    """Show an article's short answer; False when the id is unknown. ``also``: articles
    offered first under it, before its own related ones."""
    kb = context.services.knowledge
    article = kb.article(article_id) if kb else None
    if article is None:
        return False
    lang = lang or context.locale
    if context.user_data is not None:  # "Ask a person" tells the volunteer what was read
        context.user_data[LAST_ARTICLE_KEY] = article_id
    translator = context.services.catalogs.get(lang)
    text = article_short(article, lang, translator, today=_today())
    assert kb is not None
    markup = article_keyboard(article, translator, lang,
                              related=related_articles(article, kb, first=also))
    if edit:
        await edit_or_send(update, context, text, markup)
    else:
        assert update.effective_chat is not None
        await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)
    return True


def _today() -> datetime.date:
    return datetime.datetime.now(datetime.UTC).date()


def _shown_view(message: object, article: Article) -> str:
    """Which screen of ``article`` a message shows, read from its buttons: the first
    screen offers Details, the details offer Sources only."""
    data: set[str] = set()
    if isinstance(message, Message) and message.reply_markup is not None:
        data = {str(b.callback_data) for row in message.reply_markup.inline_keyboard
                for b in row}
    if f"kb:{DETAILS}:{article.id}" in data or f"kb:{SHORT}:{article.id}" not in data:
        return SHORT
    return DETAILS if f"kb:{SOURCES_VIEW}:{article.id}" in data else SOURCES_VIEW


async def knowledge_button(update: Update, context: HamrohContext) -> None:
    """``kb:c:<category>``, ``kb:a:<article>``, ``kb:d:<article>``."""
    query = update.callback_query
    assert query is not None
    callback = unpack(query.data)
    kb = context.services.knowledge
    if callback is None or kb is None:
        await stale_button(update, context)
        return
    action, target = callback.arg(0), callback.arg(1)
    if action == "c" and (category := kb.category(target)) is not None:
        await query.answer()
        text, markup = category_view(kb, category, context.translator, context.locale)
        await edit_or_send(update, context, text, markup)
    elif action == "a" and kb.article(target) is not None:
        await query.answer()
        await send_article(update, context, target, edit=True)
    elif action in {DETAILS, SOURCES_VIEW} and (article := kb.article(target)) is not None:
        await query.answer()
        lang, translator = context.locale, context.translator
        text = (article_details(article, lang, translator, today=_today()) if action == DETAILS
                else article_sources(article, lang, translator))
        markup = article_keyboard(article, translator, lang, view=action,
                                  related=related_articles(article, kb))
        await edit_or_send(update, context, text, markup)
    else:
        await stale_button(update, context)


async def feedback_button(update: Update, context: HamrohContext) -> None:
    """``fb:u:<article>`` / ``fb:d:<article>``: store the vote (no user id), thank the user."""
    query = update.callback_query
    assert query is not None
    callback = unpack(query.data)
    kb = context.services.knowledge
    article_id = callback.arg(1) if callback else ""
    vote = callback.arg(0) if callback else ""
    if kb is None or kb.article(article_id) is None or vote not in {"u", "d", "c"}:
        await stale_button(update, context)
        return
    _ = context.gettext
    if vote == "c":  # "Tell us what was missing": the next text is the comment
        await query.answer()
        if context.user_data is not None:
            context.user_data[COMMENT_KEY] = article_id
        assert update.effective_chat is not None
        await context.bot.send_message(update.effective_chat.id, _(
            "Please write in one message what was missing or wrong in this answer. The "
            "editors read it to improve the answers. Please do not write your name or "
            "document numbers."))
        return
    await context.services.db.questions.add_feedback(article_id, vote == "u", context.locale)
    await query.answer(_("Thank you for your feedback!"))
    article = kb.article(article_id)
    assert article is not None
    # Drop the vote buttons so one answer gets one vote; the way onwards stays as it was
    # for the screen the message shows.
    await replace_keyboard(update, article_keyboard(
        article, context.translator, context.locale, view=_shown_view(query.message, article),
        related=related_articles(article, kb), feedback=False))
    if vote == "d":
        assert update.effective_chat is not None
        await context.bot.send_message(
            update.effective_chat.id,
            _("Sorry that this did not help. You can ask a person, "
              "or type your question in other words."),
            reply_markup=keyboards.column([
                keyboards.button(_(ASK_PERSON), "human", "ask"),
                keyboards.button(_(TELL_US), "fb", "c", article_id),
                keyboards.button(_(keyboards.BACK_TO_MENU), "menu", "main"),
            ]),
        )


async def show_emergency(update: Update, context: HamrohContext) -> None:
    if update.callback_query:
        await update.callback_query.answer()
    if not await send_article(update, context, EMERGENCY_ARTICLE):
        await _knowledge_unavailable(update, context)
        return
    await send_article(update, context, CONTACTS_ARTICLE)


async def _knowledge_unavailable(update: Update, context: HamrohContext) -> None:
    assert update.effective_chat is not None
    await context.bot.send_message(
        update.effective_chat.id,
        context.gettext("Sorry, the answers are not available right now. Please try later."),
    )
    await show_menu(update, context)
