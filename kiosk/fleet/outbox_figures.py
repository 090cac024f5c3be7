"""Figures of the outbox for the heartbeat: the backlog, today's submissions, and trouble."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from kiosk.i18n import TIMEZONE
from kiosk.outbox import Outbox
from kiosk.sync import STUCK_AFTER_FAILURES


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
        return self._count_since_midnight("SELECT count(*) FROM submissions WHERE created_at >= ?")

    def numbering_refused_today(self) -> int:
        """Citizens since local midnight who could not be given a case number."""
        return self._count_since_midnight("SELECT count(*) FROM numbering_refusals WHERE at >= ?")

    def rejected(self) -> int:
        """Submissions the backend refused for good; kept for the operator."""
        return self._count("SELECT count(*) FROM submissions WHERE state = 'rejected'")

    def stuck(self) -> int:
        """Pending submissions the backend keeps failing on; the sync skips past them."""
        return self._outbox.stuck(STUCK_AFTER_FAILURES)

    def sequence_floor(self) -> int | None:
        return self._outbox.sequence_floor()

    def learn_sequence_floor(self, floor: int) -> None:
        self._outbox.learn_sequence_floor(floor)

    def _count_since_midnight(self, sql: str) -> int:
        local_midnight = datetime.combine(
            self._now().astimezone(self._timezone).date(), time(), self._timezone
        )
        # Outbox timestamps are fixed-width UTC ISO text: text order is time order.
        return self._count(sql, local_midnight.astimezone(UTC).isoformat(timespec="microseconds"))

    def _count(self, sql: str, *params: str) -> int:
        uri = f"file:{self._outbox.path}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True, timeout=10.0)) as db:
            row = db.execute(sql, params).fetchone()
        return int(row[0])
