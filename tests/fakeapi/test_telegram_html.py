"""The strict Telegram HTML parser."""

from __future__ import annotations

import pytest

from bot.telegram_html import HtmlParseError, parse_html, utf16_len


def test_plain_text_passes_through() -> None:
    assert parse_html("Салом, дунё!") == ("Салом, дунё!", [])


@pytest.mark.parametrize(
    ("tag", "kind"),
    [("b", "bold"), ("strong", "bold"), ("i", "italic"), ("em", "italic"),
     ("u", "underline"), ("ins", "underline"), ("s", "strikethrough"),
     ("strike", "strikethrough"), ("del", "strikethrough"), ("tg-spoiler", "spoiler"),
     ("code", "code"), ("pre", "pre"), ("blockquote", "blockquote")],
)
def test_simple_tags(tag: str, kind: str) -> None:
    assert parse_html(f"a <{tag}>xy</{tag}> b") == (
        "a xy b", [{"type": kind, "offset": 2, "length": 2}])


def test_offsets_are_utf16_code_units() -> None:
    # The emoji is one code point but two UTF-16 units; Cyrillic letters are one unit each.
    text, entities = parse_html("😀 <b>Ҷ</b><i>😀x</i>")
    assert text == "😀 Ҷ😀x"
    assert entities == [{"type": "bold", "offset": 3, "length": 1},
                        {"type": "italic", "offset": 4, "length": 3}]
    assert utf16_len("😀") == 2 and utf16_len("Ҷ") == 1


def test_nested_formatting_is_sorted_outer_first() -> None:
    _, entities = parse_html("<b>bold <i>both</i></b>")
    assert entities == [{"type": "bold", "offset": 0, "length": 9},
                        {"type": "italic", "offset": 5, "length": 4}]


def test_equal_spans_list_the_outer_entity_first() -> None:
    assert [e["type"] for e in parse_html("<b><i>x</i></b>")[1]] == ["bold", "italic"]


def test_links_spoiler_span_emoji_and_expandable_quote() -> None:
    html = ('<a href="https://example.org/?a=1&amp;b=2">link</a>'
            '<span class="tg-spoiler">s</span>'
            '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
            "<blockquote expandable>q</blockquote>")
    text, entities = parse_html(html)
    assert text == "links👍q"
    assert entities == [
        {"type": "text_link", "offset": 0, "length": 4, "url": "https://example.org/?a=1&b=2"},
        {"type": "spoiler", "offset": 4, "length": 1},
        {"type": "custom_emoji", "offset": 5, "length": 2,
         "custom_emoji_id": "5368324170671202286"},
        {"type": "expandable_blockquote", "offset": 7, "length": 1},
    ]


def test_pre_with_code_language_becomes_one_pre_entity() -> None:
    assert parse_html('<pre><code class="language-python">x = 1</code></pre>') == (
        "x = 1", [{"type": "pre", "offset": 0, "length": 5, "language": "python"}])
    assert parse_html("<pre><code>x</code></pre>") == (
        "x", [{"type": "pre", "offset": 0, "length": 1}])


def test_entities_and_case_insensitive_tags() -> None:
    assert parse_html("&lt;&gt;&amp;&quot;&#1046;&#x1F600;<B>x</B>") == (
        '<>&"Ж😀x', [{"type": "bold", "offset": 7, "length": 1}])


def test_single_quoted_and_unquoted_attribute_values() -> None:
    assert parse_html("<a href='tg://user?id=1'>u</a>")[1][0]["url"] == "tg://user?id=1"
    assert parse_html('<span class=tg-spoiler>s</span>')[1][0]["type"] == "spoiler"


def test_empty_entities_are_dropped_like_telegram() -> None:
    assert parse_html("<b></b>x") == ("x", [])


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("<div>x</div>", 'Unsupported start tag "div" at byte offset 0'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("x<", "Unclosed start tag at byte offset 1"),
        ("Tom & Jerry", 'Character "&" at byte offset 4 must be escaped as "&amp;"'),
        ("2 > 1", 'Character ">" at byte offset 2 must be escaped as "&gt;"'),
        ("&nbsp;", 'Unsupported HTML entity "&nbsp;" at byte offset 0'),
        ("&#0;", 'Invalid HTML entity "&#0;" at byte offset 0'),
        ("&#65", 'Character "&" at byte offset 0 must be escaped as "&amp;"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("<b>x</>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</>"'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
        ('<b class="x">y</b>', 'Unsupported attribute "class" in the tag "b" at byte offset 0'),
        ("<a>x</a>", 'Missing attribute "href" in the tag "a" at byte offset 0'),
        ('<a href="javascript:alert(1)">x</a>',
         'Unsupported URL "javascript:alert(1)" in the tag "a" at byte offset 0'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("<b =1>x</b>", 'Empty attribute name in the tag "b" at byte offset 0'),
        ("<blockquote open>x</blockquote>",
         'Unsupported attribute "open" in the tag "blockquote" at byte offset 0'),
        ("<code><b>x</b></code>", 'Tag "b" can\'t be nested in the tag "code" at byte offset 6'),
        ('<a href="https://a.io"><a href="https://b.io">x</a></a>',
         'Tag "a" can\'t be nested in the tag "a" at byte offset 23'),
        ("<blockquote><b><blockquote>x</blockquote></b></blockquote>",
         'Tag "blockquote" can\'t be nested in the tag "blockquote" at byte offset 15'),
        ('<code class="language-py">x</code>',
         "Programming language can't be specified for a standalone code tag at byte offset 0"),
        ("<pre>a<code>b</code></pre>",
         'Tag "code" must wrap the whole content of "pre" at byte offset 6'),
        ("<pre><code>b</code>c</pre>",
         'Tag "code" must wrap the whole content of "pre" at byte offset 20'),
        ("Ж <p>", 'Unsupported start tag "p" at byte offset 3'),
    ],
)
def test_invalid_html_is_rejected_with_telegram_style_error(html: str, reason: str) -> None:
    with pytest.raises(HtmlParseError) as caught:
        parse_html(html)
    assert str(caught.value) == f"Bad Request: can't parse entities: {reason}"
    assert caught.value.reason == reason
