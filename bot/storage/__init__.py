"""All SQL lives in this package. Other modules call the repositories on ``Database``."""

from bot.storage.database import Database

__all__ = ["Database"]
