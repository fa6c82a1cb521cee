"""Telegram's checks on texts, keyboards, commands and webhook settings.

Error descriptions follow Telegram's where they are known; a few rare ones are approximated
(marked "approximate") but keep the "Bad Request: " prefix so PTB raises ``BadRequest``.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from bot.fakeapi.errors import bad_request
from bot.telegram_html import HtmlParseError, parse_html, utf16_len

JsonDict = dict[str, Any]

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64  # bytes
MAX_INLINE_BUTTONS = 100
_TRIMMED = " \t\r\n\v\f"  # Telegram strips these around message texts and captions

ENTITY_TYPES = frozenset({
    "mention", "hashtag", "cashtag", "bot_command", "url", "email", "phone_number", "bold",
    "italic", "underline", "strikethrough", "spoiler", "blockquote", "expandable_blockquote",
    "code", "pre", "text_link", "text_mention", "custom_emoji", "date_time",
})
INLINE_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)
KEYBOARD_REQUESTS = (
    "request_contact", "request_location", "request_poll", "web_app", "request_users",
    "request_chat",
)
CHAT_ACTIONS = frozenset({
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note",
    "upload_video_note",
})
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
_LANGUAGE = re.compile(r"[a-z]{2}")
_SCOPES_WITH_CHAT = {"chat", "chat_administrators", "chat_member"}
_SCOPES = {"default", "all_private_chats", "all_group_chats", "all_chat_administrators"}
_SCOPES |= _SCOPES_WITH_CHAT


@dataclass(frozen=True)
class FormattedText:
    """A text or caption after parse_mode processing and Telegram's trimming."""

    text: str
    entities: list[JsonDict]
    html: str | None  # the source, when parse_mode was HTML


# -- texts ---------------------------------------------------------------------------------


def format_text(raw: str | None, parse_mode: str | None, entities: Any) -> FormattedText:
    """Apply parse_mode (HTML only) or explicit entities, then trim like Telegram.

    MarkdownV2/Markdown are rejected: the project's bot uses HTML only, and a half-done
    Markdown parser would be laxer than Telegram.
    """
    raw = raw or ""
    mode = (parse_mode or "").strip()
    if mode.lower() == "html":
        try:
            text, parsed = parse_html(raw)
        except HtmlParseError as error:
            raise bad_request(str(error)[len("Bad Request: ") :]) from None
        return _trim(FormattedText(text, parsed, raw))
    if mode.lower() in ("markdown", "markdownv2"):
        raise bad_request(f"unsupported parse_mode in the fake: {mode} (use HTML)")
    if mode:
        raise bad_request("unsupported parse_mode")
    return _trim(FormattedText(raw, check_entities(raw, entities), None))


def message_text(raw: str | None, parse_mode: str | None, entities: Any) -> FormattedText:
    formatted = format_text(raw, parse_mode, entities)
    if not formatted.text:
        raise bad_request("message text is empty")
    if utf16_len(formatted.text) > MAX_TEXT:
        raise bad_request("message is too long")
    return formatted


def caption_text(raw: str | None, parse_mode: str | None, entities: Any) -> FormattedText:
    formatted = format_text(raw, parse_mode, entities)
    if utf16_len(formatted.text) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    return formatted


def check_entities(text: str, entities: Any) -> list[JsonDict]:
    if entities in (None, ""):
        return []
    if not isinstance(entities, list):
        raise bad_request("can't parse entities JSON object")
    size = utf16_len(text)
    checked = []
    for entity in entities:
        if not isinstance(entity, dict) or entity.get("type") not in ENTITY_TYPES:
            raise bad_request(f"can't parse entities: unsupported entity {entity!r}")
        offset, length = entity.get("offset"), entity.get("length")
        if not isinstance(offset, int) or not isinstance(length, int):
            raise bad_request("can't parse entities: offset and length must be integers")
        if offset < 0 or length <= 0 or offset + length > size:  # Telegram would clip it
            raise bad_request(f"can't parse entities: entity {entity!r} is out of the text")
        needed = {"text_link": "url", "text_mention": "user", "custom_emoji": "custom_emoji_id"}
        if entity["type"] in needed and not entity.get(needed[entity["type"]]):
            raise bad_request(f"can't parse entities: {needed[entity['type']]} is required")
        checked.append(entity)
    return sorted(checked, key=lambda e: (e["offset"], -e["length"]))


def _trim(formatted: FormattedText) -> FormattedText:
    text = formatted.text
    stripped = text.strip(_TRIMMED)
    if stripped == text:
        return formatted
    lead = utf16_len(text[: len(text) - len(text.lstrip(_TRIMMED))])
    size = utf16_len(stripped)
    entities = []
    for entity in formatted.entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, size)
        if end > start:
            entities.append({**entity, "offset": start, "length": end - start})
    return FormattedText(stripped, entities, formatted.html)


# -- URLs ------------------------------------------------------------------------------------


def url_problem(url: str) -> str | None:
    """Why Telegram would refuse ``url`` in a button, or None when it is fine."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "tg":
        return None if (parts.netloc or parts.path) else "Wrong tg URL"
    if scheme not in ("http", "https"):
        return "Unsupported URL protocol"
    host = parts.hostname or ""
    if any(c.isspace() for c in url) or not _valid_host(host):
        return "Wrong HTTP URL"
    return None


def _valid_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    labels = host.split(".")
    tld = labels[-1]
    tld_ok = (tld.isalpha() and len(tld) >= 2) or tld.startswith("xn--")
    return len(labels) >= 2 and all(labels) and tld_ok


def is_loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


# -- keyboards -----------------------------------------------------------------------------


def reply_markup(raw: Any, *, inline_only: bool = False) -> JsonDict | None:
    """Validate any reply_markup; returns it normalised, or None when absent."""
    if raw in (None, ""):
        return None
    kinds = [k for k in ("inline_keyboard", "keyboard", "remove_keyboard", "force_reply")
             if isinstance(raw, dict) and k in raw]
    if len(kinds) != 1:
        raise bad_request("can't parse reply keyboard markup JSON object")
    if inline_only and kinds[0] != "inline_keyboard":
        raise bad_request("inline keyboard expected")  # approximate
    if kinds[0] == "inline_keyboard":
        return {"inline_keyboard": _inline_rows(raw["inline_keyboard"])}
    if kinds[0] == "keyboard":
        return _reply_keyboard(raw)
    if raw[kinds[0]] is not True:
        raise bad_request(f"field \"{kinds[0]}\" must be true")  # approximate
    _check_placeholder(raw)
    return dict(raw)


def _rows(rows: Any, what: str) -> list[list[Any]]:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(f'field "{what}" of the markup must be an Array of Arrays')
    return [row for row in rows if row]  # Telegram drops empty rows


def _inline_rows(rows: Any) -> list[list[JsonDict]]:
    checked = _rows(rows, "inline_keyboard")
    if sum(len(row) for row in checked) > MAX_INLINE_BUTTONS:
        raise bad_request("REPLY_MARKUP_TOO_LONG")
    return [[inline_button(button) for button in row] for row in checked]


def inline_button(button: Any) -> JsonDict:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request('can\'t parse inline keyboard button: Field "text" must be of type '
                          "String")
    if not button["text"].strip():
        raise bad_request("BUTTON_TEXT_INVALID")  # approximate
    actions = [key for key in INLINE_ACTIONS if key in button]
    if not actions:
        raise bad_request("can't parse inline keyboard button: Text buttons are unallowed in "
                          "the inline keyboard")
    if len(actions) > 1:
        raise bad_request("can't parse inline keyboard button: exactly one of the optional "
                          f"fields must be used, got {actions}")  # approximate
    action = actions[0]
    if action == "callback_data":
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA:
            raise bad_request("BUTTON_DATA_INVALID")
    elif action == "url":
        _check_button_url(button["url"])
    elif action in ("web_app", "login_url"):
        _check_https_object(action, button[action])
    elif action == "copy_text":
        text = button["copy_text"].get("text") if isinstance(button["copy_text"], dict) else None
        if not isinstance(text, str) or not 1 <= len(text) <= 256:
            raise bad_request("COPY_TEXT_INVALID")  # approximate
    return dict(button)


def _check_button_url(url: Any) -> None:
    problem = url_problem(url) if isinstance(url, str) and url else "Wrong HTTP URL"
    if problem:
        raise bad_request(f"inline keyboard button URL '{url}' is invalid: {problem}")


def _check_https_object(action: str, value: Any) -> None:
    url = value.get("url") if isinstance(value, dict) else None
    if not isinstance(url, str) or not url.lower().startswith("https://") or url_problem(url):
        what = "Web App" if action == "web_app" else "login"
        raise bad_request(f"inline keyboard button {what} URL '{url}' is invalid: "
                          "Only HTTPS links are allowed")


def _reply_keyboard(raw: JsonDict) -> JsonDict:
    rows = _rows(raw["keyboard"], "keyboard")
    if not rows:
        raise bad_request("keyboard must be non-empty")  # approximate
    normalised = []
    for row in rows:
        normalised_row = []
        for button in row:
            button = {"text": button} if isinstance(button, str) else button
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise bad_request('can\'t parse keyboard button: Field "text" must be of type '
                                  "String")
            if not button["text"].strip():
                raise bad_request("keyboard button text must be non-empty")  # approximate
            if len([key for key in KEYBOARD_REQUESTS if button.get(key)]) > 1:
                raise bad_request("can't parse keyboard button: only one request field allowed")
            normalised_row.append(button)
        normalised.append(normalised_row)
    _check_placeholder(raw)
    return {**raw, "keyboard": normalised}


def _check_placeholder(raw: JsonDict) -> None:
    placeholder = raw.get("input_field_placeholder")
    if placeholder is not None and not (isinstance(placeholder, str) and len(placeholder) <= 64):
        raise bad_request("input field placeholder is too long")  # approximate


# -- commands, menu, webhook --------------------------------------------------------------


def bot_commands(raw: Any) -> list[JsonDict]:
    if not isinstance(raw, list):
        raise bad_request("can't parse commands JSON object")
    if len(raw) > 100:
        raise bad_request("too many commands")  # approximate
    checked = []
    for command in raw:
        if not isinstance(command, dict):
            raise bad_request("can't parse BotCommand")
        name, description = command.get("command"), command.get("description")
        if not isinstance(name, str) or not _COMMAND.fullmatch(name):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")  # approximate
        checked.append({"command": name, "description": description})
    return checked


def command_scope(raw: Any) -> tuple[str, JsonDict]:
    """The scope as a stable key plus its normalised form ("default" when absent)."""
    scope = raw if raw not in (None, "") else {"type": "default"}
    if not isinstance(scope, dict) or scope.get("type") not in _SCOPES:
        raise bad_request("can't parse BotCommandScope")  # approximate
    kind = scope["type"]
    if kind in _SCOPES_WITH_CHAT and scope.get("chat_id") in (None, ""):
        raise bad_request("chat_id is empty")
    if kind == "chat_member" and scope.get("user_id") in (None, ""):
        raise bad_request("user_id is empty")
    parts = [kind, str(scope.get("chat_id", "")), str(scope.get("user_id", ""))]
    return ":".join(parts).rstrip(":"), scope


def language_code(raw: str | None) -> str:
    code = raw or ""
    if code and not _LANGUAGE.fullmatch(code):
        raise bad_request("invalid language code specified")  # approximate
    return code


def check_secret_token(secret: str | None) -> None:
    if secret is not None and secret != "" and not _SECRET.fullmatch(secret):
        if len(secret) > 256:
            raise bad_request("secret token is too long")  # approximate
        raise bad_request("secret token contains unallowed characters")


def check_webhook_url(url: str) -> None:
    """Telegram wants HTTPS on ports 443/80/88/8443; the fake also allows loopback HTTP."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise bad_request("bad webhook: Wrong HTTP URL specified")
    if is_loopback(parts.hostname):
        return
    if parts.scheme != "https":
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    if parts.port not in (None, 443, 80, 88, 8443):
        raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
