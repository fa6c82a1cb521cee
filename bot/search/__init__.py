"""Multilingual (tg/ru/en) question search over the knowledge base."""

from bot.search.engine import SearchEngine, SearchHit, SearchResult

__all__ = ["SearchEngine", "SearchHit", "SearchResult"]
