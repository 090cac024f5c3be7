"""Figures of the outbox for the heartbeat: the backlog, and submissions made today."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from kiosk.i18n import TIMEZONE
from kiosk.outbox import Outbox


class OutboxFigures:
    """Reads the outbox's database on a connection of its own (the heartbeat thread's)."""

    def __init__(
        self,
        outbox: Outbox,
        *,
        timezone: ZoneInfo = TIMEZONE,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._outbox = outbox
        self._timezone = timezone
        self._now = now

    def backlog(self) -> int:
        return self._outbox.backlog()

    def submissions_today(self) -> int:
        """Submissions stored since local midnight, whatever became of them since."""
        local_midnight = datetime.combine(
            self._now().astimezone(self._timezone).date(), time(), self._timezone
        )
        since = local_midnight.astimezone(UTC).isoformat(timespec="microseconds")
        uri = f"file:{self._outbox.path}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True, timeout=10.0)) as db:
            # Outbox timestamps are fixed-width UTC ISO text: text order is time order.
            row = db.execute(
                "SELECT count(*) FROM submissions WHERE created_at >= ?", (since,)
            ).fetchone()
        return int(row[0])
