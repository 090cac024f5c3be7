"""Failed staff logins: growing delays (429 + Retry-After) per account and per address, kept in
the database; lockout and its end by time or by ``station staff unlock``; and their audit."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from backend.app import create_app
from backend.db import Database
from backend.db_types import utc_now
from backend.errors import DomainError, StaffLoginFailed, StaffLoginLocked, StaffLoginThrottled
from backend.identity.sealing import DataSealer
from backend.models import AuditEntry, StaffLoginThrottle
from backend.services.staff import LoginAttempt, NewSession, add_staff_user, login
from backend.services.staff_throttle import (
    ThrottlePolicy,
    account_key,
    address_key,
    check_throttle,
)
from cli.main import main as station
from config.settings import BackendSettings
from tests.backend.staff_support import FAST_COSTS, FAST_HASHER, PASSWORD

LOGIN = "/api/v1/staff/login"
WRONG = "not the password at all"
LIMITS = {
    "staff_login_free_failures": 2,
    "staff_login_address_free_failures": 4,
    "staff_login_delay_seconds": 30,
    "staff_lockout_failures": 5,
    "staff_lockout_minutes": 15,
}
POLICY = ThrottlePolicy(
    free_failures=2,
    address_free_failures=100,
    first_delay=timedelta(seconds=1),
    max_delay=timedelta(seconds=8),
    lockout_failures=8,
    lockout=timedelta(minutes=15),
)


@pytest.fixture
def limited_settings(settings: BackendSettings) -> BackendSettings:
    return settings.model_copy(update={**FAST_COSTS, **LIMITS})


@pytest.fixture
def limited_client(limited_settings: BackendSettings, database: Database) -> Iterator[TestClient]:
    with database.transaction() as session:
        add_staff_user(session, "alice", PASSWORD, "operator", hasher=FAST_HASHER)
    with TestClient(create_app(limited_settings), base_url="https://testserver") as client:
        yield client


def attempt(
    settings: BackendSettings,
    database: Database,
    password: str,
    now: datetime,
    username: str = "alice",
    address: str = "10.0.0.7",
    policy: ThrottlePolicy = POLICY,
) -> NewSession | DomainError:
    """One login through the service at a chosen moment, committed as the route does."""
    with database.transaction() as session:
        return login(
            session,
            username,
            password,
            "",
            LoginAttempt(now, address, DataSealer.from_settings(settings), policy),
            timedelta(hours=1),
            FAST_HASHER,
        )


def wait_of(database: Database, now: datetime) -> int:
    """Seconds alice's next attempt from the test address must wait (0: none)."""
    with database.reading() as session:
        refused = check_throttle(session, "alice", "10.0.0.7", now)
    return refused.retry_after_seconds if refused else 0


def test_failures_beyond_the_free_ones_answer_429_with_retry_after_in_every_worker(
    limited_client: TestClient, limited_settings: BackendSettings
) -> None:
    for _ in range(3):  # two free failures, and a third that imposes the first wait
        response = limited_client.post(LOGIN, json={"username": "alice", "password": WRONG})
        assert response.status_code == 401, response.text

    right = limited_client.post(LOGIN, json={"username": "alice", "password": PASSWORD})

    assert right.status_code == 429 and right.json()["error"] == "login_throttled"
    assert 25 <= int(right.headers["Retry-After"]) <= 30
    assert "set-cookie" not in right.headers
    # Another worker (or the same one restarted) sees the same count: it lives in the database.
    with TestClient(create_app(limited_settings), base_url="https://testserver") as other:
        again = other.post(LOGIN, json={"username": "alice", "password": PASSWORD})
    assert again.status_code == 429 and "Retry-After" in again.headers


def test_the_wait_doubles_with_each_further_failure_and_success_resets_it(
    settings: BackendSettings, database: Database
) -> None:
    with database.transaction() as session:
        add_staff_user(session, "alice", PASSWORD, "operator", hasher=FAST_HASHER)
    now = utc_now()
    waits = []
    for _ in range(7):
        failed = attempt(settings, database, WRONG, now)
        assert isinstance(failed, StaffLoginFailed)
        waits.append(wait_of(database, now))
        if waits[-1]:
            early = attempt(settings, database, PASSWORD, now)
            assert isinstance(early, StaffLoginThrottled)
            assert early.retry_after_seconds == waits[-1]
        now += timedelta(seconds=waits[-1])

    assert waits == [0, 0, 1, 2, 4, 8, 8]  # capped at max_delay
    assert isinstance(attempt(settings, database, PASSWORD, now), NewSession)
    assert isinstance(attempt(settings, database, WRONG, now), StaffLoginFailed)
    assert wait_of(database, now) == 0  # the account's failures were forgotten on success


def test_an_address_guessing_many_names_is_slowed_down_too(limited_client: TestClient) -> None:
    for name in ("bob", "carol", "dave", "erin", "frank"):
        response = limited_client.post(LOGIN, json={"username": name, "password": WRONG})
        assert response.status_code == 401

    other_name = limited_client.post(LOGIN, json={"username": "alice", "password": PASSWORD})

    assert other_name.status_code == 429 and other_name.json()["error"] == "login_throttled"


def test_lockout_ends_by_time_and_unknown_names_lock_the_same_way(
    settings: BackendSettings, database: Database
) -> None:
    with database.transaction() as session:
        add_staff_user(session, "alice", PASSWORD, "operator", hasher=FAST_HASHER)
    start = utc_now()
    for name in ("alice", "nobody"):
        now = start
        for _ in range(POLICY.lockout_failures):
            assert isinstance(attempt(settings, database, WRONG, now, name), StaffLoginFailed)
            now += POLICY.max_delay
        locked = attempt(settings, database, PASSWORD, now, name)
        assert isinstance(locked, StaffLoginLocked), locked
        # Locked at the last failure, one max_delay before now.
        assert locked.retry_after_seconds == (POLICY.lockout - POLICY.max_delay).total_seconds()

    later = start + POLICY.lockout + POLICY.max_delay * POLICY.lockout_failures
    assert isinstance(attempt(settings, database, PASSWORD, later), NewSession)


def test_station_staff_unlock_ends_a_lockout_and_everything_is_audited(
    limited_client: TestClient,
    limited_settings: BackendSettings,
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    policy = ThrottlePolicy.from_settings(limited_settings)
    now = utc_now()
    for _ in range(LIMITS["staff_lockout_failures"]):
        failed = attempt(limited_settings, database, WRONG, now, policy=policy)
        assert isinstance(failed, StaffLoginFailed)
        now += policy.max_delay
    locked = limited_client.post(LOGIN, json={"username": "alice", "password": PASSWORD})
    assert locked.status_code == 429 and locked.json()["error"] == "login_locked"
    assert isinstance(attempt(limited_settings, database, PASSWORD, now), StaffLoginLocked)

    monkeypatch.setenv("STATION_DATABASE_URL", limited_settings.resolved_database_url)
    monkeypatch.setenv("STATION_VAR_DIR", str(limited_settings.var_dir))
    assert station(["staff", "unlock", "alice"]) == 0
    assert station(["staff", "unlock", "nobody"]) == 1

    response = limited_client.post(LOGIN, json={"username": "alice", "password": PASSWORD})
    assert response.status_code == 200, response.text
    with database.reading() as session:
        entries = list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    actions = [entry.action for entry in entries]
    assert actions.count("staff_login_failed") == LIMITS["staff_lockout_failures"]
    assert actions.count("staff_locked") == 1
    assert actions[-2:] == ["staff_unlocked", "staff_login"]
    failed_entry = next(entry for entry in entries if entry.action == "staff_login_failed")
    assert failed_entry.subject == "staff:alice"
    assert '"reason": "wrong_password"' in failed_entry.details
    assert '"address": "10.0.0.7"' in failed_entry.details
    for entry in entries:
        assert WRONG not in entry.details and PASSWORD not in entry.details


def test_a_failed_login_of_an_unknown_name_is_audited_without_the_name(
    limited_client: TestClient, database: Database
) -> None:
    typed = "mistyped-password-as-name"
    response = limited_client.post(LOGIN, json={"username": typed, "password": WRONG})

    assert response.status_code == 401
    with database.reading() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "staff_login_failed"))
    assert entry is not None and entry.subject == "staff:unknown"
    assert typed not in entry.details and WRONG not in entry.details
    assert '"address": "testclient"' in entry.details


def test_parallel_failures_are_each_counted(settings: BackendSettings, database: Database) -> None:
    with database.transaction() as session:
        add_staff_user(session, "alice", PASSWORD, "operator", hasher=FAST_HASHER)
    now = utc_now()
    parallel = 6
    start = threading.Barrier(parallel)

    def fail_once(_index: int) -> DomainError | NewSession:
        start.wait()
        return attempt(settings, database, WRONG, now)

    with ThreadPoolExecutor(parallel) as pool:
        outcomes = list(pool.map(fail_once, range(parallel)))

    # Attempts that ran one after another may see the wait the earlier ones imposed; none of
    # the failures may be lost to another that counted at the same time.
    failed = [outcome for outcome in outcomes if isinstance(outcome, StaffLoginFailed)]
    assert all(isinstance(outcome, DomainError) for outcome in outcomes)
    assert len(failed) > POLICY.free_failures
    with database.reading() as session:
        rows = [
            session.get(StaffLoginThrottle, key)
            for key in (account_key("alice"), address_key("10.0.0.7"))
        ]
    assert [row.failures if row else 0 for row in rows] == [len(failed), len(failed)]


def test_the_wait_stays_at_its_cap_however_many_failures_an_address_piles_up() -> None:
    assert POLICY.delay_after(10_000, POLICY.free_failures) == POLICY.max_delay
