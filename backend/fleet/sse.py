"""Server-Sent Events framing of fleet events, with comment pings to keep proxies open."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from backend.fleet.events import FleetEvent, FleetEvents


def sse_frame(event: FleetEvent) -> str:
    data = json.dumps(event.data, ensure_ascii=False, separators=(",", ":"))
    return f"event: {event.kind}\ndata: {data}\n\n"


async def sse_stream(events: FleetEvents, ping_seconds: float) -> AsyncIterator[str]:
    """Every event published from now on, as SSE frames; a ``: ping`` when idle."""
    async with events.subscribe() as queue:
        yield ": connected\n\n"
        while True:
            try:
                event = await asyncio.wait_for(queue.get(), timeout=ping_seconds)
            except TimeoutError:
                yield ": ping\n\n"
                continue
            yield sse_frame(event)
