"""In-process publish/subscribe of small fleet events for the live dashboard.

Publishers are request handlers running in worker threads as well as the event loop, so each
subscriber's queue is fed through its own loop's ``call_soon_threadsafe``.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

SUBSCRIBER_QUEUE_SIZE = 256


@dataclass(frozen=True)
class FleetEvent:
    """``kind`` names it (heartbeat, alert_opened, alert_closed, alert_acknowledged,
    command_changed); ``data`` is JSON-ready."""

    kind: str
    data: dict[str, Any]


class FleetEvents:
    def __init__(self, queue_size: int = SUBSCRIBER_QUEUE_SIZE) -> None:
        self._queue_size = queue_size
        self._lock = threading.Lock()
        self._subscribers: list[tuple[asyncio.AbstractEventLoop, asyncio.Queue[FleetEvent]]] = []

    @property
    def subscriber_count(self) -> int:
        with self._lock:
            return len(self._subscribers)

    def publish(self, kind: str, data: dict[str, Any]) -> None:
        """Hand an event to every subscriber; a subscriber too slow to keep up loses it."""
        event = FleetEvent(kind, data)
        with self._lock:
            subscribers = list(self._subscribers)
        for loop, queue in subscribers:
            try:
                loop.call_soon_threadsafe(_offer, queue, event)
            except RuntimeError:  # its loop is closed; it unsubscribes on its way out
                continue

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue[FleetEvent]]:
        """A queue receiving every event published while the context is open."""
        queue: asyncio.Queue[FleetEvent] = asyncio.Queue(self._queue_size)
        entry = (asyncio.get_running_loop(), queue)
        with self._lock:
            self._subscribers.append(entry)
        try:
            yield queue
        finally:
            with self._lock:
                self._subscribers.remove(entry)


def _offer(queue: asyncio.Queue[FleetEvent], event: FleetEvent) -> None:
    if not queue.full():
        queue.put_nowait(event)
