"""Wires every handler into the Application, in priority order."""

from __future__ import annotations

from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.handlers import admin, errors, fallback, start, tracking

PRIVATE = filters.ChatType.PRIVATE

# Tracking runs first; then moderators' commands, buttons and typed input (stopped there
# when the sender is staff, passed on otherwise); then a reporter's answer to a moderator;
# then the features in group 0, whose fallbacks come last.
TRACKING_GROUP = -7
BROADCAST_GROUP = -6  # owners writing an announcement: before moderation's typed input
STAFF_GROUP = -5
REPLY_GROUP = -4  # a reporter answering a moderator's question
SUPPORT_GROUP = -3  # tickets: staff answers, /ask, ticket buttons
SUPPORT_USER_GROUP = -2  # a user writing in their open ticket
FEATURE_GROUP = 0


def register_handlers(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(TypeHandler(object, tracking.track_update), group=TRACKING_GROUP)
    register_early_handlers(app)

    app.add_handler(CommandHandler("start", start.start, filters=PRIVATE))
    app.add_handler(CommandHandler("menu", start.menu_command, filters=PRIVATE))
    app.add_handler(CommandHandler("help", start.help_command, filters=PRIVATE))
    app.add_handler(CommandHandler("language", start.language_command, filters=PRIVATE))
    app.add_handler(CommandHandler("reload", admin.reload_knowledge, filters=PRIVATE))
    app.add_handler(CallbackQueryHandler(start.language_chosen, pattern=r"^lang:"))

    register_feature_handlers(app)

    app.add_handler(CallbackQueryHandler(start.menu_button, pattern=r"^menu:"))
    app.add_handler(CallbackQueryHandler(start.stale_button))
    app.add_handler(
        MessageHandler(PRIVATE & filters.UpdateType.EDITED_MESSAGE, fallback.edited_message)
    )
    app.add_handler(MessageHandler(PRIVATE & filters.COMMAND, fallback.unknown_command))
    app.add_handler(
        MessageHandler(PRIVATE & filters.UpdateType.MESSAGE & ~filters.TEXT,
                       fallback.unsupported_message)
    )
    app.add_error_handler(errors.on_error)  # type: ignore[arg-type]


def register_early_handlers(app: Application) -> None:  # type: ignore[type-arg]
    """Handlers that must see an update before any feature does."""
    from bot.broadcasts.handlers import register_broadcast_handlers
    from bot.moderation.handlers import register_moderation_handlers
    from bot.reports.handlers import register_reply_handlers
    from bot.support.handlers import register_support_handlers

    register_broadcast_handlers(app, BROADCAST_GROUP)
    register_moderation_handlers(app, STAFF_GROUP)
    register_reply_handlers(app, REPLY_GROUP)
    register_support_handlers(app, SUPPORT_GROUP, SUPPORT_USER_GROUP)


def register_feature_handlers(app: Application) -> None:  # type: ignore[type-arg]
    """Reports, privacy, answers; each feature adds its own handlers here."""
    from bot.answers.handlers import register_answer_handlers
    from bot.privacy.handlers import register_privacy_handlers
    from bot.reports.handlers import register_report_handlers

    # Reports first: text typed inside a report must never be taken for a question.
    register_report_handlers(app)
    register_privacy_handlers(app)
    register_answer_handlers(app)  # its free-text handler takes any text left
