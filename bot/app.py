"""Builds the python-telegram-bot Application: the same object in production,
in the playground and in the end-to-end tests."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import Application, ContextTypes, Defaults

from bot.aiohttp_request import AiohttpRequest
from bot.broadcasts.handlers import setup_broadcasts
from bot.commands import register_commands
from bot.config import Settings
from bot.context import HamrohContext
from bot.flood import FloodGuard
from bot.handlers import register_handlers
from bot.i18n import Catalogs
from bot.moderation.stale import setup_stale_digest
from bot.persistence import SqlitePersistence
from bot.processor import PerChatUpdateProcessor
from bot.ratelimit import PriorityRateLimiter
from bot.reports.handlers import setup_reports
from bot.services import SERVICES_KEY, Services
from bot.storage import Database
from bot.support.handlers import setup_support

log = logging.getLogger(__name__)

HamrohApplication = Application[Any, HamrohContext, dict[str, Any], dict[str, Any],
                                dict[str, Any], Any]

# One slow database call or a user on a bad network must not stall everyone else;
# Telegram's ~30 messages/s outgoing limit is far below what this allows.
CONCURRENT_UPDATES = 16
# Connections to the Bot API (sent with aiohttp: bot/aiohttp_request.py); 8 requests in
# flight carry well over Telegram's 30 messages/s at real round-trip times.
CONNECTION_POOL_SIZE = 8
# Seconds between two getUpdates calls when the last one returned updates: under load
# updates come in batches (one getUpdates per update cost as much CPU as a reply);
# a quiet bot still gets each update at once, through the long poll.
POLL_INTERVAL = 0.03
BUILD_WAIT_AT_STOP = 60.0  # s; the build takes a few
ALLOWED_UPDATES = [
    Update.MESSAGE,
    Update.EDITED_MESSAGE,
    Update.CALLBACK_QUERY,
    Update.MY_CHAT_MEMBER,
]


def build_services(settings: Settings) -> Services:
    services = Services(
        settings=settings,
        db=Database(settings.database_path),
        catalogs=Catalogs.load(),
        flood=FloodGuard(burst=settings.flood_per_minute, period=60.0),
    )
    load_knowledge(services)
    return services


def load_knowledge(services: Services) -> None:
    """Load articles and build the search index once. A broken knowledge base must not
    stop incident reports, so the bot then runs and says answers are unavailable."""
    from bot.kb.loader import KnowledgeBaseError, load_knowledge_base
    from bot.search.cache import BuildCache
    from bot.search.engine import SearchEngine

    try:
        knowledge = load_knowledge_base()
    except KnowledgeBaseError as error:
        log.error("knowledge base not loaded: %s", error)
        return
    services.knowledge = knowledge
    cache = BuildCache.of(services)
    services.search = SearchEngine.build_in_background(knowledge, cache)
    log.info("knowledge base loaded: %d articles", len(knowledge.articles))


def build_application(
    settings: Settings, services: Services | None = None, *, rate_limit: bool = True
) -> HamrohApplication:
    if not settings.bot_token:
        raise ValueError("build_application needs a bot token (the playground supplies one)")
    services = services or build_services(settings)
    processor = PerChatUpdateProcessor(CONCURRENT_UPDATES)
    builder = (
        Application.builder()
        .token(settings.bot_token)
        .context_types(ContextTypes(context=HamrohContext))
        .defaults(Defaults(parse_mode=ParseMode.HTML,
                           link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .persistence(SqlitePersistence(services.db, services.crypto_keys))
        .concurrent_updates(processor)
        .request(AiohttpRequest(CONNECTION_POOL_SIZE, pool_timeout=10.0))
        .get_updates_request(AiohttpRequest(1))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if rate_limit and not settings.benchmark_no_rate_limit:
        # ~30 messages/s overall, answers before broadcasts; retries 429 answers
        builder = builder.rate_limiter(PriorityRateLimiter(max_retries=3))
    if settings.telegram_base_url:
        builder = builder.base_url(settings.telegram_base_url)
    if settings.telegram_base_file_url:
        builder = builder.base_file_url(settings.telegram_base_file_url)
    app: HamrohApplication = builder.build()
    app.bot_data[SERVICES_KEY] = services
    processor.after_update = _persistence_flusher(app)
    register_handlers(app)
    return app


def _persistence_flusher(app: HamrohApplication) -> Callable[[object], Awaitable[None]]:
    """Write what an update changed as soon as it is handled.

    PTB marks the update's user for saving only after the processor returns, so mark
    them here first; otherwise their data would wait for the next flush."""

    async def flush(update: object) -> None:
        if isinstance(update, Update) and update.effective_user is not None:
            app.mark_data_for_update_persistence(user_ids=update.effective_user.id)
        await app.update_persistence()

    return flush


async def _post_init(app: HamrohApplication) -> None:
    services: Services = app.bot_data[SERVICES_KEY]
    await services.db.connect()
    await register_commands(app.bot, services.catalogs)
    setup_reports(app)  # report key (created on first run) and draft expiry
    setup_broadcasts(app)  # resume one that a restart interrupted
    setup_support(app)  # retention of closed tickets' identity link
    setup_stale_digest(app)  # every Monday: articles whose rules may have changed
    await seal_legacy_questions(services)  # questions stored in clear before migration 9
    if app.job_queue is not None:
        app.job_queue.run_repeating(_purge_old_questions, interval=timedelta(hours=6),
                                    first=timedelta(seconds=20), name="question-retention")
    if app.job_queue is not None:
        app.job_queue.run_repeating(_prune_processed_updates, interval=timedelta(hours=6),
                                    first=timedelta(minutes=1), name="prune-processed")
    if app.job_queue is not None and services.settings.user_retention_days > 0:
        app.job_queue.run_repeating(_forget_idle_users, interval=timedelta(hours=24),
                                    first=timedelta(minutes=2), name="user-retention")
    log.info("bot started as @%s", app.bot.username)


async def _post_shutdown(app: HamrohApplication) -> None:
    services: Services = app.bot_data[SERVICES_KEY]
    await services.db.close()
    if services.search is not None:  # a stop in the first seconds: end the index build
        await asyncio.to_thread(services.search.stop_building, BUILD_WAIT_AT_STOP)
    log.info("bot stopped")


async def seal_legacy_questions(services: Services) -> None:
    from bot.sealing import seal_question

    rows = await services.db.questions.legacy_unanswered()
    if rows:
        keys = services.crypto_keys()
        await services.db.questions.seal_legacy(
            [(row_id, seal_question(keys, row_id, text)) for row_id, text in rows])
        log.info("encrypted %d questions stored before encryption", len(rows))


async def _purge_old_questions(context: HamrohContext) -> None:
    """Unanswered questions are for editors, for a while: QUESTION_RETENTION_DAYS; what
    the bot keeps about an idle user's last question goes after the same time."""
    from datetime import UTC, datetime

    settings = context.services.settings
    cutoff = datetime.now(UTC) - timedelta(days=settings.question_retention_days)
    deleted = await context.services.db.questions.purge_unanswered_before(
        cutoff.isoformat(timespec="seconds"))
    if deleted:
        log.info("deleted %d unanswered questions past their retention", deleted)
    # The question waiting for "Ask a person" and the last article read: same retention.
    persistence = context.application.persistence
    if isinstance(persistence, SqlitePersistence):
        idle = await persistence.expire_user_data(cutoff)
        if idle:
            log.info("deleted the stored data of %d users idle past the retention", idle)


async def _prune_processed_updates(context: HamrohContext) -> None:
    await context.services.db.state.prune_processed()


async def _forget_idle_users(context: HamrohContext) -> None:
    """USER_RETENTION_DAYS: who has not written for that long is forgotten."""
    from datetime import UTC, datetime

    days = context.services.settings.user_retention_days
    cutoff = (datetime.now(UTC) - timedelta(days=days)).date().isoformat()
    forgotten = await context.services.db.users.forget_idle(cutoff)
    if forgotten:
        log.info("forgot %d users idle past the retention", forgotten)
