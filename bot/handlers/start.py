"""/start, /menu, /help, /language and the main-menu buttons that belong to no feature."""

from __future__ import annotations

import html

from telegram import Update

from bot import keyboards
from bot.callbacks import unpack
from bot.context import HamrohContext
from bot.handlers.messaging import replace_keyboard
from bot.i18n import LANGUAGE_NAMES, SUPPORTED_LOCALES


def picker_text(context: HamrohContext) -> str:
    """The picker greets in all three languages: the user has not chosen one yet."""
    catalogs = context.services.catalogs
    return "\n".join(
        catalogs.get(code).gettext("Hello! Please choose your language.")
        for code in SUPPORTED_LOCALES
    )


def welcome_text(context: HamrohContext, first_name: str | None) -> str:
    _ = context.gettext
    greeting = _("Welcome, {name}!").format(name=html.escape(first_name or "")) if first_name \
        else _("Welcome!")
    return "\n\n".join(
        [
            f"<b>{greeting}</b>",
            _("I am Hamroh, a companion for Tajik migrants travelling to and living in Russia."),
            _("I answer questions about entry rules and your rights, with the law behind each "
              "answer, and I take reports of incidents at the border or with the police."),
            _("I am not a lawyer. Always confirm important decisions with an official body."),
        ]
    )


def menu_text(context: HamrohContext) -> str:
    return context.gettext("What would you like to do? Choose below or simply type your question.")


async def start(update: Update, context: HamrohContext) -> None:
    assert update.effective_message is not None and update.effective_user is not None
    record = await context.services.db.users.get(update.effective_user.id)
    if record is None or record.locale is None:
        await update.effective_message.reply_text(
            picker_text(context), reply_markup=keyboards.language_picker()
        )
        return
    await update.effective_message.reply_text(
        welcome_text(context, update.effective_user.first_name)
    )
    await show_menu(update, context)


async def show_menu(update: Update, context: HamrohContext) -> None:
    assert update.effective_chat is not None
    await context.bot.send_message(
        update.effective_chat.id, menu_text(context),
        reply_markup=keyboards.main_menu(context.gettext),
    )


async def menu_command(update: Update, context: HamrohContext) -> None:
    await show_menu(update, context)


async def language_command(update: Update, context: HamrohContext) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(
        picker_text(context), reply_markup=keyboards.language_picker(context.locale)
    )


async def help_command(update: Update, context: HamrohContext) -> None:
    assert update.effective_message is not None
    _ = context.gettext
    title = _("How to use Hamroh")
    lines = [
        f"<b>{title}</b>",
        _("Type a question in Tajik, Russian or English, in your own words."),
        _("Or use the buttons: questions by topic, reporting an incident, emergency help."),
        "",
        _("/menu – main menu"),
        _("/report – report an incident"),
        _("/myreports – your reports and their status"),
        _("/language – change the language"),
        _("/forget – delete your data"),
        _("/cancel – stop what you are doing"),
        "",
        _("Answers are general information, not legal advice. Rules change often: "
          "each answer shows its legal source and the date it was last checked."),
    ]
    await update.effective_message.reply_text("\n".join(lines),
                                              reply_markup=keyboards.main_menu(_))


async def language_chosen(update: Update, context: HamrohContext) -> None:
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    callback = unpack(query.data)
    code = callback.arg(0) if callback else ""
    if code == keyboards.KEEP_LANGUAGE:  # "No, thanks" under an offer to switch
        await query.answer()
        await replace_keyboard(update, None)
        return
    if code not in SUPPORTED_LOCALES:
        await query.answer()
        return
    await context.services.db.users.set_locale(update.effective_user.id, code)
    context.locale = code
    await query.answer(LANGUAGE_NAMES[code])
    await replace_keyboard(update, keyboards.language_picker(code))  # tick the choice
    await context.bot.send_message(
        update.effective_user.id, welcome_text(context, update.effective_user.first_name)
    )
    await show_menu(update, context)


async def menu_button(update: Update, context: HamrohContext) -> None:
    """``menu:main`` and ``menu:lang``; features register handlers for their own buttons
    before this one, so anything left here is stale or forged."""
    query = update.callback_query
    assert query is not None
    callback = unpack(query.data)
    target = callback.arg(0) if callback else ""
    if target == "main":
        await query.answer()
        await show_menu(update, context)
    elif target == "lang":
        await query.answer()
        await language_command(update, context)
    else:
        await stale_button(update, context)


async def stale_button(update: Update, context: HamrohContext) -> None:
    """Any callback we do not recognise: an old keyboard, or forged data."""
    query = update.callback_query
    assert query is not None
    await query.answer(context.gettext("This button is no longer available."))
    await show_menu(update, context)
