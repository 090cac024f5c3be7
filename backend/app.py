"""The FastAPI application factory (``uvicorn --factory backend.app:create_app``)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from importlib.metadata import PackageNotFoundError, version

from fastapi import FastAPI

from backend.audit_anchors import anchor_if_changed, load_signing_key
from backend.body_limit import BodySizeLimitMiddleware
from backend.db import Database
from backend.db_types import utc_now
from backend.fleet.events import FleetEvents
from backend.fleet.sweeper import sweep_forever
from backend.http_errors import install_error_handlers
from backend.identity.fingerprint_gallery import FingerprintGallery
from backend.identity.gallery import ApplicantGallery
from backend.identity.registry import DatabasePersonRegistry, PersonRegistry
from backend.identity.sealing import DataSealer
from backend.identity.templates import PortraitEncoder, portrait_encoder
from backend.metrics import (
    METRICS_PATH,
    AppMetrics,
    DatabaseGauges,
    MetricsMiddleware,
    metrics_endpoint,
)
from backend.openapi_schema import install_truthful_openapi
from backend.rate_limit import SlidingWindowRateLimiter
from backend.routers import (
    cases,
    dashboard,
    fleet,
    health,
    identity,
    kiosks,
    payments,
    staff_auth,
    status,
)
from backend.services.case_fingerprints import FingerprintSearch
from backend.services.case_identity import DuplicateSearch
from backend.services.case_requirements import case_rules_from_settings
from backend.services.identity import FaceVerificationService
from backend.services.identity_limits import VerificationLimits
from backend.services.staff import password_hasher
from backend.status_page import StatusPages
from config.settings import BackendSettings
from payments.fees import load_fee_schedule
from payments.payme.merchant import PaymeProvider

VERIFICATION_PATH = "/api/v1/identity/verifications"
CASES_PATH = "/api/v1/cases"
HISTORY_PRUNING_SECONDS = 3600


def service_version() -> str:
    try:
        return version("smart-station")
    except PackageNotFoundError:
        return "unknown"


def create_app(
    settings: BackendSettings | None = None,
    *,
    person_registry: PersonRegistry | None = None,
    encoder: PortraitEncoder | None = None,
) -> FastAPI:
    """Build the backend service; the schema must already be migrated (``station db upgrade``).

    ``person_registry`` defaults to the database registry (the national registry plugs in
    here); ``encoder`` defaults to encoding portraits with ``settings.face_match``.
    """
    settings = settings or BackendSettings()
    settings.resolved_secret_key  # noqa: B018 - create or read the master secret before serving
    database = Database(settings.resolved_database_url, audit_key=settings.resolved_audit_key)
    anchor_signing_key = load_signing_key(settings.resolved_audit_signing_key_path)
    sealer = DataSealer.from_settings(settings)

    fleet_events = FleetEvents()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        def sweep_once() -> None:
            fleet.run_offline_sweep(database, fleet_events, settings, app.state.fleet_clock())

        def prune_once() -> None:
            fleet.run_history_pruning(database, settings, app.state.fleet_clock())

        def anchor_once() -> None:
            with database.reading() as session:
                anchor_if_changed(session, anchor_signing_key, settings.resolved_audit_anchor_path)

        background = [
            asyncio.create_task(sweep_forever(sweep_once, settings.fleet_sweep_seconds)),
            asyncio.create_task(sweep_forever(prune_once, HISTORY_PRUNING_SECONDS)),
            asyncio.create_task(sweep_forever(anchor_once, settings.audit_anchor_seconds)),
        ]
        yield
        for task in background:
            task.cancel()
        for task in background:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        database.dispose()

    app = FastAPI(
        title="Smart Station backend",
        description=(
            "Case registration, face verification and public case status for smart migration "
            "stations."
        ),
        version=service_version(),
        lifespan=lifespan,
    )
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_body_bytes=settings.max_body_bytes,
        route_limits={
            VERIFICATION_PATH: settings.max_verification_body_bytes,
            CASES_PATH: settings.max_case_body_bytes,
            fleet.SCREENSHOTS_PATH: settings.max_screenshot_bytes,
        },
    )
    metrics = AppMetrics()
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    app.state.settings = settings
    app.state.database = database
    app.state.data_sealer = sealer
    app.state.face_verification = FaceVerificationService(
        database,
        person_registry or DatabasePersonRegistry(database, sealer),
        sealer,
        settings.face_match,
        VerificationLimits.from_settings(settings),
        encoder or portrait_encoder(settings.face_match),
    )
    app.state.fingerprint_search = FingerprintSearch(
        FingerprintGallery(sealer, settings.fingerprint_match), sealer
    )
    app.state.duplicate_search = DuplicateSearch(
        ApplicantGallery(sealer),
        sealer,
        settings.face_match.duplicate_max_distance,
        verification_max_age=timedelta(minutes=settings.verification_valid_minutes),
    )
    app.state.public_rate_limiter = SlidingWindowRateLimiter(settings.status_rate_per_minute)
    app.state.kiosk_status_rate_limiter = SlidingWindowRateLimiter(
        settings.kiosk_status_rate_per_minute
    )
    app.state.status_pages = StatusPages()
    app.state.fee_schedule = load_fee_schedule(settings.fee_schedule_path)
    app.state.case_rules = case_rules_from_settings(settings, app.state.fee_schedule)
    app.state.payment_provider = PaymeProvider(
        settings.payme_merchant_id, settings.payme_key, settings.checkout_base_url
    )
    app.state.payment_clock = utc_now  # tests set another clock to cross the 12-hour limit
    app.state.fleet_events = fleet_events
    app.state.fleet_clock = utc_now  # tests set another clock to let kiosks fall silent
    metrics.add_database_gauges(
        DatabaseGauges(
            database,
            timedelta(seconds=settings.kiosk_offline_after_seconds),
            lambda: app.state.fleet_clock(),
        )
    )
    app.state.metrics = metrics
    app.state.password_hasher = password_hasher(
        settings.staff_argon2_time_cost, settings.staff_argon2_memory_kib
    )
    install_error_handlers(app)
    install_truthful_openapi(
        app,
        {("PaymentOrderRequest", "service_code"): list(app.state.fee_schedule.services)},
    )
    routers = (health, kiosks, cases, identity, status, payments, fleet, staff_auth)
    for module in routers:
        app.include_router(module.router)
    app.add_api_route(
        METRICS_PATH,
        metrics_endpoint(metrics, settings.metrics_token),
        methods=["GET"],
        include_in_schema=False,
    )
    app.include_router(dashboard.router)
    app.mount(dashboard.STATIC_PATH, dashboard.static_files(), name="fleet-static")
    return app
