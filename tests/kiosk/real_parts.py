"""Names shared by the kiosk tests and their fixtures (kept out of conftest.py, which pytest
loads as a plugin rather than as an importable module)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from config.settings import BackendSettings

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEMO_PROFILE = PROJECT_ROOT / "config" / "profiles" / "demo.toml"
PUBLIC_BASE_URL = "https://status.example.uz"


@dataclass(frozen=True)
class RunningBackend:
    url: str
    credential: str
    settings: BackendSettings
