"""The HTTP side of the fake: an aiohttp server on 127.0.0.1 speaking the Bot API.

See the package docstring (``bot.fakeapi``) for the whole public API.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import Callable
from types import TracebackType
from typing import Any

import aiohttp
from aiohttp import web

# The method modules register themselves in the method table when imported.
from bot.fakeapi import (  # noqa: F401
    methods_bot,
    methods_chats,
    methods_forum,
    methods_media,
    methods_messages,
    methods_updates,
)
from bot.fakeapi.errors import NOT_FOUND, UNAUTHORIZED, ApiError, bad_request, too_many_requests
from bot.fakeapi.models import ChatEvent, ForumTopicRecord, JsonDict, StoredMessage
from bot.fakeapi.observe import ChatReader, describe_chat
from bot.fakeapi.params import Params, Upload
from bot.fakeapi.registry import lookup
from bot.fakeapi.state import EventListener
from bot.fakeapi.user import UserSide
from bot.fakeapi.webhook import WebhookDeliverer, post_update

MAX_REQUEST_SIZE = 60 * 1024 * 1024  # above Telegram's 50 MB upload limit, to answer 413
_CONFIGURED = object()  # post_to_webhook: use the secret set with setWebhook


def _json_response(body: JsonDict, status: int = 200) -> web.Response:
    return web.Response(
        body=json.dumps(body, ensure_ascii=False).encode(), status=status,
        content_type="application/json",
    )


async def read_params(request: web.Request) -> Params:
    """Query string plus a JSON, urlencoded or multipart body."""
    values: dict[str, Any] = dict(request.query)
    uploads: dict[str, Upload] = {}
    if request.content_type == "application/json":
        raw = await request.read()
        try:
            body = json.loads(raw) if raw.strip() else {}
        except ValueError:
            raise bad_request("can't parse JSON object") from None  # approximate
        if not isinstance(body, dict):
            raise bad_request("JSON object expected")  # approximate
        values.update(body)
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        for name, value in form.items():
            if isinstance(value, web.FileField):
                uploads[name] = Upload(name, value.filename, value.content_type,
                                       value.file.read())
            else:
                values[name] = value
    return Params(values, uploads)


class FakeTelegram(UserSide):
    """A strict fake Telegram Bot API server plus simulated users (see ``bot.fakeapi``)."""

    def __init__(self, token: str, *, bot_user_id: int | None = None,
                 bot_username: str = "hamroh_test_bot", bot_first_name: str = "Hamroh",
                 flood_limit: float | None = None, webhook_attempts: int = 3,
                 first_update_id: int = 100_000_001) -> None:
        super().__init__(token, bot_user_id=bot_user_id, bot_username=bot_username,
                         bot_first_name=bot_first_name, flood_limit=flood_limit,
                         first_update_id=first_update_id)
        self.base_url = ""
        self._readers: dict[int, ChatReader] = {}
        self._holds: dict[str, asyncio.Event] = {}  # see hold()
        self._deliverer = WebhookDeliverer(self, attempts=webhook_attempts)
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._webhook_task: asyncio.Task[None] | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self, port: int = 0) -> str:
        """Serve on 127.0.0.1 (``port=0``: any free port); returns ``http://127.0.0.1:PORT``."""
        self.closing = False
        app = web.Application(client_max_size=MAX_REQUEST_SIZE)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        await web.SockSite(self._runner, sock).start()
        self.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        self._session = aiohttp.ClientSession(trust_env=False)  # never through a proxy
        self._webhook_task = asyncio.create_task(self._deliverer.run(self._session))
        return self.base_url

    async def stop(self) -> None:
        """Stop serving; pending long polls return at once (aiohttp would not cancel them)."""
        self.closing = True
        self.notifier.notify()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
            self._webhook_task = None
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.stop()

    @property
    def api_url(self) -> str:
        """For ``ApplicationBuilder.base_url`` (PTB appends the token)."""
        return self.base_url + "/bot"

    @property
    def file_url(self) -> str:
        """For ``ApplicationBuilder.base_file_url``."""
        return self.base_url + "/file/bot"

    # -- HTTP handlers -------------------------------------------------------------------------

    async def _handle_method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _json_response(UNAUTHORIZED.payload(), UNAUTHORIZED.code)
        entry = lookup(request.match_info["method"])
        if entry is None:
            return _json_response(NOT_FOUND.payload(), NOT_FOUND.code)
        name, handler = entry
        try:
            params = await read_params(request)
            self.calls.append((name, params.normalized()))
            self.notifier.notify()
            gate = self._holds.get(name.lower())
            if gate is not None:
                await gate.wait()
                if request.transport is None or request.transport.is_closing():
                    # The client died while held: the request never took effect, as when
                    # a bot is killed before Telegram has its whole request.
                    return web.Response(status=499)
            forced = self.take_forced_failure(name)
            if forced is not None:
                raise forced
            result = await handler(self, params)
        except ApiError as error:
            # A client that gave up (e.g. PTB cancelling its long poll) never sees the error.
            if request.transport is not None and not request.transport.is_closing():
                self.api_errors.append((name, error))
                self.notifier.notify()
            return _json_response(error.payload(), error.code)
        return _json_response({"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _json_response(UNAUTHORIZED.payload(), UNAUTHORIZED.code)
        stored = self.files_by_path.get(request.match_info["path"])
        if stored is None:
            return _json_response(NOT_FOUND.payload(), NOT_FOUND.code)
        return web.Response(body=stored.data(), content_type="application/octet-stream")

    # -- test hooks and observation --------------------------------------------------------------

    def fail_next(self, method: str, times: int = 1, *, retry_after: int = 1,
                  error_code: int = 429, description: str | None = None) -> None:
        """Answer the next ``times`` calls of ``method`` with 429 (or another error)."""
        if error_code == 429:
            errors = [too_many_requests(retry_after, forced=True) for _ in range(times)]
        else:
            text = description or f"Internal Server Error ({error_code})"
            errors = [ApiError(error_code, text, forced=True) for _ in range(times)]
        self.force_failures(method, errors)

    def hold(self, method: str) -> None:
        """Keep every call of ``method`` waiting, unanswered, until ``release()``: the bot
        is then stuck mid-send, where a crash loses the request (see _handle_method)."""
        self._holds.setdefault(method.lower(), asyncio.Event())

    def release(self, method: str) -> None:
        gate = self._holds.pop(method.lower(), None)
        if gate is not None:
            gate.set()

    def calls_of(self, method: str) -> list[JsonDict]:
        """Parameters of every call of ``method`` (case-insensitive), oldest first."""
        return [params for name, params in self.calls if name.lower() == method.lower()]

    def assert_no_api_errors(self, *, include_forced: bool = False) -> None:
        """Fail if the bot got any API error (those forced by fail_next() only on request)."""
        errors = [(m, e) for m, e in self.api_errors if include_forced or not e.forced]
        assert not errors, "the bot got API errors: " + "; ".join(
            f"{method}: {error.description}" for method, error in errors)

    def chat(self, chat_id: int) -> ChatReader:
        """The reader for one chat (the same object on every call)."""
        if chat_id not in self._readers:
            self._readers[chat_id] = ChatReader(self, chat_id)
        return self._readers[chat_id]

    def transcript(self, chat_id: int, *, include_user: bool = False) -> list[ChatEvent]:
        return [e for e in self.logs.get(chat_id, []) if e.by_bot or include_user]

    def describe_chat(self, chat_id: int) -> str:
        return describe_chat(self, chat_id)

    def message(self, chat_id: int, message_id: int) -> StoredMessage:
        message = self.messages.get(chat_id, {}).get(message_id)
        assert message is not None, f"no message {message_id} in chat {chat_id}"
        return message

    def topics(self, chat_id: int) -> dict[int, ForumTopicRecord]:
        """The forum's topics by message_thread_id (live records; deleted topics are gone)."""
        chat = self.chats.get(chat_id)
        assert chat is not None, f"no chat {chat_id}"
        return dict(chat.topics)

    def topic_messages(self, chat_id: int, thread_id: int) -> list[StoredMessage]:
        """Every message of one topic, by anyone, oldest first: the service message that
        began it, then the rest (deleted ones included, see ``.deleted``)."""
        chat = self.messages.get(chat_id, {})
        return [message for message in chat.values() if message.thread_id == thread_id]

    def on_event(self, callback: EventListener, *,
                 include_user: bool = False) -> Callable[[], None]:
        """Call ``callback(event)`` (sync or async) on every bot event; returns unsubscribe."""
        return self.add_listener(callback, include_user)

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 10.0, *,
                       message: str | None = None) -> Any:
        """Wait until ``predicate()`` is truthy (re-checked on every change); returns it."""
        value = await self.notifier.wait_until(predicate, timeout)
        if not value:
            raise AssertionError(f"{message or 'condition'} not met within {timeout}s")
        return value

    async def post_to_webhook(self, update: JsonDict, *, secret: Any = _CONFIGURED,
                              url: str | None = None) -> int:
        """POST an arbitrary update to the webhook (``secret=None``: no secret header)."""
        hook = self.webhook
        target = url or (hook.url if hook else None)
        assert target and self._session is not None, "no webhook set (or the fake is stopped)"
        if secret is _CONFIGURED:
            secret = hook.secret_token if hook else None
        status, _ = await post_update(self._session, target, update, secret)
        return status
