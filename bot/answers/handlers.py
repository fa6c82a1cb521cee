"""Free text in a private chat is a question: search, then answer, offer choices, or a person."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from bot import keyboards
from bot.answers import articles
from bot.answers.articles import send_article
from bot.answers.rules import MAX_QUESTION_CHARS, Decision, Reply, decide
from bot.context import HamrohContext
from bot.i18n import LANGUAGE_NAMES
from bot.sealing import question_owner, seal_comment, seal_pending_question, seal_question
from bot.views.articles import ASK_PERSON, choices_keyboard

log = logging.getLogger(__name__)

LAST_QUESTION_KEY = "last_question"
OFFERED_LANGUAGES_KEY = "languages_offered"
PRIVATE = filters.ChatType.PRIVATE


async def prompt_question(update: Update, context: HamrohContext) -> None:
    if update.callback_query:
        await update.callback_query.answer()
    assert update.effective_chat is not None
    await context.bot.send_message(
        update.effective_chat.id,
        context.gettext("Please type your question in your own words, for example: "
                        "<i>How long can I stay without a patent?</i>"),
    )


async def answer_question(update: Update, context: HamrohContext) -> None:
    message = update.effective_message
    assert message is not None and message.text is not None
    services = context.services
    if services.search is None or services.knowledge is None:
        await message.reply_text(context.gettext(
            "Sorry, the answers are not available right now. Please try later."))
        return
    if await _take_comment(update, context, message.text):
        return
    question = message.text[:MAX_QUESTION_CHARS]
    result = services.search.search(question)
    decision = decide(result, context.locale)
    if update.effective_user is not None:
        _remember_question(context, update.effective_user.id, question)
    log.info("question answered: %s", decision.reply.value)

    if decision.reply is Reply.ANSWER:
        await send_article(update, context, decision.article_ids[0], lang=decision.answer_lang,
                           also=decision.article_ids[1:])
    elif decision.reply is Reply.CHOICES:
        await _log_unanswered(update, context, question, result.lang, decision.article_ids,
                              "unsure")
        await _send_choices(update, context, decision)
    elif decision.reply is Reply.NOT_FOUND:
        await _log_unanswered(update, context, question, result.lang, (), "not_found")
        await _send_not_found(update, context, decision)
    else:
        await _send_smalltalk(update, context, decision)
    if decision.offer_switch and _first_offer_of(context, decision.answer_lang):
        await _offer_language_switch(update, context, decision.answer_lang)


def _first_offer_of(context: HamrohContext, lang: str) -> bool:
    """Offer each language once: someone who keeps their language while asking in
    another (a relative's phone, copied text) is not asked again after every answer."""
    if context.user_data is None:
        return True
    offered = context.user_data.setdefault(OFFERED_LANGUAGES_KEY, [])
    if lang in offered:
        return False
    offered.append(lang)
    return True


async def _log_unanswered(update: Update, context: HamrohContext, question: str, lang: str,
                          best_ids: tuple[str, ...], reason: str) -> None:
    """For the editors: the question encrypted and bound to its row, with a keyed hash of
    who asked (so /forget can remove it) and deleted after QUESTION_RETENTION_DAYS."""
    assert update.effective_user is not None
    keys = context.services.crypto_keys()
    await context.services.db.questions.add_unanswered(
        lambda row_id: seal_question(keys, row_id, question),
        question_owner(keys, update.effective_user.id), lang, best_ids, reason)


def _remember_question(context: HamrohContext, user_id: int, question: str) -> None:
    """Keep the question (encrypted: user data is plain JSON on disk) for "Ask a person"."""
    if context.user_data is None:
        return
    keys = context.services.crypto_keys()
    context.user_data[LAST_QUESTION_KEY] = seal_pending_question(keys, user_id, question)


async def _send_choices(update: Update, context: HamrohContext, decision: Decision) -> None:
    kb = context.services.knowledge
    assert kb is not None and update.effective_chat is not None
    translator = context.services.catalogs.get(decision.answer_lang)
    articles = [a for i in decision.article_ids if (a := kb.article(i)) is not None]
    await context.bot.send_message(
        update.effective_chat.id,
        translator.gettext("I am not sure I understood. Is it one of these? "
                           "If not, you can ask a person."),
        reply_markup=choices_keyboard(articles, translator, decision.answer_lang),
    )


async def _send_not_found(update: Update, context: HamrohContext, decision: Decision) -> None:
    assert update.effective_chat is not None
    _ = context.services.catalogs.get(decision.answer_lang).gettext
    await context.bot.send_message(
        update.effective_chat.id,
        _("Sorry, I do not have an answer to this. I can help with entry to Russia, "
          "documents, work, police checks and your rights. You can also ask a person."),
        reply_markup=keyboards.column([
            keyboards.button(_(ASK_PERSON), "human", "ask"),
            keyboards.button(_(keyboards.MENU_TOPICS), "menu", "topics"),
            keyboards.button(_(keyboards.BACK_TO_MENU), "menu", "main"),
        ]),
    )


async def _send_smalltalk(update: Update, context: HamrohContext, decision: Decision) -> None:
    assert update.effective_chat is not None
    _ = context.services.catalogs.get(decision.answer_lang).gettext
    replies = {
        "greeting": _("Hello! I am here to help. Type your question or choose from the menu."),
        "thanks": _("You are welcome! Take care of yourself."),
        "request": _("Of course. Please type your question in a few words, for example: "
                     "<i>How do I check for an entry ban?</i> Or choose a topic below."),
        "insult": _("I understand that things can be hard. I am here to help if you need "
                    "anything: type your question or choose from the menu."),
    }
    text = replies.get(decision.smalltalk or "", replies["greeting"])
    await context.bot.send_message(update.effective_chat.id, text,
                                   reply_markup=keyboards.main_menu(_))


async def _offer_language_switch(update: Update, context: HamrohContext, lang: str) -> None:
    assert update.effective_chat is not None
    _ = context.services.catalogs.get(lang).gettext
    await context.bot.send_message(
        update.effective_chat.id,
        _("Would you like me to use {language} from now on?").format(
            language=LANGUAGE_NAMES[lang]),
        reply_markup=keyboards.column([
            keyboards.button(_("Yes, switch to {language}").format(language=LANGUAGE_NAMES[lang]),
                             "lang", lang),
            keyboards.button(_("No, thanks"), "lang", keyboards.KEEP_LANGUAGE),
        ]),
    )


MAX_COMMENT_CHARS = 1000


async def _take_comment(update: Update, context: HamrohContext, text: str) -> bool:
    """After "Tell us what was missing", the next text is that comment, not a question."""
    from bot.answers.articles import COMMENT_KEY

    article_id = (context.user_data or {}).pop(COMMENT_KEY, None)
    if not isinstance(article_id, str):
        return False
    services = context.services
    sealed = seal_comment(services.crypto_keys(), article_id, text[:MAX_COMMENT_CHARS])
    await services.db.questions.add_comment(article_id, context.locale, sealed)
    log.info("a comment on an unhelpful answer was stored")
    assert update.effective_message is not None
    _ = context.gettext
    await update.effective_message.reply_text(
        _("Thank you! The editors will read it."), reply_markup=keyboards.main_menu(_))
    return True


def register_answer_handlers(app: Application) -> None:  # type: ignore[type-arg]
    """Menu buttons for topics, the emergency article and asking; article and feedback
    buttons; and, last, any text: a question."""
    app.add_handler(CallbackQueryHandler(articles.show_topics, pattern=r"^menu:topics$"))
    app.add_handler(CallbackQueryHandler(articles.show_emergency, pattern=r"^menu:emergency$"))
    app.add_handler(CallbackQueryHandler(prompt_question, pattern=r"^menu:ask$"))
    app.add_handler(CallbackQueryHandler(articles.knowledge_button, pattern=r"^kb:"))
    app.add_handler(CallbackQueryHandler(articles.feedback_button, pattern=r"^fb:"))
    app.add_handler(MessageHandler(
        PRIVATE & filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND, answer_question))
