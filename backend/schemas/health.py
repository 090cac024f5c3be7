"""What ``GET /health`` answers."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class HealthView(BaseModel):
    status: Literal["ok", "error"]
    database: Literal["ok", "error"]
    version: str
