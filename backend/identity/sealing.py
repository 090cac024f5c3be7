"""Biometric and personal data at rest: AES-256-GCM blobs bound to the row and field they
belong to, and keyed digests (HMAC-SHA256) to look rows up by a value that is not stored.

A blob is ``version (1) | key id (4) | nonce (12) | ciphertext+tag``. The key id lets a later
key rotation tell which key sealed a blob; the associated data (table, field, row key) makes a
blob copied into another row or field fail to open.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from config.settings import BackendSettings

SEAL_VERSION = 1
KEY_BYTES = 32
KEY_ID_BYTES = 4
NONCE_BYTES = 12
_HEADER_BYTES = 1 + KEY_ID_BYTES + NONCE_BYTES
_HKDF_INFO = b"smart-station data at rest v1"
_LOOKUP_HKDF_INFO = b"smart-station lookup digest v1"


class SealError(ValueError):
    """A blob cannot be opened: wrong key, wrong row or field, damaged or unknown format."""


def _decoded_key(value: str, name: str) -> bytes:
    try:
        key = base64.b64decode(value, validate=True)
    except binascii.Error as error:
        raise ValueError(f"{name} is not valid base64") from error
    if len(key) != KEY_BYTES:
        raise ValueError(f"{name} must decode to {KEY_BYTES} bytes, not {len(key)}")
    return key


def _derived_key(material: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=info).derive(material)


def data_key_from_settings(settings: BackendSettings) -> bytes:
    """``STATION_DATA_KEY`` (base64 of 32 bytes), else a key derived from the master secret."""
    if settings.data_key:
        return _decoded_key(settings.data_key, "STATION_DATA_KEY")
    return _derived_key(settings.resolved_secret_key, _HKDF_INFO)


def lookup_key_from_settings(settings: BackendSettings) -> bytes:
    """``STATION_LOOKUP_KEY`` (base64 of 32 bytes), else a key derived from the data key."""
    if settings.lookup_key:
        return _decoded_key(settings.lookup_key, "STATION_LOOKUP_KEY")
    return _derived_key(data_key_from_settings(settings), _LOOKUP_HKDF_INFO)


def sealing_context(table: str, field: str, row_key: object) -> bytes:
    """The associated data that binds a blob to one field of one row."""
    return f"{table}/{field}/{row_key}".encode()


class DataSealer:
    """Seals and opens blobs with one AES-256-GCM key, and gives the keyed digests that stand
    in for sealed values in lookups (HMAC-SHA256 under a second key)."""

    def __init__(self, key: bytes, lookup_key: bytes | None = None) -> None:
        if len(key) != KEY_BYTES:
            raise ValueError(f"the data key must be {KEY_BYTES} bytes")
        if lookup_key is not None and len(lookup_key) != KEY_BYTES:
            raise ValueError(f"the lookup key must be {KEY_BYTES} bytes")
        self._aead = AESGCM(key)
        self._lookup_key = lookup_key or _derived_key(key, _LOOKUP_HKDF_INFO)
        self.key_id = hashlib.sha256(b"station-data-key-id:" + key).digest()[:KEY_ID_BYTES]

    @classmethod
    def from_settings(cls, settings: BackendSettings) -> DataSealer:
        return cls(data_key_from_settings(settings), lookup_key_from_settings(settings))

    def lookup_digest(self, kind: str, value: str) -> str:
        """A stable keyed digest of ``value`` (hex), to find rows by it without storing it."""
        message = f"{kind}/{value}".encode()
        return hmac.new(self._lookup_key, message, hashlib.sha256).hexdigest()

    def personal_number_digest(self, personal_number: str) -> str:
        return self.lookup_digest("personal_number", personal_number)

    def seal_text(self, value: str | None, context: bytes) -> bytes | None:
        return None if value is None else self.seal(value.encode(), context)

    def open_text(self, blob: bytes | None, context: bytes) -> str | None:
        return None if blob is None else self.open(blob, context).decode()

    def seal(self, plaintext: bytes, context: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        header = bytes([SEAL_VERSION]) + self.key_id + nonce
        # The header is authenticated too, so a blob's version or key id cannot be altered.
        return header + self._aead.encrypt(nonce, plaintext, header + context)

    def open(self, blob: bytes, context: bytes) -> bytes:
        if len(blob) < _HEADER_BYTES + 16:
            raise SealError("blob too short")
        if blob[0] != SEAL_VERSION:
            raise SealError(f"unknown blob version {blob[0]}")
        if blob[1 : 1 + KEY_ID_BYTES] != self.key_id:
            raise SealError("blob sealed with another key")
        header, nonce = blob[:_HEADER_BYTES], blob[1 + KEY_ID_BYTES : _HEADER_BYTES]
        try:
            return self._aead.decrypt(nonce, blob[_HEADER_BYTES:], header + context)
        except InvalidTag:
            raise SealError("blob does not open: damaged, or bound to another row") from None


def case_field_context(case_number: str, field: str) -> bytes:
    """Binds a case's sealed text, phone or personal number to that field of that case."""
    return sealing_context("cases", field, case_number)


def verification_portrait_context(verification_id: object) -> bytes:
    return sealing_context("face_verifications", "portrait", verification_id)


def verification_template_context(verification_id: object) -> bytes:
    return sealing_context("face_verifications", "template", verification_id)
