"""Confirmation codes of R30x/ZFM/AS608 readers, each mapped to an error class."""

from __future__ import annotations

from devices.fingerprint.interface import FingerprintError

OK = 0x00


class ReaderError(FingerprintError):
    """The reader answered with a confirmation code other than 0x00."""

    code: int = -1
    message: str = "the reader reported an error"

    def __init__(self, code: int | None = None, detail: str = "") -> None:
        if code is not None:
            self.code = code
        text = f"reader error 0x{self.code:02X}: {self.message}"
        super().__init__(f"{text} ({detail})" if detail else text)


class PacketReceiveError(ReaderError):
    code, message = 0x01, "error receiving the data packet"


class NoFinger(ReaderError):
    code, message = 0x02, "no finger on the sensor"


class EnrollFailed(ReaderError):
    code, message = 0x03, "failed to take the finger image (enroll failed)"


class ImageTooDry(ReaderError):
    code, message = 0x04, "finger image too dry or too light to generate features"


class ImageTooWet(ReaderError):
    code, message = 0x05, "finger image too wet or too blurry to generate features"


class MessyImage(ReaderError):
    code, message = 0x06, "finger image too disorderly to generate features"


class TooFewFeaturePoints(ReaderError):
    code, message = 0x07, "too few feature points (or too small an area) in the finger image"


class NoMatch(ReaderError):
    code, message = 0x08, "the templates do not match"


class NotFound(ReaderError):
    code, message = 0x09, "no matching template found in the library"


class MergeFailed(ReaderError):
    code, message = 0x0A, "failed to combine the character files into a template"


class AddressOutOfRange(ReaderError):
    code, message = 0x0B, "page id is beyond the template library"


class ReadTemplateError(ReaderError):
    code, message = 0x0C, "error reading the template from the library, or template invalid"


class UploadFeatureFailed(ReaderError):
    code, message = 0x0D, "error uploading the template"


class CannotReceive(ReaderError):
    code, message = 0x0E, "the module cannot receive the following data packets"


class UploadImageFailed(ReaderError):
    code, message = 0x0F, "error uploading the image"


class DeleteFailed(ReaderError):
    code, message = 0x10, "failed to delete the template"


class ClearFailed(ReaderError):
    code, message = 0x11, "failed to clear the template library"


class WrongPassword(ReaderError):
    code, message = 0x13, "wrong password: the reader is configured with another password"


class NoValidImage(ReaderError):
    code, message = 0x15, "no valid original image in the image buffer"


class FlashWriteError(ReaderError):
    code, message = 0x18, "error writing to flash memory"


class UndefinedError(ReaderError):
    code, message = 0x19, "undefined error"


class InvalidRegister(ReaderError):
    code, message = 0x1A, "invalid register number"


class BadRegisterConfiguration(ReaderError):
    code, message = 0x1B, "incorrect register configuration"


class BadNotepadPage(ReaderError):
    code, message = 0x1C, "wrong notepad page number"


class CommunicationPortFailed(ReaderError):
    code, message = 0x1D, "failed to operate the communication port"


class UnknownConfirmationCode(ReaderError):
    message = "unknown confirmation code; check the reader model and firmware"


ERROR_CLASSES: dict[int, type[ReaderError]] = {
    cls.code: cls
    for cls in (
        PacketReceiveError, NoFinger, EnrollFailed, ImageTooDry, ImageTooWet, MessyImage,
        TooFewFeaturePoints, NoMatch, NotFound, MergeFailed, AddressOutOfRange,
        ReadTemplateError, UploadFeatureFailed, CannotReceive, UploadImageFailed, DeleteFailed,
        ClearFailed, WrongPassword, NoValidImage, FlashWriteError, UndefinedError,
        InvalidRegister, BadRegisterConfiguration, BadNotepadPage, CommunicationPortFailed,
    )
}  # fmt: skip


def error_for_code(code: int, detail: str = "") -> ReaderError:
    """The typed error for a non-zero confirmation code."""
    cls = ERROR_CLASSES.get(code)
    if cls is None:
        return UnknownConfirmationCode(code, detail)
    return cls(detail=detail)


def raise_for_code(code: int, detail: str = "") -> None:
    """Raise the typed error for ``code`` unless it is 0x00 (ok)."""
    if code != OK:
        raise error_for_code(code, detail)
