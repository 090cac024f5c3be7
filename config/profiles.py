"""A kiosk's TOML profile: who it is, which services it offers, how its devices are wired."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator

LanguageCode = Literal["uz_Latn", "uz_Cyrl", "ru", "en"]
ALL_LANGUAGES: tuple[LanguageCode, ...] = ("uz_Latn", "uz_Cyrl", "ru", "en")


class KioskIdentity(BaseModel):
    code: str = Field(pattern=r"^\d{4}$", description="Four-digit kiosk code, part of case numbers")
    name: str
    office: str = ""
    languages: list[LanguageCode] = list(ALL_LANGUAGES)
    idle_warning_seconds: float = Field(default=90, gt=0)
    idle_reset_seconds: float = Field(default=20, gt=0)


class BackendLink(BaseModel):
    url: str = "http://127.0.0.1:8000"
    credential_file: str = "var/kiosk.credential"
    timeout_seconds: float = 10.0


class PrinterConfig(BaseModel):
    connector: Literal["network", "serial", "usb", "file"] = "network"
    host: str = "127.0.0.1"
    port: int = 9100
    serial_url: str = "/dev/ttyUSB0"
    baudrate: int = 19200
    usb_vendor_id: int = 0x04B8
    usb_product_id: int = 0x0202
    file_path: str = "/dev/usb/lp0"
    escpos_profile: str = "default"
    qr_mode: Literal["native", "image"] = "native"
    text_mode: Literal["raster", "codepage"] = "raster"
    paper_width_px: int = Field(default=576, ge=256, le=832)
    timeout_seconds: float = 5.0


class ScannerConfig(BaseModel):
    url: str = "/dev/ttyACM0"
    baudrate: int = 9600


class DevicesConfig(BaseModel):
    printer: PrinterConfig = PrinterConfig()
    scanner: ScannerConfig = ScannerConfig()


class Category(BaseModel):
    code: str = Field(pattern=r"^[a-z0-9_]{1,40}$")
    title: str


class Service(BaseModel):
    """A service offered at the kiosk; titles are English msgids translated by the catalogs."""

    code: str = Field(pattern=r"^[a-z0-9_]{1,40}$")
    kind: Literal["application", "appeal", "report"]
    title: str
    description: str = ""
    categories: list[Category] = Field(min_length=1)


class KioskProfile(BaseModel):
    kiosk: KioskIdentity
    backend: BackendLink = BackendLink()
    devices: DevicesConfig = DevicesConfig()
    services: list[Service] = Field(min_length=1)

    @field_validator("services")
    @classmethod
    def _unique_codes(cls, services: list[Service]) -> list[Service]:
        codes = [s.code for s in services]
        if len(codes) != len(set(codes)):
            raise ValueError("service codes must be unique")
        return services

    def service(self, code: str) -> Service:
        for service in self.services:
            if service.code == code:
                return service
        raise KeyError(code)


def load_profile(path: Path | str) -> KioskProfile:
    """Read and validate a kiosk profile TOML file."""
    with open(path, "rb") as handle:
        return KioskProfile.model_validate(tomllib.load(handle))
