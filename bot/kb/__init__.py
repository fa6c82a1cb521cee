"""The knowledge base: articles in tg/ru/en, loaded from TOML files and checked."""

from bot.kb.loader import KnowledgeBaseError, load_knowledge_base
from bot.kb.model import LANGS, Article, Category, KnowledgeBase, LocalizedText

__all__ = [
    "LANGS",
    "Article",
    "Category",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "LocalizedText",
    "load_knowledge_base",
]
