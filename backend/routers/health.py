"""``GET /health``: is the service up and can it reach its database."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from backend.deps import DatabaseDep
from backend.schemas.health import HealthView
from backend.services.health import database_is_reachable

router = APIRouter(tags=["health"])


@router.get(
    "/health",
    response_model=HealthView,
    responses={503: {"model": HealthView, "description": "The database cannot be reached"}},
)
def health(request: Request, database: DatabaseDep) -> JSONResponse:
    reachable = database_is_reachable(database)
    view = HealthView(
        status="ok" if reachable else "error",
        database="ok" if reachable else "error",
        version=request.app.version,
    )
    return JSONResponse(view.model_dump(), status_code=200 if reachable else 503)
