"""Splitting long Telegram HTML into messages that each stay under the limit."""

from __future__ import annotations

from bot.telegram_html import HtmlParseError, parse_html, utf16_len

MESSAGE_LIMIT = 4096


def visible_length(html_text: str) -> int:
    plain, _entities = parse_html(html_text)
    return utf16_len(plain)


def split_message(html_text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split at paragraph, then line boundaries so every part is valid HTML within ``limit``.

    Knowledge-base texts keep tags inside one line, so a line never has to be cut.
    A single line longer than the limit (never in checked content) is cut as plain text.
    """
    if visible_length(html_text) <= limit:
        return [html_text]
    parts: list[str] = []
    current = ""
    for block in _blocks(html_text):
        candidate = f"{current}\n{block}" if current else block
        if _fits(candidate, limit):
            current = candidate
            continue
        if current:
            parts.append(current)
        if _fits(block, limit):
            current = block
        else:
            parts.extend(_hard_cut(block, limit))
            current = ""
    if current:
        parts.append(current)
    return [part.strip("\n") for part in parts if part.strip()]


def _blocks(html_text: str) -> list[str]:
    return html_text.split("\n")


def _fits(candidate: str, limit: int) -> bool:
    try:
        return visible_length(candidate) <= limit
    except HtmlParseError:
        return False


def _hard_cut(block: str, limit: int) -> list[str]:
    import html

    plain, _ = parse_html(block)
    escaped_parts = []
    step = limit // 2  # UTF-16 may double the length of emoji-heavy text
    for start in range(0, len(plain), step):
        escaped_parts.append(html.escape(plain[start : start + step], quote=False))
    return escaped_parts
