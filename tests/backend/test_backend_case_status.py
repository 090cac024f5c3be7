"""Case status for kiosks (typed number) and the public JSON by receipt link; state changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backend.case_states import ALLOWED_TRANSITIONS, PUBLIC_STAGE, CaseState
from backend.contracts import PublicStage, group_case_number, make_case_number
from backend.db import Database
from backend.errors import CaseNotFound, CaseNumberInvalid, TransitionNotAllowed
from backend.services.cases import change_case_state


def link_path(accepted: dict[str, Any]) -> str:
    return accepted["status_url"].split("/s/", 1)[1]


def test_kiosk_reads_status_by_typed_number(
    client: TestClient, kiosk_headers: dict[str, str], submit: Callable[..., dict[str, Any]]
) -> None:
    accepted = submit(sequence=12)
    number = accepted["case_number"]

    for typed in (number, group_case_number(number), number[:4] + "-" + number[4:]):
        response = client.get(f"/api/v1/cases/{typed}/status", headers=kiosk_headers)
        assert response.status_code == 200, typed
        body = response.json()
        assert body["case_number"] == number
        assert body["stage"] == "received"
        assert body["service_kind"] == "application"
        assert body["office"] == "Toshkent sh., Yunusobod tumani migratsiya boʻlimi"
        assert set(body) == {
            "case_number",
            "stage",
            "registered_at",
            "updated_at",
            "service_kind",
            "office",
        }


def test_kiosk_status_of_unknown_and_invalid_numbers(
    client: TestClient, kiosk_headers: dict[str, str]
) -> None:
    unknown = client.get(
        f"/api/v1/cases/{make_case_number('0042', 999)}/status", headers=kiosk_headers
    )
    assert unknown.status_code == 404
    assert unknown.json()["error"] == "case_not_found"

    number = make_case_number("0042", 999)
    wrong_digit = number[:-1] + str((int(number[-1]) + 3) % 10)
    for typed, reason in ((wrong_digit, "check_digit"), ("123", "length"), ("12ab", "not_digits")):
        response = client.get(f"/api/v1/cases/{typed}/status", headers=kiosk_headers)
        assert response.status_code == 422
        assert response.json()["error"] == "case_number_invalid"
        assert reason in response.json()["detail"]


def test_kiosk_status_needs_a_credential(client: TestClient) -> None:
    response = client.get(f"/api/v1/cases/{make_case_number('0042', 1)}/status")
    assert response.status_code == 401


def test_public_status_json_by_link(
    client: TestClient, submit: Callable[..., dict[str, Any]]
) -> None:
    accepted = submit()
    response = client.get(f"/api/v1/status/{link_path(accepted)}")
    assert response.status_code == 200
    body = response.json()
    assert body["case_number"] == accepted["case_number"]
    assert body["stage"] == "received"
    assert "text" not in body and "phone" not in body


def test_public_status_json_refuses_any_mismatch(
    client: TestClient, submit: Callable[..., dict[str, Any]]
) -> None:
    accepted = submit()
    number, tag = link_path(accepted).split("/")
    other_number = make_case_number("0042", 2)
    flipped_tag = ("a" if tag[0] != "a" else "b") + tag[1:]
    for path in (
        f"{number}/{flipped_tag}",
        f"{other_number}/{tag}",
        f"{number}/{tag.upper()}",
        f"{number[:-1]}/{tag}",
    ):
        response = client.get(f"/api/v1/status/{path}")
        assert response.status_code == 404, path
        assert response.json()["error"] == "case_not_found"


def test_state_change_moves_the_public_stage(
    client: TestClient, submit: Callable[..., dict[str, Any]], database: Database
) -> None:
    accepted = submit()
    number = accepted["case_number"]
    for to_state, stage in (
        (CaseState.UNDER_REVIEW, "in_review"),
        (CaseState.NEEDS_INFORMATION, "action_needed"),
        (CaseState.UNDER_REVIEW, "in_review"),
        (CaseState.APPROVED, "decided"),
        (CaseState.DOCUMENT_READY, "ready"),
        (CaseState.ISSUED, "closed"),
    ):
        with database.transaction() as session:
            change_case_state(session, number, to_state, "officer:7", "checked")
        body = client.get(f"/api/v1/status/{link_path(accepted)}").json()
        assert body["stage"] == stage
        assert body["updated_at"] >= body["registered_at"]


def test_disallowed_transitions_and_unknown_cases_are_refused(
    submit: Callable[..., dict[str, Any]], database: Database
) -> None:
    number = submit()["case_number"]
    with pytest.raises(TransitionNotAllowed), database.transaction() as session:
        change_case_state(session, number, CaseState.ISSUED, "officer:7")
    with pytest.raises(CaseNotFound), database.transaction() as session:
        change_case_state(session, make_case_number("0042", 55), CaseState.CLOSED, "officer:7")
    with pytest.raises(CaseNumberInvalid), database.transaction() as session:
        change_case_state(session, "0042", CaseState.CLOSED, "officer:7")
    with database.transaction() as session:
        assert change_case_state(session, number, CaseState.CLOSED, "officer:7").state == "closed"
    with pytest.raises(TransitionNotAllowed), database.transaction() as session:
        change_case_state(session, number, CaseState.UNDER_REVIEW, "officer:7")


def test_every_state_has_a_stage_and_every_stage_is_reachable() -> None:
    assert set(PUBLIC_STAGE) == set(CaseState) == set(ALLOWED_TRANSITIONS)
    assert set(PUBLIC_STAGE.values()) == set(PublicStage)
    reachable = {CaseState.REGISTERED}
    frontier = [CaseState.REGISTERED]
    while frontier:
        for target in ALLOWED_TRANSITIONS[frontier.pop()]:
            if target not in reachable:
                reachable.add(target)
                frontier.append(target)
    assert reachable == set(CaseState)
    assert ALLOWED_TRANSITIONS[CaseState.CLOSED] == frozenset()
