"""Receiving updates: getUpdates (real long polling) and the webhook settings."""

from __future__ import annotations

from typing import Any

from bot.fakeapi import validation
from bot.fakeapi.errors import bad_request, conflict
from bot.fakeapi.params import Params
from bot.fakeapi.registry import api_method
from bot.fakeapi.state import FakeState, WebhookConfig

MAX_POLL_TIMEOUT = 600.0


def _allowed_updates(p: Params) -> list[str] | None:
    allowed = p.get_json("allowed_updates")
    if allowed is None:
        return None
    if not isinstance(allowed, list) or not all(isinstance(a, str) for a in allowed):
        raise bad_request("can't parse allowed_updates JSON object")  # approximate
    return allowed


@api_method("getUpdates")
async def get_updates(state: FakeState, p: Params) -> Any:
    if state.webhook is not None:
        raise conflict("can't use getUpdates method while webhook is active; "
                       "use deleteWebhook to delete the webhook first")
    offset = p.get_int("offset")
    if offset:
        state.confirm(offset)
    limit = min(max(p.get_int("limit") or 100, 1), 100)
    timeout = min(max(p.get_float("timeout") or 0.0, 0.0), MAX_POLL_TIMEOUT)
    allowed = _allowed_updates(p)
    if allowed is not None:
        state.allowed_updates = allowed or None  # [] restores the default set
    # A newer getUpdates ends this one with 409, as Telegram does for two bot instances.
    state.poll_generation += 1
    generation = state.poll_generation
    state.notifier.notify()
    await state.notifier.wait_until(
        lambda: state.closing or state.pending or state.webhook is not None
        or state.poll_generation != generation,
        timeout,
    )
    if state.closing:
        return []
    if state.poll_generation != generation or state.webhook is not None:
        raise conflict("terminated by other getUpdates request; "
                       "make sure that only one bot instance is running")
    return [dict(update) for update in state.pending[:limit]]


@api_method("setWebhook")
async def set_webhook(state: FakeState, p: Params) -> Any:
    url = p.get_str("url") or ""
    if not url:
        return await delete_webhook(state, p)
    validation.check_webhook_url(url)
    secret = p.get_str("secret_token")
    validation.check_secret_token(secret)
    max_connections = p.get_int("max_connections") or 40
    if not 1 <= max_connections <= 100:
        raise bad_request("invalid max_connections specified")  # approximate
    state.webhook = WebhookConfig(
        url=url,
        secret_token=secret or None,
        max_connections=max_connections,
        allowed_updates=_allowed_updates(p) or None,
        ip_address=p.get_str("ip_address"),
    )
    if p.get_bool("drop_pending_updates"):
        state.pending.clear()
    state.notifier.notify()
    return True


@api_method("deleteWebhook")
async def delete_webhook(state: FakeState, p: Params) -> Any:
    state.webhook = None
    if p.get_bool("drop_pending_updates"):
        state.pending.clear()
    state.notifier.notify()
    return True


@api_method("getWebhookInfo")
async def get_webhook_info(state: FakeState, p: Params) -> Any:
    hook = state.webhook
    info: dict[str, Any] = {
        "url": hook.url if hook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(state.pending),
    }
    if hook is None:
        return info
    info["max_connections"] = hook.max_connections
    if hook.allowed_updates:
        info["allowed_updates"] = hook.allowed_updates
    if hook.ip_address:
        info["ip_address"] = hook.ip_address
    if hook.last_error_date is not None:
        info["last_error_date"] = hook.last_error_date
        info["last_error_message"] = hook.last_error_message
    return info
