"""Logging that never carries message text, tokens or raw user ids.

Our own log calls follow that rule; the third-party loggers that would break
it (httpx logs every request URL, which contains the bot token) are quietened.
"""

from __future__ import annotations

import logging


def configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for noisy in ("httpx", "httpcore", "apscheduler", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
