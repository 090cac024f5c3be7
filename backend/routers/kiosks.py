"""Kiosk self-description: ``GET /api/v1/kiosks/me``."""

from __future__ import annotations

from fastapi import APIRouter

from backend.contracts import ErrorBody, KioskIdentityView
from backend.deps import CurrentKiosk, DatabaseDep, Settings
from backend.services.kiosks import kiosk_identity, kiosk_sequence_floor

router = APIRouter(prefix="/api/v1/kiosks", tags=["kiosks"])


@router.get(
    "/me",
    response_model=KioskIdentityView,
    responses={401: {"model": ErrorBody}},
)
def whoami(kiosk: CurrentKiosk, settings: Settings, database: DatabaseDep) -> KioskIdentityView:
    """Asked by a kiosk as it starts: its link key and the sequence to number above."""
    with database.transaction() as session:
        floor = kiosk_sequence_floor(session, kiosk.id)
    return kiosk_identity(kiosk, settings.resolved_secret_key, settings.public_base_url, floor)
