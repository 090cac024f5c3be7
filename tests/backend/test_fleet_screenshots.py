"""Screenshots: accepted only as the answer to an open take_screenshot command of the same
kiosk, sealed at rest, and deleted after the retention time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from backend.contracts import CommandKind
from backend.db import Database
from backend.fleet.views import CommandState, StaffRole
from backend.identity.sealing import DataSealer
from backend.models import FleetCommand, KioskScreenshot
from backend.routers.fleet import run_history_pruning
from backend.services.fleet_commands import issue_command
from backend.services.fleet_screenshots import PNG_SIGNATURE, screenshot_context
from config.settings import BackendSettings
from tests.image_bombs import noise_png

SCREENSHOTS = "/api/v1/fleet/screenshots"
PNG = noise_png(60, 60)  # 10 KiB: over the default body limit


def issue(database: Database, code: str, kind: CommandKind) -> UUID:
    with database.transaction() as session:
        view = issue_command(
            session, code, kind, "", "operator1", StaffRole.OPERATOR, datetime.now(UTC), []
        )
    return view.command_id


def upload(
    client: TestClient, headers: dict[str, str], command_id: UUID | None, png: bytes = PNG
) -> int:
    params = {"command_id": str(command_id)} if command_id else {}
    response = client.post(
        SCREENSHOTS,
        params=params,
        content=png,
        headers={**headers, "Content-Type": "image/png"},
    )
    return response.status_code


def stored_count(database: Database) -> int:
    with database.reading() as session:
        return session.scalar(select(func.count()).select_from(KioskScreenshot)) or 0


def test_unsolicited_screenshots_are_refused(
    client: TestClient, kiosk_headers: dict[str, str], database: Database
) -> None:
    answers = [upload(client, kiosk_headers, None) for _ in range(5)]

    assert answers == [409] * 5
    assert stored_count(database) == 0


@pytest.mark.parametrize("case", ["other_kind", "other_kiosk", "finished", "second_upload"])
def test_a_screenshot_must_answer_an_open_screenshot_command_of_this_kiosk(
    case: str,
    client: TestClient,
    register: Callable[..., str],
    database: Database,
) -> None:
    headers = {"Authorization": f"Bearer {register()}"}
    other = {"Authorization": f"Bearer {register(code='0043', name='Kiosk 43')}"}
    kind = CommandKind.PRINT_TEST_PAGE if case == "other_kind" else CommandKind.TAKE_SCREENSHOT
    command_id = issue(database, "0042", kind)
    if case == "finished":
        with database.transaction() as session:
            command = session.get(FleetCommand, command_id)
            assert command is not None
            command.state = CommandState.DONE.value
    if case == "second_upload":
        assert upload(client, headers, command_id) == 201

    answer = upload(client, other if case == "other_kiosk" else headers, command_id)

    assert answer == 409
    assert stored_count(database) == (1 if case == "second_upload" else 0)


def test_an_answered_screenshot_is_sealed_at_rest(
    client: TestClient,
    kiosk_headers: dict[str, str],
    database: Database,
    settings: BackendSettings,
) -> None:
    command_id = issue(database, "0042", CommandKind.TAKE_SCREENSHOT)

    assert upload(client, kiosk_headers, command_id) == 201

    with database.reading() as session:
        stored = session.scalar(select(KioskScreenshot))
    assert stored is not None
    assert PNG[8:64] not in stored.png and not stored.png.startswith(PNG_SIGNATURE)
    opened = DataSealer.from_settings(settings).open(stored.png, screenshot_context(command_id))
    assert opened == PNG


def test_screenshots_are_deleted_after_the_retention_time(
    client: TestClient,
    kiosk_headers: dict[str, str],
    database: Database,
    settings: BackendSettings,
) -> None:
    command_id = issue(database, "0042", CommandKind.TAKE_SCREENSHOT)
    assert upload(client, kiosk_headers, command_id) == 201
    kept = settings.model_copy(update={"screenshot_retention_hours": 24})

    run_history_pruning(database, kept, datetime.now(UTC) + timedelta(hours=23))
    assert stored_count(database) == 1
    run_history_pruning(database, kept, datetime.now(UTC) + timedelta(hours=25))
    assert stored_count(database) == 0
