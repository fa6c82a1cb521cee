"""``python -m bot ask``: answer questions from the knowledge base in the terminal."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from typing import TextIO

from bot.kb.loader import KnowledgeBaseError, load_knowledge_base
from bot.kb.model import KnowledgeBase
from bot.search.engine import SearchEngine, SearchResult


def _questions(args: argparse.Namespace, stdin: TextIO) -> Iterator[str]:
    words = list(getattr(args, "question", None) or [])
    if words:
        yield " ".join(words)
        return
    for line in stdin:
        line = line.strip()
        if line:
            yield line


def as_json(result: SearchResult) -> str:
    return json.dumps(
        {
            "query": result.query,
            "lang": result.lang,
            "confident": result.confident,
            "results": [{"id": h.article_id, "score": round(h.score, 3)} for h in result.hits],
        },
        ensure_ascii=False,
    )


def as_text(result: SearchResult, kb: KnowledgeBase) -> str:
    clarity = "" if result.lang_is_clear else "?"
    state = "confident" if result.confident else "not confident"
    if result.smalltalk:
        state = f"small talk: {result.smalltalk}"
    lines = [f"[{result.lang}{clarity}, {state}] {result.query}"]
    if not result.hits:
        lines.append("  (nothing found)")
    for n, hit in enumerate(result.hits, 1):
        article = kb.article(hit.article_id)
        title = article.text(result.lang).title if article else ""
        lines.append(f"  {n}. {hit.score:.3f}  {hit.article_id}  {title}")
    return "\n".join(lines)


def run_ask(args: argparse.Namespace, stdin: TextIO | None = None,
            stdout: TextIO | None = None) -> int:
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    try:
        kb = load_knowledge_base()
    except KnowledgeBaseError as exc:
        print(f"cannot load the knowledge base:\n{exc}", file=sys.stderr)
        return 2
    engine = SearchEngine.build_isolated(kb)  # side by side where it can: a few seconds less
    lang = None if getattr(args, "lang", "auto") in (None, "auto") else args.lang
    use_json = bool(getattr(args, "json", False))
    _answer_all(engine, kb, _questions(args, stdin), lang, use_json, stdout)
    return 0


def _answer_all(engine: SearchEngine, kb: KnowledgeBase, questions: Iterable[str],
                lang: str | None, use_json: bool, stdout: TextIO) -> None:
    for question in questions:
        result = engine.search(question, lang)
        print(as_json(result) if use_json else as_text(result, kb), file=stdout, flush=True)
