"""Logging that never carries message text, tokens or raw user ids.

Our own log calls follow that rule; the third-party loggers that would break
it (httpx logs every request URL, which contains the bot token) are quietened.
"""

from __future__ import annotations

import logging
import re

# A Bot API token ("123456789:AA…"), wherever a library puts it (URLs, exceptions).
TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{10,}")
# Libraries that, below these levels, log request URLs (with the token), update contents
# (message texts, user ids) or SQL parameters. LOG_LEVEL=DEBUG raises our own loggers only.
CAPPED = {"httpx": logging.WARNING, "httpcore": logging.WARNING,
          "apscheduler": logging.WARNING, "aiohttp": logging.WARNING,
          "telegram": logging.INFO, "aiosqlite": logging.INFO, "tornado": logging.INFO}


class RedactTokens(logging.Filter):
    """The last line of defence: a token in any record is replaced before it is written."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if TOKEN.search(message):
            record.msg, record.args = TOKEN.sub("<token>", message), None
        if record.exc_info and record.exc_info[1] is not None:
            text = TOKEN.sub("<token>", logging.Formatter().formatException(record.exc_info))
            record.msg = f"{record.msg}\n{text}"
            record.exc_info, record.exc_text = None, None
        return True


def configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    redact = RedactTokens()
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact)
    for name, floor in CAPPED.items():
        logger = logging.getLogger(name)
        logger.setLevel(max(floor, logging.getLogger().getEffectiveLevel()))
