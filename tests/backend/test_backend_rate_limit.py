"""Per-client limits on the public status endpoints."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from fastapi.testclient import TestClient

from backend.app import create_app
from backend.rate_limit import SlidingWindowRateLimiter
from backend.server import BackgroundServer
from config.settings import BackendSettings


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_sliding_window_allows_limit_per_window_per_key() -> None:
    clock = FakeClock()
    limiter = SlidingWindowRateLimiter(3, window_seconds=60, clock=clock)

    answers = []
    for _ in range(3):
        answers.append(limiter.hit("10.0.0.1"))
        clock.now += 10
    assert answers == [None, None, None]  # at 1000, 1010 and 1020
    assert limiter.hit("10.0.0.1") == 30  # at 1030: the hit of 1000 leaves the window at 1060
    assert limiter.hit("10.0.0.2") is None  # another client has its own window

    clock.now = 1060
    assert limiter.hit("10.0.0.1") is None  # one slot freed: the window slides, it does not reset
    assert limiter.hit("10.0.0.1") == 10  # the next slot frees when the hit of 1010 leaves


def test_quiet_clients_are_forgotten() -> None:
    clock = FakeClock()
    limiter = SlidingWindowRateLimiter(5, window_seconds=60, clock=clock)
    for index in range(1500):
        limiter.hit(f"client-{index}")
    clock.now += 120
    for _ in range(1000):
        limiter.hit("busy-client")
    assert len(limiter._hits) < 10


def test_public_status_is_rate_limited_per_client(
    settings: BackendSettings,
    kiosk_headers: dict[str, str],
    make_submission: Callable[..., dict[str, Any]],
) -> None:
    limited = settings.model_copy(update={"status_rate_per_minute": 3})
    with TestClient(create_app(limited)) as client:
        accepted = client.post(
            "/api/v1/cases", json=make_submission(), headers=kiosk_headers
        ).json()
        link = accepted["status_url"].split("/s/", 1)[1]

        answers = [client.get(f"/api/v1/status/{link}").status_code for _ in range(3)]
        over_json = client.get(f"/api/v1/status/{link}")
        over_page = client.get(f"/s/{link}", params={"lang": "en"})
        over_bad_link = client.get("/s/whatever")
        # Kiosk endpoints are authenticated and not subject to the public quota.
        kiosk = client.get(f"/api/v1/cases/{accepted['case_number']}/status", headers=kiosk_headers)

    assert answers == [200, 200, 200]
    assert over_json.status_code == 429
    assert over_json.json()["error"] == "rate_limited"
    assert 1 <= int(over_json.headers["retry-after"]) <= 60
    assert over_page.status_code == 429
    assert "Too many requests" in over_page.text
    assert int(over_page.headers["retry-after"]) >= 1
    assert over_bad_link.status_code == 429
    assert kiosk.status_code == 200


def test_kiosk_status_lookups_are_rate_limited_per_kiosk(
    settings: BackendSettings,
    register: Callable[..., str],
    make_submission: Callable[..., dict[str, Any]],
) -> None:
    limited = settings.model_copy(update={"kiosk_status_rate_per_minute": 3})
    first = {"Authorization": f"Bearer {register()}"}
    second = {"Authorization": f"Bearer {register(code='0043', name='Kiosk 43')}"}
    with TestClient(create_app(limited)) as client:
        case_number = client.post("/api/v1/cases", json=make_submission(), headers=first).json()[
            "case_number"
        ]
        path = f"/api/v1/cases/{case_number}/status"
        answers = [client.get(path, headers=first).status_code for _ in range(3)]
        over = client.get(path, headers=first)
        other_kiosk = client.get(path, headers=second)

    assert answers == [200, 200, 200]
    assert over.status_code == 429
    assert over.json()["error"] == "rate_limited"
    assert int(over.headers["retry-after"]) >= 1
    assert other_kiosk.status_code == 200


def _forged_lookups(settings: BackendSettings, count: int) -> list[int]:
    with BackgroundServer(settings, port=0) as server, httpx.Client(base_url=server.url) as http:
        return [
            http.get("/s/whatever", headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code
            for n in range(count)
        ]


def test_forwarded_for_from_an_untrusted_address_does_not_dodge_the_limit(
    settings: BackendSettings,
) -> None:
    limited = settings.model_copy(update={"status_rate_per_minute": 3})
    assert _forged_lookups(limited, 5) == [404, 404, 404, 429, 429]


def test_forwarded_for_from_a_trusted_proxy_names_the_client(settings: BackendSettings) -> None:
    proxied = settings.model_copy(
        update={"status_rate_per_minute": 3, "trusted_proxies": "127.0.0.1"}
    )
    assert _forged_lookups(proxied, 5) == [404] * 5
