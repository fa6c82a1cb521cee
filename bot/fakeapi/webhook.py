"""Webhook delivery: POST queued updates to the bot, one at a time, retrying failures."""

from __future__ import annotations

import asyncio
import json

import aiohttp

from bot.fakeapi.models import JsonDict
from bot.fakeapi.state import FakeState

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
CONNECTION_FAILED = 0  # recorded in webhook_responses when the POST got no answer


async def post_update(session: aiohttp.ClientSession, url: str, update: JsonDict,
                      secret: str | None, timeout: float = 10.0) -> tuple[int, str]:
    """POST one update like Telegram; returns (HTTP status or 0, error text)."""
    headers = {"Content-Type": "application/json"}  # exactly this: PTB rejects a charset
    if secret is not None:
        headers[SECRET_HEADER] = secret
    try:
        async with session.post(url, data=json.dumps(update).encode(), headers=headers,
                                timeout=aiohttp.ClientTimeout(total=timeout)) as response:
            await response.read()
            return response.status, f"Wrong response from the webhook: {response.status} " \
                f"{response.reason}"
    except (aiohttp.ClientError, TimeoutError) as error:
        return CONNECTION_FAILED, f"Connection failed: {error.__class__.__name__}"


class WebhookDeliverer:
    """Delivers ``state.pending`` while a webhook is set.

    A failed update is retried ``attempts`` times with a short pause, then dropped (real
    Telegram keeps retrying for longer; a test only needs to see the failures).
    """

    def __init__(self, state: FakeState, attempts: int = 3, retry_delay: float = 0.05) -> None:
        self.state = state
        self.attempts = attempts
        self.retry_delay = retry_delay

    async def run(self, session: aiohttp.ClientSession) -> None:
        state = self.state
        failures = 0
        while True:
            await state.notifier.wait_until(
                lambda: state.closing or (state.webhook is not None and state.pending), 3600)
            hook = state.webhook
            if state.closing:
                return
            if hook is None or not state.pending:
                continue
            update = state.pending[0]
            status, error = await post_update(session, hook.url, update, hook.secret_token)
            state.webhook_responses.append(status)
            state.notifier.notify()
            if 200 <= status < 300:
                failures = 0
                self._forget(update)
                continue
            failures += 1
            hook.last_error_date, hook.last_error_message = state.now(), error
            if failures >= self.attempts:
                failures = 0
                self._forget(update)
            else:
                await asyncio.sleep(self.retry_delay * failures)

    def _forget(self, update: JsonDict) -> None:
        if update in self.state.pending:
            self.state.pending.remove(update)
