"""The FastAPI application factory (``uvicorn --factory backend.app:create_app``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version

from fastapi import FastAPI

from backend.body_limit import BodySizeLimitMiddleware
from backend.db import Database
from backend.http_errors import install_error_handlers
from backend.rate_limit import SlidingWindowRateLimiter
from backend.routers import cases, health, kiosks, status
from backend.status_page import StatusPages
from config.settings import BackendSettings


def service_version() -> str:
    try:
        return version("smart-station")
    except PackageNotFoundError:
        return "unknown"


def create_app(settings: BackendSettings | None = None) -> FastAPI:
    """Build the backend service; the schema must already be migrated (``station db upgrade``)."""
    settings = settings or BackendSettings()
    settings.resolved_secret_key  # noqa: B018 - create or read the master secret before serving
    database = Database(settings.resolved_database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        database.dispose()

    app = FastAPI(
        title="Smart Station backend",
        description="Case registration and public case status for smart migration stations.",
        version=service_version(),
        lifespan=lifespan,
    )
    app.add_middleware(BodySizeLimitMiddleware, max_body_bytes=settings.max_body_bytes)
    app.state.settings = settings
    app.state.database = database
    app.state.public_rate_limiter = SlidingWindowRateLimiter(settings.status_rate_per_minute)
    app.state.status_pages = StatusPages()
    install_error_handlers(app)
    for router in (health.router, kiosks.router, cases.router, status.router):
        app.include_router(router)
    return app
