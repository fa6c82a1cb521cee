"""python-telegram-bot's requests to the Bot API, sent with aiohttp instead of httpx.

A profile of the load benchmark put more than half of the bot's CPU in sending requests,
most of it in httpx and httpcore (checking every pooled connection before each request,
building and parsing requests in pure Python); aiohttp does the same work in C and is
already a dependency (the webhook server). Bodies go as one JSON document instead of one
JSON dump per parameter inside a form; uploads stay multipart, as PTB sends them.

PTB's own error mapping stays: a timeout becomes ``TimedOut``, any other transport error
``NetworkError``, and PTB turns the status and body into its usual exceptions.
"""

from __future__ import annotations

import ipaddress
import json
import urllib.request
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

_JSON_HEADERS = {"Content-Type": "application/json"}


class AiohttpRequest(BaseRequest):
    """One aiohttp session with a bounded pool of keep-alive connections.

    ``connection_pool_size`` requests may be in flight; one more waits for a free
    connection. aiohttp bounds that wait and opening a connection together, so its connect
    timeout is ``pool_timeout + connect_timeout``."""

    __slots__ = ("_connect_timeout", "_media_write_timeout", "_pool_size", "_pool_timeout",
                 "_proxies", "_read_timeout", "_session", "_write_timeout")

    def __init__(
        self,
        connection_pool_size: int = 8,
        *,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[tuple[str, str], str | None] = {}

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            # Not trust_env: aiohttp would then look up netrc and the proxy variables in a
            # worker thread on every request (two thread hops each; 15 % more CPU per
            # update in the load benchmark). The proxy is looked up once per host instead.
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    def _proxy_for(self, url: str) -> str | None:
        """HTTPS_PROXY / HTTP_PROXY unless NO_PROXY names the host, as PTB's httpx client
        honours them; read once per host. Never for this machine itself (the playground's
        and the tests' fake Telegram, a local Bot API server)."""
        parts = urlsplit(url)
        key = (parts.scheme, parts.hostname or "")
        if key not in self._proxies:
            bypass = (not key[1] or _is_loopback(key[1])
                      or urllib.request.proxy_bypass(key[1]))
            self._proxies[key] = None if bypass else urllib.request.getproxies().get(key[0])
        return self._proxies[key]

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data and request_data.contains_files \
            else None
        read = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        write = (self._write_timeout if not files else self._media_write_timeout) \
            if isinstance(write_timeout, DefaultValue) else write_timeout
        connect = self._connect_timeout if isinstance(connect_timeout, DefaultValue) \
            else connect_timeout
        pool = self._pool_timeout if isinstance(pool_timeout, DefaultValue) else pool_timeout
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=_sum(connect, pool),
            sock_connect=connect,
            # aiohttp has no write timeout of its own: a slow upload counts as reading.
            sock_read=_sum(read, write) if files else read,
        )
        kwargs: dict[str, Any] = {"timeout": timeout, "proxy": self._proxy_for(url)}
        if files:
            kwargs["data"] = _form(request_data.json_parameters, files)  # type: ignore[union-attr]
        elif request_data is not None:
            kwargs["data"] = _json_body(request_data.parameters)
            kwargs["headers"] = _JSON_HEADERS
        try:
            async with session.request(method, url, **kwargs) as response:
                return response.status, await response.read()
        except TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _json_body(parameters: dict[str, Any]) -> bytes:
    """UTF-8 JSON: a third of the size of escaped Cyrillic. A lone surrogate (broken emoji in
    a user's text) cannot be UTF-8, so such a body is escaped, as PTB's own encoder does."""
    try:
        return json.dumps(parameters, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return json.dumps(parameters).encode()


def _sum(first: float | None, second: float | None) -> float | None:
    return None if first is None or second is None else first + second


def _form(fields: dict[str, str], files: dict[str, Any]) -> aiohttp.FormData:
    form = aiohttp.FormData(quote_fields=False)
    for name, value in fields.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in files.items():  # PTB's FieldTuple
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form
