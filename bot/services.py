"""What handlers need from the process, built once at start and kept in ``bot_data``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.flood import FloodGuard
from bot.i18n import Catalogs
from bot.storage import Database

if TYPE_CHECKING:
    from bot.kb.model import KnowledgeBase
    from bot.reports.crypto import ReportKeys
    from bot.search.engine import SearchEngine

SERVICES_KEY = "services"


@dataclass
class Services:
    settings: Settings
    db: Database
    catalogs: Catalogs
    knowledge: KnowledgeBase | None = None
    search: SearchEngine | None = None
    keys: ReportKeys | None = None  # incident report encryption; see bot.reports.crypto
    flood: FloodGuard = field(default_factory=FloodGuard)

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.settings.admin_ids
