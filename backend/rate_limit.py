"""Per-client request limits for public endpoints: an in-memory sliding window.

Kept in the process, so each backend worker counts on its own; enough for one process behind
a proxy, and the proxy should limit as well when there are several.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

_SWEEP_EVERY_HITS = 1000


class SlidingWindowRateLimiter:
    """At most ``limit`` hits per key within any ``window_seconds``."""

    def __init__(
        self,
        limit: int,
        window_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window_seconds = window_seconds
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self._hits_since_sweep = 0

    def hit(self, key: str) -> int | None:
        """Count a request; None when allowed, else whole seconds until one would be."""
        now = self._clock()
        horizon = now - self.window_seconds
        with self._lock:
            self._maybe_sweep(horizon)
            window = self._hits.setdefault(key, deque())
            while window and window[0] <= horizon:
                window.popleft()
            if len(window) >= self.limit:
                return max(1, math.ceil(window[0] - horizon))
            window.append(now)
            return None

    def _maybe_sweep(self, horizon: float) -> None:
        # Forget clients that have gone quiet, so the table cannot grow without bound.
        self._hits_since_sweep += 1
        if self._hits_since_sweep < _SWEEP_EVERY_HITS:
            return
        self._hits_since_sweep = 0
        for key in [
            key for key, window in self._hits.items() if not window or window[-1] <= horizon
        ]:
            del self._hits[key]
