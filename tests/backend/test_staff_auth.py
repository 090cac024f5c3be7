"""Staff accounts, login sessions, cookie flags, CSRF and the ``station staff`` commands."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import select

from backend.app import create_app
from backend.db import Database
from backend.models import StaffSession, StaffUser
from backend.services.staff import add_staff_user, hash_token, password_hasher
from cli.main import main as station
from config.settings import BackendSettings

PASSWORD = "correct horse battery staple"
LOGIN = "/api/v1/staff/login"
# Cheap argon2 costs keep the tests quick; the hashing itself is the same code.
FAST_COSTS = {"staff_argon2_time_cost": 1, "staff_argon2_memory_kib": 1024}
FAST_HASHER = password_hasher(1, 1024)


@pytest.fixture
def fast_settings(settings: BackendSettings) -> BackendSettings:
    return settings.model_copy(update=FAST_COSTS)


@pytest.fixture
def staff_client(fast_settings: BackendSettings) -> Iterator[TestClient]:
    # https, because the public URL is https and the session cookie is then Secure.
    with TestClient(create_app(fast_settings), base_url="https://testserver") as client:
        yield client


def add_user(database: Database, username: str = "alice", role: str = "operator") -> None:
    with database.transaction() as session:
        add_staff_user(session, username, PASSWORD, role, hasher=FAST_HASHER)


def test_login_sets_a_strict_httponly_secure_cookie(
    staff_client: TestClient, database: Database
) -> None:
    add_user(database)

    response = staff_client.post(LOGIN, json={"username": "alice", "password": PASSWORD})

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["username"] == "alice" and body["role"] == "operator"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("station_session=")
    for flag in ("HttpOnly", "Secure", "Path=/", "SameSite=strict"):
        assert flag.lower() in cookie.lower()
    token = response.cookies["station_session"]
    with database.reading() as session:
        stored = session.scalar(select(StaffSession))
    assert stored is not None
    assert stored.token_hash == hash_token(token) and token not in stored.token_hash
    assert stored.csrf_token == body["csrf_token"]

    me = staff_client.get("/api/v1/staff/me")
    assert me.status_code == 200 and me.json()["username"] == "alice"


def test_cookie_is_not_secure_on_a_plain_http_deployment(
    fast_settings: BackendSettings, database: Database
) -> None:
    add_user(database)
    plain = fast_settings.model_copy(update={"public_base_url": "http://127.0.0.1:8000"})
    with TestClient(create_app(plain)) as client:
        response = client.post(LOGIN, json={"username": "alice", "password": PASSWORD})
    assert response.status_code == 200
    assert "secure" not in response.headers["set-cookie"].lower()


def test_wrong_password_and_unknown_user_get_the_same_401(
    staff_client: TestClient, database: Database
) -> None:
    add_user(database)

    wrong = staff_client.post(LOGIN, json={"username": "alice", "password": "not it at all"})
    unknown = staff_client.post(LOGIN, json={"username": "mallory", "password": PASSWORD})

    assert wrong.status_code == unknown.status_code == 401
    assert (
        wrong.json()
        == unknown.json()
        == {
            "error": "login_failed",
            "detail": "wrong username or password",
        }
    )
    assert "set-cookie" not in wrong.headers
    assert staff_client.get("/api/v1/staff/me").status_code == 401


def test_disabled_user_cannot_log_in(staff_client: TestClient, database: Database) -> None:
    add_user(database)
    with database.transaction() as session:
        user = session.scalar(select(StaffUser))
        assert user is not None
        user.disabled = True

    response = staff_client.post(LOGIN, json={"username": "alice", "password": PASSWORD})

    assert response.status_code == 401 and response.json()["error"] == "login_failed"


def test_logout_needs_the_csrf_token_and_ends_the_session(
    staff_client: TestClient, database: Database
) -> None:
    add_user(database)
    csrf = staff_client.post(LOGIN, json={"username": "alice", "password": PASSWORD}).json()[
        "csrf_token"
    ]

    missing = staff_client.post("/api/v1/staff/logout")
    forged = staff_client.post("/api/v1/staff/logout", headers={"X-CSRF-Token": "x" * 43})
    assert missing.status_code == forged.status_code == 403
    assert missing.json()["error"] == forged.json()["error"] == "csrf_failed"
    assert staff_client.get("/api/v1/staff/me").status_code == 200

    done = staff_client.post("/api/v1/staff/logout", headers={"X-CSRF-Token": csrf})
    assert done.status_code == 204
    with database.reading() as session:
        assert session.scalar(select(StaffSession)) is None
    assert staff_client.get("/api/v1/staff/me").status_code == 401


def test_password_is_stored_as_argon2id_and_rehashed_when_parameters_change(
    staff_client: TestClient, database: Database
) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=512, parallelism=1)
    with database.transaction() as session:
        session.add(StaffUser(username="bob", password_hash=weak.hash(PASSWORD), role="viewer"))
    old_hash = weak.hash(PASSWORD)

    response = staff_client.post(LOGIN, json={"username": "bob", "password": PASSWORD})

    assert response.status_code == 200
    with database.reading() as session:
        user = session.scalar(select(StaffUser).where(StaffUser.username == "bob"))
    assert user is not None
    assert user.password_hash.startswith("$argon2id$")
    assert "m=512," in old_hash and "m=1024," in user.password_hash
    assert FAST_HASHER.verify(user.password_hash, PASSWORD)


def test_station_staff_commands(
    settings: BackendSettings,
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("STATION_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("STATION_VAR_DIR", str(settings.var_dir))
    for name, value in FAST_COSTS.items():
        monkeypatch.setenv(f"STATION_{name.upper()}", str(value))
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert station(["staff", "add", "Tech1", "--role", "technician", "--password-stdin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert station(["staff", "add", "tech1", "--role", "viewer", "--password-stdin"]) == 1
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert station(["staff", "passwd", "tech1", "--password-stdin"]) == 1
    monkeypatch.setattr("sys.stdin", io.StringIO("a new long password\n"))
    assert station(["staff", "passwd", "tech1", "--password-stdin"]) == 0
    capsys.readouterr()
    assert station(["staff", "list"]) == 0

    listing = capsys.readouterr().out
    assert "tech1" in listing and "technician" in listing and "active" in listing
    with database.reading() as session:
        user = session.scalar(select(StaffUser))
    assert user is not None and user.role == "technician"
    assert FAST_HASHER.verify(user.password_hash, "a new long password")
