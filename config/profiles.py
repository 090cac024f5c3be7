"""A kiosk's TOML profile: who it is, which services it offers, how its devices are wired."""

from __future__ import annotations

import hashlib
import hmac
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator

LanguageCode = Literal["uz_Latn", "uz_Cyrl", "ru", "en"]
ALL_LANGUAGES: tuple[LanguageCode, ...] = ("uz_Latn", "uz_Cyrl", "ru", "en")
FingerName = Literal[
    "right_thumb", "right_index", "right_middle", "right_ring", "right_little",
    "left_thumb", "left_index", "left_middle", "left_ring", "left_little",
]  # fmt: skip


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


class CameraConfig(BaseModel):
    """``source``: a device index ("0"), a V4L2 path, or an RTSP/HTTP stream URL."""

    source: str = "0"
    width: int = Field(default=640, ge=160, le=3840)
    height: int = Field(default=480, ge=120, le=2160)
    fps: float = Field(default=15, gt=0, le=60)
    mirror_preview: bool = True


class FingerprintConfig(BaseModel):
    """An R30x / ZFM / AS608 family reader on a serial port."""

    url: str = "/dev/ttyUSB0"
    baudrate: int = Field(default=57600, ge=9600, le=921600)
    address: int = Field(default=0xFFFFFFFF, ge=0, le=0xFFFFFFFF)
    password: int = Field(default=0, ge=0, le=0xFFFFFFFF)
    timeout_seconds: float = Field(default=2.0, gt=0)


class DevicesConfig(BaseModel):
    printer: PrinterConfig = PrinterConfig()
    scanner: ScannerConfig = ScannerConfig()
    camera: CameraConfig = CameraConfig()
    fingerprint: FingerprintConfig = FingerprintConfig()


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
    identity: Literal["none", "face"] = Field(
        default="none",
        description="face: the citizen identifies and is verified by face before the form",
    )
    asks_text: bool = Field(default=True, description="whether the form has a free-text step")
    fee: bool = Field(
        default=False,
        description="the service carries a state fee, paid at the kiosk before submitting "
        "(the amount comes from the backend's fee schedule)",
    )
    fingers: list[FingerName] = Field(
        default_factory=list,
        max_length=10,
        description="fingers to capture after the face, in the order asked; none: no step",
    )

    @field_validator("fingers")
    @classmethod
    def _fingers_once(cls, fingers: list[str]) -> list[str]:
        if len(fingers) != len(set(fingers)):
            raise ValueError("each finger may be asked once")
        return fingers


class FaceCaptureConfig(BaseModel):
    """How long the kiosk coaches and challenges before it takes the portrait."""

    hold_seconds: float = Field(default=1.0, gt=0, description="all checks pass this long")
    challenges: int = Field(default=2, ge=1, le=3, description="liveness challenges in a row")
    settle_seconds: float = Field(
        default=0.8, gt=0, description="after liveness, frames to choose the portrait from"
    )
    settle_timeout_seconds: float = Field(default=4.0, gt=0)
    max_liveness_failures: int = Field(default=3, ge=1)


class FingerCaptureConfig(BaseModel):
    """How the kiosk asks for fingerprints."""

    max_attempts: int = Field(
        default=3, ge=1, le=10, description="captures of one finger before the citizen chooses"
    )
    poll_seconds: float = Field(default=0.15, gt=0, description="between finger checks")


class PaymentConfig(BaseModel):
    """How long the kiosk waits for a fee to be paid, and how often it asks."""

    wait_seconds: float = Field(default=300, gt=0, description="then the payment is cancelled")
    poll_seconds: float = Field(default=2.0, gt=0)
    paid_pause_seconds: float = Field(
        default=2.5, ge=0, description='how long "Payment received" shows before moving on'
    )


class FleetConfig(BaseModel):
    """How the kiosk reports to the fleet dashboard and obeys its operators."""

    heartbeat_seconds: float = Field(
        default=15, ge=1, le=3600, description="between heartbeats, until the backend says"
    )
    device_check: bool = Field(
        default=True, description="the kiosk goes out of service while a device it needs is down"
    )
    screenshot_timeout_seconds: float = Field(default=5.0, gt=0)


PIN_HASH_SCHEME = "pbkdf2_sha256"
PIN_HASH_ITERATIONS = 100_000


def hash_pin(pin: str, salt: bytes, iterations: int = PIN_HASH_ITERATIONS) -> str:
    """``pbkdf2_sha256$<iterations>$<salt hex>$<hash hex>``, the form of ``pin_hash``."""
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, iterations)
    return f"{PIN_HASH_SCHEME}${iterations}${salt.hex()}${digest.hex()}"


class TechnicianConfig(BaseModel):
    """The hidden technician screen: its PIN and the lockout after wrong PINs.

    Make a hash with ``python -c "import os; from config.profiles import hash_pin;
    print(hash_pin('1234', os.urandom(16)))"``. With neither ``pin_hash`` nor ``pin`` set the
    screen cannot be opened."""

    pin_hash: str = Field(default="", pattern=r"^(|pbkdf2_sha256\$\d+\$[0-9a-f]+\$[0-9a-f]{64})$")
    pin: str = Field(default="", pattern=r"^\d{0,12}$", description="plain digits; prefer pin_hash")
    max_wrong_pins: int = Field(default=3, ge=1, le=10)
    lockout_seconds: float = Field(default=60, gt=0)
    gesture_taps: int = Field(default=5, ge=2, le=10, description="taps on the header corner")
    gesture_seconds: float = Field(default=3.0, gt=0, description="within this time")

    @property
    def pin_set(self) -> bool:
        return bool(self.pin_hash or self.pin)

    def accepts(self, digits: str) -> bool:
        """Whether ``digits`` is the PIN (compared in constant time)."""
        if self.pin_hash:
            _scheme, iterations, salt, _digest = self.pin_hash.split("$")
            expected = hash_pin(digits, bytes.fromhex(salt), int(iterations))
            return hmac.compare_digest(expected, self.pin_hash)
        return bool(self.pin) and hmac.compare_digest(digits.encode(), self.pin.encode())


class KioskProfile(BaseModel):
    kiosk: KioskIdentity
    backend: BackendLink = BackendLink()
    devices: DevicesConfig = DevicesConfig()
    face_capture: FaceCaptureConfig = FaceCaptureConfig()
    finger_capture: FingerCaptureConfig = FingerCaptureConfig()
    payment: PaymentConfig = PaymentConfig()
    fleet: FleetConfig = FleetConfig()
    technician: TechnicianConfig = TechnicianConfig()
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
