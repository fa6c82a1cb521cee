"""Moderation tests reuse the report fixtures: a migrated database, keys, a service."""

from tests.reports.conftest import catalogs, db, fake_bot, keys, service, settings

__all__ = ["catalogs", "db", "fake_bot", "keys", "service", "settings"]
