"""Strict parser for Telegram's ``parse_mode=HTML`` (Bot API "HTML style").

``parse_html(text)`` returns the plain text and the Bot API entities (offsets and lengths
in UTF-16 code units) or raises :class:`HtmlParseError`, whose ``str`` is the description
Telegram answers with ("Bad Request: can't parse entities: ...").

Supported, per the Bot API docs: ``b/strong``, ``i/em``, ``u/ins``, ``s/strike/del``,
``span class="tg-spoiler"``, ``tg-spoiler``, ``a href``, ``tg-emoji emoji-id``, ``code``,
``pre`` (with an optional ``<code class="language-x">`` covering the whole block) and
``blockquote`` (optionally ``expandable``).

The parser follows tdlib's tag grammar and error wording, and is deliberately *stricter*
than Telegram where Telegram silently repairs input, so a bot bug shows up in tests:

* every ``<``, ``>`` and ``&`` outside a tag or entity must be escaped (the docs require it;
  Telegram tolerates a bare ``>`` or ``&``); only ``&lt; &gt; &amp; &quot;`` and numeric
  entities are accepted, always with the closing ``;``;
* unknown attributes, a missing or invalid ``href``, a language on a standalone ``code``,
  and nesting the docs forbid (anything inside ``code``/``pre``, links inside links,
  nested blockquotes) are errors instead of being dropped;
* an end tag must name its start tag (``</>`` is rejected).

Like Telegram, empty entities (``<b></b>``) are dropped without an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

__all__ = ["HtmlParseError", "parse_html", "utf16_len"]

_PREFIX = "Bad Request: can't parse entities: "
_SPACES = " \t\r\n\v\f"
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_NUMERIC_ENTITY = re.compile(r"&#(?:([0-9]{1,8})|[xX]([0-9a-fA-F]{1,6}));")
_NAMED_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_NAME_TOKEN = re.compile(r"[A-Za-z0-9.\-]+")

# Formatting tags may wrap, or sit inside, anything except code and pre.
_FORMATTING = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
_OTHER_TAGS = {"a", "code", "pre", "tg-emoji", "blockquote"}
_ALLOWED_ATTRIBUTES = {
    "a": {"href"},
    "span": {"class"},
    "code": {"class"},
    "tg-emoji": {"emoji-id"},
    "blockquote": {"expandable"},
}
_LINK_SCHEMES = {"http", "https", "tg", "mailto", "tel", "ftp"}


class HtmlParseError(ValueError):
    """Telegram's answer to malformed HTML; ``str(error)`` is the full API description."""

    def __init__(self, reason: str) -> None:
        super().__init__(_PREFIX + reason)
        self.reason = reason


def utf16_len(s: str) -> int:
    """Length of ``s`` in UTF-16 code units, the unit of Bot API entity offsets."""
    return len(s.encode("utf-16-le")) // 2


@dataclass
class _OpenTag:
    name: str
    attrs: dict[str, str | None]
    start: int  # UTF-16 offset in the output where the tag's content starts
    order: int  # opening order: equal spans list the outer entity first
    child_code: _OpenTag | None = None  # <pre><code class=...> wrapper
    end: int | None = None  # set when closed (only needed for the pre>code check)
    children: int = 0


@dataclass
class _Parser:
    source: str
    pos: int = 0
    out: list[str] = field(default_factory=list)
    out16: int = 0
    stack: list[_OpenTag] = field(default_factory=list)
    entities: list[tuple[int, int, int, dict[str, object]]] = field(default_factory=list)
    opened: int = 0

    # -- helpers -------------------------------------------------------------
    def byte_offset(self, index: int) -> int:
        return len(self.source[:index].encode("utf-8"))

    def fail(self, message: str, index: int | None = None) -> HtmlParseError:
        if index is not None:
            message = f"{message} at byte offset {self.byte_offset(index)}"
        return HtmlParseError(message)

    def unescaped(self, char: str, entity: str) -> HtmlParseError:
        return HtmlParseError(
            f'Character "{char}" at byte offset {self.byte_offset(self.pos)} '
            f'must be escaped as "{entity}"'
        )

    def peek(self) -> str:
        return self.source[self.pos] if self.pos < len(self.source) else ""

    def skip_spaces(self) -> None:
        while self.pos < len(self.source) and self.source[self.pos] in _SPACES:
            self.pos += 1

    def read_until(self, stop: str) -> str:
        start = self.pos
        while self.pos < len(self.source) and self.source[self.pos] not in stop:
            self.pos += 1
        return self.source[start : self.pos]

    def emit(self, chars: str) -> None:
        self.out.append(chars)
        self.out16 += utf16_len(chars)

    # -- text ------------------------------------------------------------------
    def run(self) -> tuple[str, list[dict[str, object]]]:
        while self.pos < len(self.source):
            char = self.source[self.pos]
            if char == "<":
                self.tag()
            elif char == "&":
                self.emit(self.entity())
            elif char == ">":
                raise self.unescaped(">", "&gt;")
            else:
                self.emit(char)
                self.pos += 1
        if self.stack:
            name = self.stack[-1].name
            raise self.fail(f'Can\'t find end tag corresponding to start tag "{name}"')
        ordered = sorted(self.entities, key=lambda e: (e[0], -e[1], e[2]))
        return "".join(self.out), [entity for *_, entity in ordered]

    def entity(self) -> str:
        """Decode the entity at ``pos`` (which holds "&") and move past it."""
        start = self.pos
        numeric = _NUMERIC_ENTITY.match(self.source, start)
        if numeric:
            decimal, hexadecimal = numeric.groups()
            code = int(decimal, 10) if decimal else int(hexadecimal, 16)
            if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                raise self.fail(f'Invalid HTML entity "{numeric.group(0)}"', start)
            self.pos = numeric.end()
            return chr(code)
        named = _NAMED_ENTITY.match(self.source, start)
        if named:
            if named.group(1) not in _NAMED_ENTITIES:
                raise self.fail(f'Unsupported HTML entity "{named.group(0)}"', start)
            self.pos = named.end()
            return _NAMED_ENTITIES[named.group(1)]
        raise self.unescaped("&", "&amp;")

    # -- tags ------------------------------------------------------------------
    def tag(self) -> None:
        begin = self.pos
        self.pos += 1
        if self.peek() == "/":
            self.end_tag(begin)
        else:
            self.start_tag(begin)

    def start_tag(self, begin: int) -> None:
        name = self.read_until(_SPACES + ">").lower()
        if not self.peek():
            raise self.fail("Unclosed start tag", begin)
        if name not in _FORMATTING and name not in _OTHER_TAGS:
            raise self.fail(f'Unsupported start tag "{name}"', begin)
        attrs = self.attributes(name, begin)
        self.pos += 1  # the ">"
        tag = _OpenTag(name, attrs, self.out16, self.opened)
        self.opened += 1
        self.check_tag(tag, begin)
        self.check_nesting(tag, begin)
        if self.stack:
            self.stack[-1].children += 1
        self.stack.append(tag)

    def attributes(self, tag: str, begin: int) -> dict[str, str | None]:
        attrs: dict[str, str | None] = {}
        while True:
            self.skip_spaces()
            if not self.peek():
                raise self.fail(f'Unclosed start tag "{tag}"', begin)
            if self.peek() == ">":
                return attrs
            name = self.read_until(_SPACES + "=>").lower()
            if not name:
                raise self.fail(f'Empty attribute name in the tag "{tag}"', begin)
            if name not in _ALLOWED_ATTRIBUTES.get(tag, set()) or name in attrs:
                raise self.fail(f'Unsupported attribute "{name}" in the tag "{tag}"', begin)
            self.skip_spaces()
            if self.peek() != "=":
                if name != "expandable":
                    raise self.fail(
                        "Expected equal sign in declaration of an attribute of the tag "
                        f'"{tag}"',
                        begin,
                    )
                attrs[name] = None
                continue
            self.pos += 1
            self.skip_spaces()
            attrs[name] = self.attribute_value(tag, begin)

    def attribute_value(self, tag: str, begin: int) -> str:
        quote = self.peek()
        if quote not in ("'", '"'):
            token = _NAME_TOKEN.match(self.source, self.pos)
            if not token:
                raise self.fail(f'Unclosed start tag "{tag}"', begin)
            self.pos = token.end()
            if self.peek() not in tuple(_SPACES + ">"):
                raise self.fail("Unexpected end of name token", self.pos)
            return token.group(0).lower()
        self.pos += 1
        value: list[str] = []
        while self.peek() != quote:
            if not self.peek():
                raise self.fail(f'Unclosed start tag "{tag}"', begin)
            if self.peek() == "&":
                value.append(self.entity())
            else:
                value.append(self.peek())
                self.pos += 1
        self.pos += 1
        return "".join(value)

    def check_tag(self, tag: _OpenTag, begin: int) -> None:
        """Attribute rules of one tag, independent of where it sits."""
        attrs = tag.attrs
        if tag.name == "span" and attrs.get("class") != "tg-spoiler":
            raise self.fail('Tag "span" must have class "tg-spoiler"', begin)
        if tag.name == "a":
            problem = _link_problem(attrs.get("href"))
            if problem:
                raise self.fail(f'{problem} in the tag "a"', begin)
        if tag.name == "tg-emoji" and not (attrs.get("emoji-id") or "").isdigit():
            raise self.fail('Tag "tg-emoji" must have a numeric attribute "emoji-id"', begin)
        if tag.name == "code" and "class" in attrs:
            language = attrs["class"] or ""
            if not language.startswith("language-") or len(language) == len("language-"):
                raise self.fail('Tag "code" must have class "language-<name>"', begin)

    def check_nesting(self, tag: _OpenTag, begin: int) -> None:
        parent = self.stack[-1] if self.stack else None
        if tag.name == "code" and parent is not None and parent.name == "pre":
            # The only nesting allowed in pre: one code wrapper around the whole block.
            if parent.children or self.out16 != parent.start:
                raise self.fail('Tag "code" must wrap the whole content of "pre"', begin)
            parent.child_code = tag
            return
        if tag.name == "code" and "class" in tag.attrs:
            raise self.fail("Programming language can't be specified for a standalone code tag",
                            begin)
        for outer in self.stack:
            if not _may_contain(outer.name, tag.name):
                raise self.fail(f'Tag "{tag.name}" can\'t be nested in the tag "{outer.name}"',
                                begin)

    def end_tag(self, begin: int) -> None:
        self.pos += 1  # the "/"
        name = self.read_until(_SPACES + ">").lower()
        self.skip_spaces()
        if self.peek() != ">":
            raise self.fail("Unclosed end tag", begin)
        self.pos += 1
        if not self.stack:
            raise self.fail("Unexpected end tag", begin)
        tag = self.stack[-1]
        if name != tag.name:
            raise self.fail(
                f'Unmatched end tag at byte offset {self.byte_offset(begin)}, '
                f'expected "</{tag.name}>", found "</{name}>"'
            )
        self.stack.pop()
        tag.end = self.out16
        if tag.name == "pre" and tag.child_code is not None and tag.child_code.end != self.out16:
            raise self.fail('Tag "code" must wrap the whole content of "pre"', begin)
        if self.stack and self.stack[-1].name == "pre" and tag is self.stack[-1].child_code:
            return  # merged into the pre entity as its language
        if tag.end > tag.start:
            self.entities.append((tag.start, tag.end - tag.start, tag.order, _entity(tag)))


def _may_contain(outer: str, inner: str) -> bool:
    if outer in ("code", "pre"):
        return False
    if outer in ("a", "tg-emoji"):
        return inner in _FORMATTING
    if outer == "blockquote":
        return inner != "blockquote"
    return True  # formatting tags contain anything (blockquote nesting checked on its own)


def _link_problem(href: str | None) -> str | None:
    if not href:
        return 'Missing attribute "href"'
    parts = urlsplit(href)
    if parts.scheme.lower() not in _LINK_SCHEMES:
        return f'Unsupported URL "{href}"'
    if parts.scheme.lower() in ("http", "https", "ftp") and not parts.hostname:
        return f'Invalid URL "{href}"'
    if any(c in href for c in _SPACES):
        return f'Invalid URL "{href}"'
    return None


def _entity(tag: _OpenTag) -> dict[str, object]:
    extra: dict[str, object] = {}
    if tag.name in _FORMATTING:
        kind = _FORMATTING[tag.name]
    elif tag.name == "a":
        kind, extra["url"] = "text_link", tag.attrs["href"]
    elif tag.name == "tg-emoji":
        kind, extra["custom_emoji_id"] = "custom_emoji", tag.attrs["emoji-id"]
    elif tag.name == "blockquote":
        kind = "expandable_blockquote" if "expandable" in tag.attrs else "blockquote"
    elif tag.name == "pre":
        kind = "pre"
        language = tag.child_code.attrs.get("class") if tag.child_code else None
        if language:
            extra["language"] = language[len("language-") :]
    else:
        kind = "code"
    return {"type": kind, "offset": tag.start, "length": (tag.end or 0) - tag.start, **extra}


def parse_html(text: str) -> tuple[str, list[dict[str, object]]]:
    """Parse Telegram HTML into (plain text, Bot API entities); raise HtmlParseError."""
    return _Parser(text).run()
