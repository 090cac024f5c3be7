"""Sending the outbox to the backend: on a timer in a daemon thread, or on demand."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID

from kiosk.backend_client import (
    BackendClient,
    BackendRejected,
    BackendServerError,
    BackendUnavailable,
)
from kiosk.background import RepeatingWork
from kiosk.outbox import Outbox, OutboxEntry
from kiosk.renumbering import send_numbered

logger = logging.getLogger(__name__)

# Refusals that say "not now" rather than "never": keep the entry and end the round.
_TRANSIENT_REJECTIONS = frozenset({401, 408, 429})
# An entry failing with server errors this many times in a row is reported as stuck.
STUCK_AFTER_FAILURES = 3
# Server errors on this many different entries in a row: the backend itself is sick.
_SERVER_ERRORS_ENDING_ROUND = 3
BACKOFF_FIRST = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)


def backoff(server_failures: int) -> timedelta:
    """How long an entry waits after its n-th server error in a row: 30 s, 60 s... 1 h."""
    return min(BACKOFF_FIRST * 2 ** max(server_failures - 1, 0), BACKOFF_MAX)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class OutboxSync(RepeatingWork):
    """Sends pending outbox entries, oldest first, and records each answer in the outbox."""

    thread_name = "outbox-sync"

    def __init__(
        self,
        outbox: Outbox,
        client: BackendClient,
        interval: float = 5.0,
        *,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        super().__init__()
        self._outbox = outbox
        self._client = client
        self.interval = interval
        self._clock = clock
        self._round_lock = threading.Lock()
        self.last_error: str | None = None
        self.last_round_at: datetime | None = None

    def sync_once(self) -> int:
        """Send every due entry until the backend stops answering; return how many were sent.

        Accepted entries are marked sent, entries refused for good are marked rejected (and
        kept), an entry whose number is taken is renumbered and sent again, an entry the
        backend fails on (5xx) waits out a backoff of its own while the ones behind it go on,
        and the first failure to reach the backend is recorded and ends the round.
        """
        sent = 0
        server_errors = 0
        with self._round_lock:
            self.last_error = None
            for entry in self._outbox.due(self._clock()):
                submission_id = entry.submission_id
                if entry.submission is None:  # only sent entries are scrubbed
                    continue
                try:
                    accepted, _ = send_numbered(self._client, self._outbox, entry.submission)
                except BackendServerError as error:
                    self._set_aside(entry, str(error))
                    server_errors += 1
                    if server_errors >= _SERVER_ERRORS_ENDING_ROUND:
                        break
                    continue
                except BackendUnavailable as error:
                    self._record_attempt(submission_id, str(error))
                    break
                except BackendRejected as rejection:
                    if rejection.status_code in _TRANSIENT_REJECTIONS:
                        self._record_attempt(submission_id, str(rejection))
                        break
                    logger.error("backend refused submission %s: %s", submission_id, rejection)
                    self._outbox.mark_rejected(submission_id, str(rejection))
                    continue
                server_errors = 0
                self._outbox.mark_sent(submission_id, accepted)
                sent += 1
            self.last_round_at = datetime.now(UTC)
        return sent

    def _set_aside(self, entry: OutboxEntry, error: str) -> None:
        failures = entry.server_failures + 1
        retry_at = self._clock() + backoff(failures)
        self.last_error = error
        log = logger.error if failures >= STUCK_AFTER_FAILURES else logger.warning
        log(
            "backend failed on submission %s (%d in a row), retried after %s: %s",
            entry.submission_id,
            failures,
            retry_at.isoformat(),
            error,
        )
        self._outbox.mark_server_failure(entry.submission_id, error, retry_at)

    def _record_attempt(self, submission_id: UUID, error: str) -> None:
        self.last_error = error
        logger.warning("outbox sync paused: %s", error)
        self._outbox.mark_attempt(submission_id, error)

    def work_once(self) -> object:
        return self.sync_once()
