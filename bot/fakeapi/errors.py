"""Bot API error answers: an exception carrying Telegram's error_code and description."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """Raised inside method handlers; the server turns it into ``{"ok": false, ...}``."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None,
                 *, forced: bool = False):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters
        self.forced = forced  # injected by a test with fake.fail_next()

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


def forbidden(reason: str) -> ApiError:
    return ApiError(403, f"Forbidden: {reason}")


def conflict(reason: str) -> ApiError:
    return ApiError(409, f"Conflict: {reason}")


def too_many_requests(retry_after: int, *, forced: bool = False) -> ApiError:
    return ApiError(429, f"Too Many Requests: retry after {retry_after}",
                    {"retry_after": retry_after}, forced=forced)


UNAUTHORIZED = ApiError(401, "Unauthorized")
NOT_FOUND = ApiError(404, "Not Found")
