"""Hostile text shared by the property tests: pieces people (or attackers) type, and the
Hypothesis strategies built from them."""

from __future__ import annotations

from hypothesis import strategies as st

# Markup, entities, format-string bait, control, zero-width and right-to-left characters,
# combining marks, astral emoji (two UTF-16 units each).
PIECES = (
    "<b>", "</b>", "<i>x</i>", "</a>", '<a href="https://evil.example">', "<script>",
    "</script>", "<pre>", "<code>", "<tg-spoiler>", "<blockquote>", "&amp;", "&", "&lt;",
    "&gt;", "&quot;", "&#0;", "&#x110000;", "&nbsp;", "&bogus;", "<", ">", '"', "'",
    "*bold*", "_it_", "__u__", "~s~", "||sp||", "[x](https://y.example)", "`code`", "```",
    "{0}", "{}", "{1}", "%s", "%d", "%(name)s", "{user}", "{name}", "{ref}", "{count}",
    "{limit}", "{{", "}}", "{", "}", "\u200b", "\u200c", "\u200d", "\u200e", "\u200f",
    "\u202a", "\u202e", "\u2066", "\u2069", "\ufeff", "\u00ad", "\x00", "\x07", "\x1b[31m",
    "\x7f", "\r\n", "\r", "\n", "\n\n", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\t",
    " ", "   ", "\u0301\u0301\u0301", "مرحبا بالعالم", "שלום", "ۿ", "👨‍👩‍👧‍👦", "🇹🇯",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "ҳамроҳ ӣ ӯ қ ғ ҷ", "Ёжик", "ﷺ", "ﷻ", "\U000e0041",
)
# Every code point a Telegram client can send: all but lone surrogates (Telegram's JSON is
# valid UTF-8).
any_chars = st.characters(exclude_categories=("Cs",))
hostile = st.lists(st.one_of(st.sampled_from(PIECES), st.text(any_chars, max_size=12)),
                   max_size=25).map("".join)
hostile_line = hostile.filter(lambda text: text.strip() != "")
# Over one message: Hypothesis seldom draws texts this long unless asked.
huge = st.builds(lambda head, size: (head * (size // max(len(head), 1) + 1))[:size],
                 hostile_line, st.integers(4000, 13_000))
# Telegram names are 1-64 characters on one line.
names = hostile_line.map(lambda text: " ".join(text.splitlines())[:64]).filter(str.strip)
