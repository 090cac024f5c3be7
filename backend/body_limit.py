"""Refuse request bodies over the configured size, declared or streamed, with a JSON 413.

Starlette's own limiter answers a declared oversize in plain text from outside the app's error
handlers, so this middleware stands in for it and keeps every error an ``ErrorBody``.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.http_errors import error_response

BODY_TOO_LARGE = "body_too_large"


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class BodySizeLimitMiddleware:
    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    def _detail(self) -> str:
        return f"request body larger than {self.max_body_bytes} bytes"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _declared_length(scope)
        if declared is not None and declared > self.max_body_bytes:
            response = error_response(413, BODY_TOO_LARGE, self._detail(), {"Connection": "close"})
            await response(scope, receive, send)
            return

        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    # Raised inside the app's body reading, so its handlers turn it into JSON.
                    raise HTTPException(413, self._detail())
            return message

        await self.app(scope, limited_receive, send)
