"""The one exception type that becomes a Telegram-style error response.

Handlers raise ApiError anywhere; the HTTP layer turns it into
``{"ok": false, "error_code": N, "description": ...}`` with HTTP status N.
"""

from __future__ import annotations


class ApiError(Exception):
    """A Bot API failure carrying Telegram's status code and description."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, object]:
        body: dict[str, object] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(detail: str) -> ApiError:
    """Telegram prefixes every 400 description with 'Bad Request: '."""
    return ApiError(400, f"Bad Request: {detail}")


def forbidden(detail: str) -> ApiError:
    return ApiError(403, f"Forbidden: {detail}")
