"""The backend's catalogue of services: what a case of each must carry before it is registered."""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from config.profiles import FingerName

SERVICE_CODE = re.compile(r"[a-z0-9_]{1,40}")


class ServiceRequirements(BaseModel):
    """What a case of one service must carry; the kiosk's own say on these is not trusted."""

    identity: Literal["none", "face"] = Field(
        default="none", description="face: a face verification made by the same kiosk"
    )
    fingers: list[FingerName] = Field(
        default_factory=list, max_length=10, description="each given or excepted with a reason"
    )
    fee: bool = Field(default=False, description="a paid fee order of the service")
    consent: bool = True

    @field_validator("fingers")
    @classmethod
    def _fingers_once(cls, fingers: list[str]) -> list[str]:
        if len(fingers) != len(set(fingers)):
            raise ValueError("each finger may be required once")
        return fingers


class ServiceCatalogue(BaseModel):
    services: dict[str, ServiceRequirements] = Field(min_length=1)

    @field_validator("services")
    @classmethod
    def _codes(cls, services: dict[str, ServiceRequirements]) -> dict[str, ServiceRequirements]:
        for code in services:
            if not SERVICE_CODE.fullmatch(code):
                raise ValueError(f"service code {code!r} is not [a-z0-9_]{{1,40}}")
        return services

    def requirements(self, code: str) -> ServiceRequirements | None:
        """The requirements of a service, or None when the catalogue does not know it."""
        return self.services.get(code)

    def fee_codes(self) -> set[str]:
        """The services whose cases need a paid fee order."""
        return {code for code, service in self.services.items() if service.fee}


def load_service_catalogue(path: Path | str) -> ServiceCatalogue:
    """Read and validate a service catalogue TOML file."""
    with open(path, "rb") as handle:
        return ServiceCatalogue.model_validate(tomllib.load(handle))


@lru_cache(maxsize=8)
def cached_service_catalogue(path: Path) -> ServiceCatalogue:
    return load_service_catalogue(path)
