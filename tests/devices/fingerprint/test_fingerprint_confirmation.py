"""Every confirmation code becomes its own typed error with a technician message."""

from __future__ import annotations

import pytest

from devices.fingerprint import confirmation
from devices.fingerprint.confirmation import (
    ERROR_CLASSES,
    ReaderError,
    UnknownConfirmationCode,
    error_for_code,
    raise_for_code,
)
from devices.fingerprint.interface import FingerprintError

EXPECTED = {
    0x01: "PacketReceiveError", 0x02: "NoFinger", 0x03: "EnrollFailed", 0x06: "MessyImage",
    0x07: "TooFewFeaturePoints", 0x08: "NoMatch", 0x09: "NotFound", 0x0A: "MergeFailed",
    0x0B: "AddressOutOfRange", 0x0C: "ReadTemplateError", 0x0D: "UploadFeatureFailed",
    0x0E: "CannotReceive", 0x0F: "UploadImageFailed", 0x10: "DeleteFailed",
    0x11: "ClearFailed", 0x13: "WrongPassword", 0x15: "NoValidImage", 0x18: "FlashWriteError",
    0x1A: "InvalidRegister",
}  # fmt: skip


@pytest.mark.parametrize(("code", "name"), sorted(EXPECTED.items()))
def test_code_maps_to_its_class(code: int, name: str) -> None:
    error = error_for_code(code)
    assert type(error) is getattr(confirmation, name)
    assert error.code == code
    assert f"0x{code:02X}" in str(error)
    with pytest.raises(getattr(confirmation, name)):
        raise_for_code(code)


def test_every_class_is_a_distinct_reader_error_with_a_message() -> None:
    assert len({cls.message for cls in ERROR_CLASSES.values()}) == len(ERROR_CLASSES)
    for code, cls in ERROR_CLASSES.items():
        assert issubclass(cls, ReaderError) and issubclass(cls, FingerprintError)
        assert cls.code == code and cls.message


def test_ok_raises_nothing_and_unknown_code_keeps_its_value() -> None:
    raise_for_code(0x00)
    error = error_for_code(0x77, "after Search")
    assert isinstance(error, UnknownConfirmationCode) and error.code == 0x77
    assert "0x77" in str(error) and "after Search" in str(error)
