"""The places offered as buttons, read from ``knowledge/report_places.toml``.

Editors change the list without touching code; ids are what reports store.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot.i18n import DEFAULT_LOCALE, SUPPORTED_LOCALES
from bot.paths import knowledge_dir

PLACES_FILE = "report_places.toml"
_ID = re.compile(r"^[a-z0-9_]{1,16}$")


class PlacesError(ValueError):
    pass


@dataclass(frozen=True)
class Place:
    id: str
    names: dict[str, str]
    typed: bool = False  # the reporter types the region, city or country

    def name(self, locale: str) -> str:
        return self.names.get(locale) or self.names[DEFAULT_LOCALE]


@dataclass(frozen=True)
class Places:
    items: tuple[Place, ...]

    def get(self, place_id: str | None) -> Place | None:
        return next((place for place in self.items if place.id == place_id), None)

    def name(self, place_id: str | None, locale: str) -> str:
        place = self.get(place_id)
        return place.name(locale) if place else (place_id or "")


def parse_places(text: str) -> Places:
    data = tomllib.loads(text)
    items: list[Place] = []
    seen: set[str] = set()
    for entry in data.get("place", []):
        place_id = entry.get("id", "")
        if not _ID.match(place_id) or place_id in seen:
            raise PlacesError(f"place id {place_id!r}: missing, duplicated or not [a-z0-9_]")
        names = entry.get("name", {})
        missing = [code for code in SUPPORTED_LOCALES if not names.get(code)]
        if missing:
            raise PlacesError(f"place {place_id!r}: no name in {', '.join(missing)}")
        seen.add(place_id)
        items.append(Place(place_id, dict(names), bool(entry.get("typed", False))))
    if not items:
        raise PlacesError("no places defined")
    return Places(tuple(items))


def load_places(path: Path | None = None) -> Places:
    return parse_places((path or knowledge_dir() / PLACES_FILE).read_text("utf-8"))


@lru_cache(maxsize=1)
def default_places() -> Places:
    return load_places()
