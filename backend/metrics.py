"""Prometheus metrics of one app: HTTP traffic by route template, and fleet and case gauges
read from the database at scrape time (``GET /metrics``, behind a bearer token)."""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.db import Database
from backend.fleet.views import AlertKind
from backend.http_errors import error_response
from backend.models import Case, Kiosk, KioskState
from backend.services.fleet_alerts import open_alerts_by_kind

METRICS_PATH = "/metrics"
UNMATCHED_ROUTE = "unmatched"


class DatabaseGauges(Collector):
    """Kiosks online, open alerts by kind, cases by state: one query each per scrape."""

    def __init__(
        self, database: Database, offline_after: timedelta, clock: Callable[[], datetime]
    ) -> None:
        self.database = database
        self.offline_after = offline_after
        self.clock = clock

    def collect(self) -> Iterator[Metric]:
        online = GaugeMetricFamily(
            "station_kiosks_online", "Kiosks whose last heartbeat is recent enough"
        )
        alerts = GaugeMetricFamily(
            "station_open_alerts", "Open fleet alerts by kind", labels=["kind"]
        )
        cases = GaugeMetricFamily("station_cases", "Cases by state", labels=["state"])
        with self.database.reading() as session:
            cutoff = self.clock() - self.offline_after
            online.add_metric(
                [],
                session.scalar(
                    select(func.count())
                    .select_from(KioskState)
                    .join(Kiosk, Kiosk.id == KioskState.kiosk_id)
                    .where(KioskState.last_heartbeat_at >= cutoff, Kiosk.revoked_at.is_(None))
                )
                or 0,
            )
            by_kind = open_alerts_by_kind(session)
            for kind in AlertKind:
                alerts.add_metric([kind.value], by_kind.get(kind.value, 0))
            for state, count in session.execute(
                select(Case.state, func.count()).group_by(Case.state)
            ):
                cases.add_metric([state], count)
        yield online
        yield alerts
        yield cases


class AppMetrics:
    """The registry of one app and its HTTP series."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "station_http_requests",
            "HTTP requests by method, route template and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "station_http_request_duration_seconds",
            "HTTP request latency by method and route template",
            ["method", "route"],
            registry=self.registry,
        )

    def add_database_gauges(self, gauges: DatabaseGauges) -> None:
        self.registry.register(gauges)

    def render(self) -> bytes:
        return generate_latest(self.registry)


class MetricsMiddleware:
    """Counts and times every HTTP request under its route template (never the raw path, so
    codes and ids in URLs do not explode the series)."""

    def __init__(self, app: ASGIApp, metrics: AppMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            route = getattr(scope.get("route"), "path", None) or UNMATCHED_ROUTE
            method = scope.get("method", "")
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.latency.labels(method, route).observe(time.perf_counter() - started)


def _bearer_token(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def metrics_endpoint(metrics: AppMetrics, token: str | None) -> Callable[[Request], Response]:
    """``GET /metrics`` for a scraper holding ``token``; without a token configured, 404."""

    def _endpoint(request: Request) -> Response:
        if not token:
            return error_response(404, "not_found", "metrics are disabled")
        if not hmac.compare_digest(_bearer_token(request).encode(), token.encode()):
            return error_response(
                401,
                "not_authenticated",
                "send Authorization: Bearer <STATION_METRICS_TOKEN>",
                {"WWW-Authenticate": 'Bearer realm="metrics"'},
            )
        return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)

    return _endpoint
