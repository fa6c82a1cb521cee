"""The log filter: a token never reaches a log line, in a message or a traceback."""

from __future__ import annotations

import io
import logging

from bot.logging_setup import RedactTokens

TOKEN = "7654321098:AAHxQ-secretpart_0123456789abcdefghij"


def test_tokens_are_redacted_in_messages_and_tracebacks() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactTokens())
    logger = logging.getLogger("test.redact")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("GET https://api.telegram.org/bot%s/getMe failed", TOKEN)
        try:
            raise RuntimeError(f"The token `{TOKEN}` was rejected by the server.")
        except RuntimeError:
            logger.exception("start-up failed")
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert TOKEN not in text and "secretpart" not in text
    assert text.count("<token>") == 2 and "start-up failed" in text
