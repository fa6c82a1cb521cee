"""The gate in front of every staff command and button, shared by the staff features
(moderation, support, broadcasts).

A handler wrapped in ``staff_only`` first checks the role of the person who sent this very
update (never the chat's). For anyone else it returns without a word, so the update goes
on to the ordinary handlers: a non-moderator's ``/queue`` gets the usual "unknown command",
a forged button the usual "no longer available". Handled updates stop there; a handler
that finds an update is not for it after all raises ``PassOn``.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import ApplicationHandlerStop

from bot.commands import set_staff_commands
from bot.context import HamrohContext
from bot.handlers.tracking import restore_locale
from bot.staff import Role, role_of

log = logging.getLogger(__name__)

MENU_KEY = "staff_menu"  # the role and language their command menu was last set for

StaffHandler = Callable[[Update, HamrohContext, Role], Awaitable[None]]


class PassOn(Exception):
    """Raised inside a staff handler to let the update go on to the ordinary handlers."""


async def staff_role(update: Update, context: HamrohContext) -> Role | None:
    user = update.effective_user
    services = context.services
    role = await role_of(services.settings, services.db, user.id if user else None)
    if role is None or user is None:
        return None
    name = " ".join(part for part in (user.first_name, user.last_name) if part)
    await services.db.staff.remember_name(user.id, name or f"id {user.id}")
    chat = update.effective_chat
    if chat is not None and chat.type != ChatType.PRIVATE:
        await restore_locale(update, context)  # groups skip tracking's language lookup
    elif context.user_data is not None:
        await _keep_staff_menu(context, user.id, role)
    return role


async def _keep_staff_menu(context: HamrohContext, user_id: int, role: Role) -> None:
    """The moderator commands in this person's own command menu, in their language; set
    again only when the role or the language changed."""
    assert context.user_data is not None
    wanted = f"{role.value}:{context.locale}"
    if context.user_data.get(MENU_KEY) == wanted:
        return
    if await set_staff_commands(context.bot, context.services.catalogs, user_id,
                                context.locale, owner=role is Role.OWNER):
        context.user_data[MENU_KEY] = wanted


def staff_only(*, owners: bool = False, quiet: bool = False) -> Callable[[StaffHandler], Any]:
    """``quiet``: ordinary messages also pass through here; do not log each one."""

    def decorate(handler: StaffHandler) -> Any:
        @wraps(handler)
        async def wrapper(update: Update, context: HamrohContext) -> None:
            user = update.effective_user
            if owners and (user is None or not context.services.is_admin(user.id)):
                role = None  # owners are known from the settings: no database lookup
            else:
                role = await staff_role(update, context)
            if role is None or (owners and role is not Role.OWNER):
                if not quiet:
                    log.info("a moderator command or button from someone without the role "
                             "was refused")
                chat = update.effective_chat
                if update.callback_query is not None and chat is not None \
                        and chat.type != ChatType.PRIVATE:
                    # In the moderation group: no menu, no hint, nothing.
                    with contextlib.suppress(BadRequest):
                        await update.callback_query.answer()
                    raise ApplicationHandlerStop
                return
            await handler(update, context, role)
            raise ApplicationHandlerStop

        return wrapper

    return decorate



def passing_on(handler: Any) -> Any:
    """Let a staff handler hand an ordinary update back to the ordinary handlers."""

    @wraps(handler)
    async def wrapper(update: Update, context: HamrohContext) -> None:
        try:
            await handler(update, context)
        except PassOn:
            return

    return wrapper
