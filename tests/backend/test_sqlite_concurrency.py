"""The embedded SQLite database queues concurrent writers instead of answering 500."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from backend.db import SQLITE_BUSY_TIMEOUT_MS, Database
from backend.migrate import upgrade_database
from backend.server import BackgroundServer
from backend.services.kiosks import register_kiosk
from config.settings import BackendSettings
from tests.backend.conftest import PUBLIC_BASE_URL, SECRET_KEY

FILERS = 6
CASES_EACH = 12
HEARTBEAT = {
    "sent_at": "2025-03-14T09:30:00+00:00",
    "software_version": "1.0",
    "uptime_seconds": 1,
    "screen": "idle",
    "in_service": True,
    "outbox_backlog": 0,
    "submissions_today": 0,
    "devices": [],
}


def test_concurrent_filers_and_heartbeats_get_no_server_errors(
    tmp_path: Path, make_submission: Callable[..., dict[str, Any]]
) -> None:
    url = f"sqlite:///{tmp_path / 'station.db'}"
    upgrade_database(url)
    database = Database(url, audit_key=BackendSettings(var_dir=tmp_path / "var").resolved_audit_key)
    with database.transaction() as session:
        credentials = [
            register_kiosk(session, f"07{n:02d}", f"Kiosk {n}", "Office") for n in range(FILERS)
        ]
    database.dispose()
    settings = BackendSettings(
        var_dir=tmp_path / "var",
        database_url=url,
        secret_key=SECRET_KEY,
        public_base_url=PUBLIC_BASE_URL,
    )
    statuses: list[int] = []
    heartbeat_waits: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(FILERS)

    with BackgroundServer(settings, port=0) as server:

        def file_cases(n: int) -> None:
            headers = {"Authorization": f"Bearer {credentials[n]}"}
            with httpx.Client(base_url=server.url, headers=headers, timeout=60) as http:
                start.wait()
                for sequence in range(1, CASES_EACH + 1):
                    body = make_submission(sequence=sequence, kiosk_code=f"07{n:02d}")
                    status = http.post("/api/v1/cases", json=body).status_code
                    with lock:
                        statuses.append(status)

        def heartbeats() -> None:
            headers = {"Authorization": f"Bearer {credentials[0]}"}
            with httpx.Client(base_url=server.url, headers=headers, timeout=60) as http:
                start.wait()
                for _ in range(CASES_EACH):
                    began = time.monotonic()
                    status = http.post("/api/v1/fleet/heartbeat", json=HEARTBEAT).status_code
                    with lock:
                        statuses.append(status)
                        heartbeat_waits.append(time.monotonic() - began)

        threads = [threading.Thread(target=file_cases, args=(n,)) for n in range(FILERS - 1)]
        threads.append(threading.Thread(target=heartbeats))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert [s for s in statuses if s >= 500] == []
    assert sorted(set(statuses)) == [200, 201]
    assert max(heartbeat_waits) < 5.0


def test_writers_queue_behind_long_transactions_beyond_the_busy_timeout(tmp_path: Path) -> None:
    # Five writers of 4.3 s each: the last one waits longer than SQLite's busy timeout (15 s).
    url = f"sqlite:///{tmp_path / 'station.db'}"
    upgrade_database(url)
    database = Database(url, audit_key=BackendSettings(var_dir=tmp_path / "var").resolved_audit_key)
    hold_seconds = SQLITE_BUSY_TIMEOUT_MS / 1000 / 3.5
    errors: list[BaseException] = []
    start = threading.Barrier(5)

    def write(n: int) -> None:
        start.wait()
        try:
            with database.transaction() as session:
                register_kiosk(session, f"08{n:02d}", f"Kiosk {n}", "Office")
                time.sleep(hold_seconds)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    database.dispose()

    assert errors == []
