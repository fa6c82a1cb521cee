"""Owner commands (ADMIN_IDS). Moderation of reports comes in its own module later."""

from __future__ import annotations

import asyncio
import html
import logging

from telegram import Update

from bot.context import HamrohContext
from bot.handlers.fallback import unknown_command
from bot.kb.loader import KnowledgeBaseError, load_knowledge_base
from bot.search.cache import BuildCache
from bot.search.engine import SearchEngine, return_free_memory

log = logging.getLogger(__name__)


async def reload_knowledge(update: Update, context: HamrohContext) -> None:
    """/reload: read the articles again and rebuild the search index, without a restart."""
    assert update.effective_message is not None and update.effective_user is not None
    services = context.services
    if not services.is_admin(update.effective_user.id):
        await unknown_command(update, context)  # the command does not exist for others
        return
    _ = context.gettext
    try:
        # Building the index takes a second or two of CPU: keep the event loop free.
        knowledge = await asyncio.to_thread(load_knowledge_base)
        cache = BuildCache.of(services)
        engine = await asyncio.to_thread(SearchEngine.build_isolated, knowledge, cache=cache)
    except KnowledgeBaseError as error:
        log.warning("knowledge base reload failed")
        await update.effective_message.reply_text(
            _("The knowledge base was not reloaded; the old version stays in use. "
              "Run “python -m bot kb check” to see the problem.")
            + f"\n<code>{html.escape(str(error), quote=False)[:1500]}</code>"
        )
        return
    services.knowledge, services.search = knowledge, engine
    await asyncio.to_thread(return_free_memory)  # the old index's pages
    log.info("knowledge base reloaded: %d articles", len(knowledge.articles))
    await update.effective_message.reply_text(
        context.ngettext("Knowledge base reloaded: {count} article.",
                         "Knowledge base reloaded: {count} articles.",
                         len(knowledge.articles)).format(count=len(knowledge.articles))
    )

