"""Deleting everything that links to a person (``/forget``), in one place."""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass

from telegram import Bot
from telegram.error import TelegramError

from bot.persistence import SqlitePersistence
from bot.reports.service import ReportService
from bot.sealing import question_owner
from bot.services import Services
from bot.support.service import TicketService

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Forgotten:
    """What ``forget_person`` did: reports kept without the link, reports deleted."""

    unlinked: int
    withdrawn: int


async def reports_sent(services: Services, user_id: int) -> int:
    """How many reports still link to the person (the confirmation screen counts them)."""
    return await ReportService.from_services(services).count_of(user_id)


async def forget_person(services: Services, bot: Bot, persistence: object, user_id: int,
                        *, withdraw: bool) -> Forgotten:
    """Delete the person's draft, their link to their reports (with ``withdraw`` the
    reports too), their questions, conversations with volunteers (and the copies staff
    were shown, where Telegram still allows it), broadcast deliveries, conversation
    state and user row; then fold the WAL into the file (old page images named them)."""
    result = await ReportService.from_services(services).forget(user_id, withdraw=withdraw)
    if isinstance(persistence, SqlitePersistence):  # committed now, not at the next flush
        await persistence.forget_user(user_id)
    keys = services.crypto_keys()
    await services.db.questions.delete_unanswered_of(question_owner(keys, user_id))
    deleted, copies = await TicketService(services.db, keys).forget(user_id)
    for chat_id, message_id in copies:
        with contextlib.suppress(TelegramError):
            await bot.delete_message(chat_id, message_id)
    if deleted:
        log.info("a user's support conversations were deleted (%d)", deleted)
    await services.db.broadcasts.forget_user(user_id)
    await services.db.users.delete(user_id)
    await services.db.checkpoint()
    log.info("a user deleted their data (withdraw=%s)", withdraw)
    return Forgotten(unlinked=result.unlinked, withdrawn=result.withdrawn)
