"""The FastAPI application factory (``uvicorn --factory backend.app:create_app``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from importlib.metadata import PackageNotFoundError, version

from fastapi import FastAPI

from backend.body_limit import BodySizeLimitMiddleware
from backend.db import Database
from backend.db_types import utc_now
from backend.http_errors import install_error_handlers
from backend.identity.fingerprint_gallery import FingerprintGallery
from backend.identity.gallery import ApplicantGallery
from backend.identity.registry import DatabasePersonRegistry, PersonRegistry
from backend.identity.sealing import DataSealer
from backend.identity.templates import PortraitEncoder, portrait_encoder
from backend.rate_limit import SlidingWindowRateLimiter
from backend.routers import cases, health, identity, kiosks, payments, status
from backend.services.case_fingerprints import FingerprintSearch
from backend.services.case_identity import DuplicateSearch
from backend.services.identity import FaceVerificationService
from backend.services.identity_limits import VerificationLimits
from backend.status_page import StatusPages
from config.settings import BackendSettings
from payments.fees import load_fee_schedule
from payments.payme.merchant import PaymeProvider

VERIFICATION_PATH = "/api/v1/identity/verifications"
CASES_PATH = "/api/v1/cases"


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
    database = Database(settings.resolved_database_url)
    sealer = DataSealer.from_settings(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
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
        },
    )
    app.state.settings = settings
    app.state.database = database
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
    app.state.status_pages = StatusPages()
    app.state.fee_schedule = load_fee_schedule(settings.fee_schedule_path)
    app.state.payment_provider = PaymeProvider(
        settings.payme_merchant_id, settings.payme_key, settings.checkout_base_url
    )
    app.state.payment_clock = utc_now  # tests set another clock to cross the 12-hour limit
    install_error_handlers(app)
    routers = (health, kiosks, cases, identity, status, payments)
    for module in routers:
        app.include_router(module.router)
    return app
