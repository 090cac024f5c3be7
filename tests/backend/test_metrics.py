"""``GET /metrics``: only for the holder of the metrics token (404 without one configured);
HTTP series by route template, and fleet and case gauges from the DB."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from backend.app import create_app
from config.settings import BackendSettings
from tests.backend.test_fleet_heartbeats import HEARTBEAT, heartbeat_body

TOKEN = "metrics-scraper-token-for-the-tests"
SCRAPER = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def metrics_settings(settings: BackendSettings) -> BackendSettings:
    return settings.model_copy(update={"metrics_token": TOKEN})


@pytest.fixture
def client(metrics_settings: BackendSettings) -> Iterator[TestClient]:
    """The app with a metrics token (overrides the shared fixture of the same name)."""
    with TestClient(create_app(metrics_settings)) as test_client:
        yield test_client


def scrape(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics", headers=SCRAPER)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def test_metrics_show_requests_kiosks_alerts_and_cases(
    client: TestClient,
    kiosk_headers: dict[str, str],
    submit: Callable[..., dict[str, Any]],
) -> None:
    submit()
    for _ in range(3):
        response = client.post(
            HEARTBEAT,
            json=heartbeat_body(devices=[{"device": "scanner", "health": "error"}]),
            headers=kiosk_headers,
        )
        assert response.status_code == 200
    client.get("/api/v1/status/000000000000/abcdef")  # a templated path with ids in it
    client.get("/no/such/page")

    samples = scrape(client)

    heartbeats = (("method", "POST"), ("route", "/api/v1/fleet/heartbeat"), ("status", "200"))
    assert samples[("station_http_requests_total", heartbeats)] == 3
    latency = (("method", "POST"), ("route", "/api/v1/fleet/heartbeat"))
    assert samples[("station_http_request_duration_seconds_count", latency)] == 3
    routes = {dict(labels).get("route") for _name, labels in samples}
    assert "unmatched" in routes
    assert not any(route and "000000000000" in route for route in routes)
    assert samples[("station_kiosks_online", ())] == 1
    assert samples[("station_open_alerts", (("kind", "device_error"),))] == 1
    assert samples[("station_open_alerts", (("kind", "paper_out"),))] == 0
    cases = {labels: value for (name, labels), value in samples.items() if name == "station_cases"}
    assert sum(cases.values()) == 1


def test_each_app_counts_only_its_own_requests(
    client: TestClient, kiosk_headers: dict[str, str], metrics_settings: BackendSettings
) -> None:
    client.post(HEARTBEAT, json=heartbeat_body(), headers=kiosk_headers)

    with TestClient(create_app(metrics_settings)) as other:
        other_samples = scrape(other)
    samples = scrape(client)

    heartbeats = (("method", "POST"), ("route", "/api/v1/fleet/heartbeat"), ("status", "200"))
    assert samples[("station_http_requests_total", heartbeats)] == 1
    assert ("station_http_requests_total", heartbeats) not in other_samples
    assert other_samples[("station_kiosks_online", ())] == 1  # the same database, though


def test_metrics_need_the_token(client: TestClient) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}):
        response = client.get("/metrics", headers=headers)
        assert response.status_code == 401, headers
        assert response.json()["error"] == "not_authenticated"
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert "station_cases" not in response.text


def test_metrics_are_disabled_without_a_token(settings: BackendSettings) -> None:
    assert settings.metrics_token is None
    with TestClient(create_app(settings)) as app_client:
        response = app_client.get("/metrics", headers={"Authorization": "Bearer anything"})

    assert response.status_code == 404 and response.json()["error"] == "not_found"
    assert "station_cases" not in response.text
