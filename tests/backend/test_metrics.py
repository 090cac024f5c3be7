"""``GET /metrics``: HTTP series by route template, and fleet and case gauges from the DB."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from backend.app import create_app
from config.settings import BackendSettings
from tests.backend.test_fleet_heartbeats import HEARTBEAT, heartbeat_body


def scrape(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
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
    client: TestClient, kiosk_headers: dict[str, str], settings: BackendSettings
) -> None:
    client.post(HEARTBEAT, json=heartbeat_body(), headers=kiosk_headers)

    with TestClient(create_app(settings)) as other:
        other_samples = scrape(other)
    samples = scrape(client)

    heartbeats = (("method", "POST"), ("route", "/api/v1/fleet/heartbeat"), ("status", "200"))
    assert samples[("station_http_requests_total", heartbeats)] == 1
    assert ("station_http_requests_total", heartbeats) not in other_samples
    assert other_samples[("station_kiosks_online", ())] == 1  # the same database, though
