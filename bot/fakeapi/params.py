"""Request parameters as Telegram reads them, whatever the encoding.

PTB sends ``application/x-www-form-urlencoded`` (or multipart when uploading): every value
is a string and nested objects are JSON-encoded strings. Other clients send JSON bodies
with native types. Telegram accepts both, so the getters here coerce either form.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.fakeapi.errors import bad_request

# Parameters whose value is a JSON object/array (decoded for the call log as well).
JSON_FIELDS = frozenset({
    "reply_markup", "entities", "caption_entities", "commands", "scope", "allowed_updates",
    "media", "reply_parameters", "link_preview_options", "menu_button", "message_ids",
})
INT_FIELDS = frozenset({
    "chat_id", "from_chat_id", "message_id", "user_id", "offset", "limit", "timeout",
    "cache_time", "max_connections", "message_thread_id", "duration", "width", "height",
    "icon_color",
})
BOOL_FIELDS = frozenset({
    "disable_notification", "protect_content", "show_alert", "drop_pending_updates",
    "allow_sending_without_reply", "disable_web_page_preview", "has_spoiler",
    "show_caption_above_media", "disable_content_type_detection", "supports_streaming",
})
_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no", ""}


@dataclass(frozen=True)
class Upload:
    """A file uploaded with multipart/form-data."""

    field: str
    filename: str | None
    content_type: str | None
    data: bytes

    def __repr__(self) -> str:
        return f"Upload({self.filename!r}, {len(self.data)} bytes)"


class Params:
    """Typed, Telegram-style access to one request's parameters."""

    def __init__(self, values: dict[str, Any], uploads: dict[str, Upload] | None = None):
        self.values = values
        self.uploads = uploads or {}

    def has(self, name: str) -> bool:
        return self.values.get(name) not in (None, "") or name in self.uploads

    def get_str(self, name: str, *, required: bool = False, empty: str | None = None) -> str | None:
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise bad_request(empty or f"{name} is empty")
            return None if value is None else ""
        if isinstance(value, (dict, list)):
            raise bad_request(f'field "{name}" must be of type String')
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    def get_int(self, name: str, *, required: bool = False, empty: str | None = None) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise bad_request(empty or f"{name} is empty")
            return None
        if isinstance(value, (bool, dict, list)):
            raise bad_request(f'field "{name}" must be a valid Number')
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f'field "{name}" must be a valid Number') from None

    def get_float(self, name: str) -> float | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f'field "{name}" must be a valid Number') from None

    def get_bool(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise bad_request(f'field "{name}" must be of type Boolean')

    def get_json(self, name: str, *, what: str | None = None) -> Any:
        """A nested object; form clients send it JSON-encoded."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {what or name} JSON object") from None
        return value

    def chat_id(self, name: str = "chat_id") -> int | str:
        """A chat id (integer) or a public "@username"."""
        value = self.get_str(name, required=True)
        assert value is not None
        if value.startswith("@"):
            return value
        try:
            return int(value)
        except ValueError:
            raise bad_request("chat not found") from None

    def file_input(self, name: str) -> Upload | str | None:
        """A file parameter: an upload (direct or ``attach://``), a file_id or a URL."""
        if name in self.uploads:
            return self.uploads[name]
        value = self.get_str(name)
        if value and value.startswith("attach://"):
            return self.attached(value)
        return value

    def attached(self, uri: str) -> Upload:
        upload = self.uploads.get(uri[len("attach://") :])
        if upload is None:
            raise bad_request(f"file {uri} not found in the request")  # wording approximated
        return upload

    def normalized(self) -> dict[str, Any]:
        """The parameters with JSON decoded and numbers typed, for the call log."""
        result: dict[str, Any] = {}
        for name, value in self.values.items():
            result[name] = _normalize(name, value)
        result.update(self.uploads)
        return result


def _normalize(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        if name in JSON_FIELDS:
            return json.loads(value)
        if name in INT_FIELDS:
            return int(value)
    except ValueError:
        return value
    if name in BOOL_FIELDS and value.lower() in _TRUE | _FALSE:
        return value.lower() in _TRUE
    return value
