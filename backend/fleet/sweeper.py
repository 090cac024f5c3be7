"""The background task that turns silent kiosks into offline alerts between dashboard reads."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from starlette.concurrency import run_in_threadpool

logger = logging.getLogger(__name__)


async def sweep_forever(sweep_once: Callable[[], None], every_seconds: float) -> None:
    """Call ``sweep_once`` (blocking; run in a worker thread) every ``every_seconds`` until
    cancelled; a failed sweep is logged and the next one still runs."""
    while True:
        await asyncio.sleep(every_seconds)
        try:
            await run_in_threadpool(sweep_once)
        except Exception:
            logger.exception("periodic task %s failed", getattr(sweep_once, "__name__", sweep_once))
