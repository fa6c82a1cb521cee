"""What handlers need from the process, built once at start and kept in ``bot_data``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.crypto import ReportKeys, load_report_keys
from bot.flood import FloodGuard
from bot.i18n import Catalogs
from bot.storage import Database

if TYPE_CHECKING:
    from bot.kb.model import KnowledgeBase
    from bot.search.engine import SearchEngine

SERVICES_KEY = "services"


@dataclass
class Services:
    settings: Settings
    db: Database
    catalogs: Catalogs
    knowledge: KnowledgeBase | None = None
    search: SearchEngine | None = None
    keys: ReportKeys | None = None  # see bot.crypto; use crypto_keys()
    flood: FloodGuard = field(default_factory=FloodGuard)

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.settings.admin_ids

    def crypto_keys(self) -> ReportKeys:
        """The process's encryption keys, loaded (or created) on first use."""
        if self.keys is None:
            self.keys = load_report_keys(self.settings)
        return self.keys
