"""Refuse request bodies over the configured size, declared or streamed, with a JSON 413.

Starlette's own limiter answers a declared oversize in plain text from outside the app's error
handlers, so this middleware stands in for it and keeps every error an ``ErrorBody``. A few
routes (a portrait upload) may have a larger limit of their own.
"""

from __future__ import annotations

from collections.abc import Mapping

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
    def __init__(
        self,
        app: ASGIApp,
        max_body_bytes: int,
        route_limits: Mapping[str, int] | None = None,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.route_limits = dict(route_limits or {})

    def limit_for(self, path: str) -> int:
        """The limit of a path: its own if it has one (exact match), else the default."""
        return self.route_limits.get(path.rstrip("/") or "/", self.max_body_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        detail = f"request body larger than {limit} bytes"
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            response = error_response(413, BODY_TOO_LARGE, detail, {"Connection": "close"})
            await response(scope, receive, send)
            return

        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Raised inside the app's body reading, so its handlers turn it into JSON.
                    raise HTTPException(413, detail)
            return message

        await self.app(scope, limited_receive, send)
