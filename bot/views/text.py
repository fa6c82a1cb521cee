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
    current_length: int | None = 0
    for block in _blocks(html_text):
        # Each line is measured once: re-measuring the whole part for every line added
        # made a 12,000-character text of short lines cost seconds of CPU (hostile-input
        # suite). Only a line whose tags do not close on it is measured with its part.
        block_length = _length(block)
        if not current:
            candidate, candidate_length = block, block_length
        else:
            candidate = f"{current}\n{block}"
            candidate_length = (current_length + 1 + block_length
                                if current_length is not None and block_length is not None
                                else _length(candidate))
        if candidate_length is not None and candidate_length <= limit:
            current, current_length = candidate, candidate_length
            continue
        if current:
            parts.append(current)
        if block_length is not None and block_length <= limit:
            current, current_length = block, block_length
        else:
            parts.extend(_hard_cut(block, limit))
            current, current_length = "", 0
    if current:
        parts.append(current)
    return [part.strip("\n") for part in parts if part.strip()]


def _length(text: str) -> int | None:
    try:
        return visible_length(text)
    except HtmlParseError:
        return None


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
