"""Kiosk self-description: ``GET /api/v1/kiosks/me``."""

from __future__ import annotations

from fastapi import APIRouter

from backend.contracts import ErrorBody, KioskIdentityView
from backend.deps import CurrentKiosk, Settings
from backend.services.kiosks import kiosk_identity

router = APIRouter(prefix="/api/v1/kiosks", tags=["kiosks"])


@router.get(
    "/me",
    response_model=KioskIdentityView,
    responses={401: {"model": ErrorBody}},
)
def whoami(kiosk: CurrentKiosk, settings: Settings) -> KioskIdentityView:
    return kiosk_identity(kiosk, settings.resolved_secret_key, settings.public_base_url)
