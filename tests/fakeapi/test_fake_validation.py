"""Telegram's checks on texts, keyboards, commands and webhooks (without HTTP)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.fakeapi import ApiError
from bot.fakeapi import validation as v


def description(call: Any, *args: Any, **kwargs: Any) -> str:
    with pytest.raises(ApiError) as caught:
        call(*args, **kwargs)
    assert caught.value.code == 400
    return caught.value.description


def test_trimming_shifts_and_clips_entities() -> None:
    text = v.message_text("\n  <b> Hi</b> there \n", "HTML", None)
    assert text.text == "Hi there"
    assert text.entities == [{"type": "bold", "offset": 0, "length": 2}]
    assert text.html == "\n  <b> Hi</b> there \n"


def test_explicit_entities_are_checked() -> None:
    ok = v.message_text("Hello", None, [{"type": "bold", "offset": 0, "length": 5}])
    assert ok.entities == [{"type": "bold", "offset": 0, "length": 5}]
    assert "out of the text" in description(
        v.message_text, "Hi", None, [{"type": "bold", "offset": 1, "length": 5}])
    assert "url is required" in description(
        v.message_text, "Hi", None, [{"type": "text_link", "offset": 0, "length": 2}])
    assert "unsupported entity" in description(
        v.message_text, "Hi", None, [{"type": "blink", "offset": 0, "length": 2}])


def test_parse_modes() -> None:
    assert v.format_text("<b>x</b>", "html", None).text == "x"  # case-insensitive
    assert description(v.format_text, "x", "Markdown", None).endswith("(use HTML)")
    assert description(v.format_text, "x", "bbcode", None) == "Bad Request: unsupported parse_mode"


@pytest.mark.parametrize(
    "url", ["https://example.org/a?b=c", "http://xn--80ak6aa92e.xn--p1ai", "tg://user?id=5",
            "https://127.0.0.1:8443/x", "https://t.me/hamroh_test_bot?start=ref"])
def test_good_button_urls(url: str) -> None:
    assert v.url_problem(url) is None


@pytest.mark.parametrize(
    ("url", "problem"),
    [("example.org", "Unsupported URL protocol"), ("javascript:alert(1)",
                                                   "Unsupported URL protocol"),
     ("https://localhost/x", "Wrong HTTP URL"), ("https://exa mple.org", "Wrong HTTP URL"),
     ("https://", "Wrong HTTP URL")],
)
def test_bad_button_urls(url: str, problem: str) -> None:
    assert v.url_problem(url) == problem


def test_reply_keyboards() -> None:
    markup = v.reply_markup({"keyboard": [["A", {"text": "B", "request_contact": True}], []],
                             "resize_keyboard": True})
    assert markup == {"keyboard": [[{"text": "A"}, {"text": "B", "request_contact": True}]],
                      "resize_keyboard": True}
    assert v.reply_markup({"remove_keyboard": True}) == {"remove_keyboard": True}
    assert v.reply_markup({"force_reply": True, "input_field_placeholder": "Ном"})
    assert "must be true" in description(v.reply_markup, {"remove_keyboard": False})
    assert "non-empty" in description(v.reply_markup, {"keyboard": [[]]})
    assert "placeholder" in description(
        v.reply_markup, {"force_reply": True, "input_field_placeholder": "x" * 65})
    assert "only one request" in description(v.reply_markup, {"keyboard": [[
        {"text": "x", "request_contact": True, "request_location": True}]]})
    assert "can't parse reply keyboard markup" in description(
        v.reply_markup, {"keyboard": [["a"]], "remove_keyboard": True})
    assert "inline keyboard expected" in description(
        v.reply_markup, {"remove_keyboard": True}, inline_only=True)


def test_callback_data_limit_is_in_bytes() -> None:
    assert v.inline_button({"text": "x", "callback_data": "д" * 32})  # 64 bytes
    assert description(v.inline_button, {"text": "x", "callback_data": "д" * 32 + "x"}) == (
        "Bad Request: BUTTON_DATA_INVALID")


def test_too_many_inline_buttons() -> None:
    rows = [[{"text": str(i), "callback_data": str(i)}] for i in range(101)]
    assert description(v.reply_markup, {"inline_keyboard": rows}).endswith(
        "REPLY_MARKUP_TOO_LONG")


def test_commands() -> None:
    good = [{"command": "a_1" * 10 + "ab", "description": "d" * 256}]
    assert v.bot_commands(good) == good
    for bad in ({"command": "x" * 33, "description": "d"}, {"command": "/start",
                                                             "description": "d"}):
        assert description(v.bot_commands, [bad]).endswith("BOT_COMMAND_INVALID")
    assert description(v.bot_commands, [{"command": "a", "description": "d" * 257}]).endswith(
        "BOT_COMMAND_DESCRIPTION_INVALID")
    assert "too many" in description(
        v.bot_commands, [{"command": f"c{i}", "description": "d"} for i in range(101)])


def test_scopes_and_languages() -> None:
    assert v.command_scope(None) == ("default", {"type": "default"})
    assert v.command_scope({"type": "chat", "chat_id": 5})[0] == "chat:5"
    assert "chat_id is empty" in description(v.command_scope, {"type": "chat"})
    assert "BotCommandScope" in description(v.command_scope, {"type": "everyone"})
    assert v.language_code("tg") == "tg" and v.language_code(None) == ""
    assert "language code" in description(v.language_code, "tgk")


def test_secret_token_and_webhook_url() -> None:
    v.check_secret_token("A-z_0-9")
    assert "unallowed characters" in description(v.check_secret_token, "a b")
    v.check_webhook_url("http://127.0.0.1:8080/hook")  # loopback HTTP: fake-only allowance
    v.check_webhook_url("https://example.org:8443/hook")
    assert "HTTPS" in description(v.check_webhook_url, "http://example.org/hook")
