"""Settings from environment variables (and a ``.env`` file), validated at start.

Every problem names the variable, so a volunteer deploying the bot can fix it
without reading code.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

_TOKEN_RE = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{1,200}$")
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    # Secrets stay out of repr(): settings end up in tracebacks and debug output.
    bot_token: str | None = field(default=None, repr=False)
    telegram_base_url: str | None = None
    telegram_base_file_url: str | None = None
    data_dir: Path = Path("data")
    admin_ids: frozenset[int] = field(default_factory=frozenset)
    moderation_chat_id: int | None = None
    moderation_locale: str = "en"
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    listen: str = "127.0.0.1"
    port: int = 8080
    log_level: str = "INFO"
    draft_ttl_hours: float = 48.0
    flood_per_minute: int = 30
    report_key: str | None = field(default=None, repr=False)
    ticket_retention_days: float = 90.0
    question_retention_days: float = 90.0  # unanswered questions are deleted after this
    # Users who have not written for this long are forgotten (locale, flags); 0: never.
    user_retention_days: float = 365.0
    # For benchmarks only: no outgoing rate limiter (real Telegram would answer 429s).
    benchmark_no_rate_limit: bool = False

    @property
    def database_path(self) -> Path:
        return self.data_dir / "hamroh.sqlite3"

    @property
    def use_webhook(self) -> bool:
        return self.webhook_url is not None


def load_settings(environ: Mapping[str, str] | None = None, *, dotenv: bool = True) -> Settings:
    """Read settings from ``environ`` (default: the process environment plus ``.env``)."""
    if environ is None:
        if dotenv:
            _load_dotenv()
        environ = os.environ
    env = {key: value.strip() for key, value in environ.items() if value.strip()}

    token = env.get("BOT_TOKEN")
    if token is not None and not _TOKEN_RE.match(token):
        raise ConfigError("BOT_TOKEN: expected the form 123456789:ABC-def… given by @BotFather")

    webhook_url = env.get("WEBHOOK_URL")
    webhook_secret = env.get("WEBHOOK_SECRET")
    if webhook_url is not None:
        _check_webhook_url(webhook_url)
        if webhook_secret is None:
            raise ConfigError(
                "WEBHOOK_SECRET: required in webhook mode (1–256 characters A–Z a–z 0–9 _ -)"
            )
    if webhook_secret is not None and not _SECRET_RE.match(webhook_secret):
        raise ConfigError("WEBHOOK_SECRET: use 1–256 characters from A–Z a–z 0–9 _ -")

    report_key = env.get("REPORT_KEY")
    if report_key is not None:
        _check_report_key(report_key)

    level = env.get("LOG_LEVEL", "INFO").upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ConfigError("LOG_LEVEL: one of DEBUG, INFO, WARNING, ERROR")

    moderation_locale = env.get("MODERATION_LOCALE", "en").lower()
    if moderation_locale not in {"tg", "ru", "en"}:
        raise ConfigError("MODERATION_LOCALE: one of tg, ru, en")

    return Settings(
        bot_token=token,
        telegram_base_url=_url(env, "TELEGRAM_BASE_URL"),
        telegram_base_file_url=_url(env, "TELEGRAM_BASE_FILE_URL"),
        data_dir=Path(env.get("DATA_DIR", "data")),
        admin_ids=_id_set(env, "ADMIN_IDS"),
        moderation_chat_id=_optional_int(env, "MODERATION_CHAT_ID"),
        moderation_locale=moderation_locale,
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
        listen=env.get("LISTEN", "127.0.0.1"),
        port=_port(env),
        log_level=level,
        draft_ttl_hours=_positive_float(env, "DRAFT_TTL_HOURS", 48.0),
        flood_per_minute=int(_positive_float(env, "FLOOD_PER_MINUTE", 30)),
        report_key=report_key,
        ticket_retention_days=_positive_float(env, "TICKET_RETENTION_DAYS", 90.0),
        question_retention_days=_positive_float(env, "QUESTION_RETENTION_DAYS", 90.0),
        user_retention_days=_positive_float(env, "USER_RETENTION_DAYS", 365.0, zero_allowed=True),
        benchmark_no_rate_limit=env.get("BENCHMARK_NO_RATE_LIMIT", "") in {"1", "true", "yes"},
    )


def _load_dotenv() -> None:
    try:
        from dotenv import load_dotenv
    except ImportError:  # optional: plain environment variables work without it
        return
    load_dotenv(Path.cwd() / ".env", override=False)


def _url(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name)
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ConfigError(f"{name}: expected an http(s) URL, got {value!r}")
    return value.rstrip("/")


def _check_webhook_url(value: str) -> None:
    parts = urlsplit(value)
    if not parts.netloc or parts.scheme not in {"http", "https"}:
        raise ConfigError("WEBHOOK_URL: expected a public https:// URL")
    # Telegram only delivers to HTTPS; plain http is allowed for local tests.
    if parts.scheme == "http" and parts.hostname not in _LOOPBACK_HOSTS:
        raise ConfigError("WEBHOOK_URL: Telegram delivers webhooks only to https:// URLs")


def _check_report_key(value: str) -> None:
    try:
        key = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise ConfigError("REPORT_KEY: expected 32 random bytes in base64 "
                          "(e.g. the content of DATA_DIR/report.key)")


def _id_set(env: Mapping[str, str], name: str) -> frozenset[int]:
    raw = env.get(name, "")
    ids: set[int] = set()
    for item in raw.replace(";", ",").split(","):
        item = item.strip()
        if not item:
            continue
        if not item.lstrip("-").isdecimal():
            raise ConfigError(f"{name}: {item!r} is not a Telegram user id "
                              "(expected comma-separated numbers)")
        ids.add(int(item))
    return frozenset(ids)


def _optional_int(env: Mapping[str, str], name: str) -> int | None:
    value = env.get(name)
    if value is None:
        return None
    if not value.lstrip("-").isdecimal():
        raise ConfigError(f"{name}: expected a chat id such as -1001234567890, got {value!r}")
    return int(value)


def _port(env: Mapping[str, str]) -> int:
    value = env.get("PORT", "8080")
    if not value.isdecimal() or not 1 <= int(value) <= 65535:
        raise ConfigError(f"PORT: expected a number from 1 to 65535, got {value!r}")
    return int(value)


def _positive_float(env: Mapping[str, str], name: str, default: float, *,
                    zero_allowed: bool = False) -> float:
    value = env.get(name)
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if number < 0 or (number == 0 and not zero_allowed):
        wanted = "0 or a positive number" if zero_allowed else "a positive number"
        raise ConfigError(f"{name}: expected {wanted}, got {value!r}")
    return number
