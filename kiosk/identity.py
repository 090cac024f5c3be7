"""Learning who this kiosk is from the backend (its status-link key), in the background."""

from __future__ import annotations

import logging
import threading

from backend.contracts import KioskIdentityView
from kiosk.backend_client import BackendClient, BackendUnavailable, CredentialRejected
from kiosk.outbox import Outbox

log = logging.getLogger(__name__)


class IdentityFetcher:
    """Asks ``whoami()`` until the backend answers, then caches the answer in the outbox.

    The cached identity lets the kiosk print valid status links while it is offline, and its
    sequence floor lets it number cases offline without reusing an earlier installation's.
    """

    def __init__(
        self,
        client: BackendClient,
        outbox: Outbox,
        *,
        first_delay: float = 1.0,
        max_delay: float = 60.0,
    ) -> None:
        self._client = client
        self._outbox = outbox
        self._first_delay = first_delay
        self._max_delay = max_delay
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.fetched = threading.Event()

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="kiosk-whoami", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def fetch_once(self) -> KioskIdentityView | None:
        """One attempt; the identity when the backend answered, None when it did not."""
        try:
            identity = self._client.whoami()
        except BackendUnavailable as error:
            log.info("backend not reachable for whoami: %s", error)
            return None
        except CredentialRejected as error:
            log.error("the backend refused this kiosk's credential: %s", error)
            return None
        self._outbox.save_identity(identity)
        if identity.sequence_floor is not None:
            self._outbox.learn_sequence_floor(identity.sequence_floor)
        self.fetched.set()
        return identity

    def _run(self) -> None:
        delay = self._first_delay
        while not self._stopping.is_set():
            if self.fetch_once() is not None:
                return
            self._stopping.wait(delay)
            delay = min(delay * 2, self._max_delay)
