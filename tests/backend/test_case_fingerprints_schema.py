"""The fingerprint tables: migration 0003 up and down, and strict decoding of finger PNGs."""

from __future__ import annotations

import base64

import cv2
import numpy as np
import pytest
from alembic import command
from sqlalchemy import inspect

from backend.db import make_engine
from backend.identity.fingerprint_png import FingerprintPngError, decode_fingerprint_png
from backend.migrate import alembic_config, upgrade_database
from tests.backend.fingerprint_support import png_bytes, reader_pixels, reader_png

FINGERPRINT_TABLES = {"case_fingerprints", "case_fingerprint_hits"}


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return set(inspect(connection).get_table_names())
    finally:
        engine.dispose()


def _downgrade(url: str, revision: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.downgrade(config, revision)
    finally:
        engine.dispose()


def test_migration_0003_adds_and_removes_the_fingerprint_tables(database_url: str) -> None:
    upgrade_database(database_url)
    assert _tables(database_url) >= FINGERPRINT_TABLES

    _downgrade(database_url, "0002")
    remaining = _tables(database_url)
    assert not FINGERPRINT_TABLES & remaining and "case_duplicate_hits" in remaining

    upgrade_database(database_url)
    assert _tables(database_url) >= FINGERPRINT_TABLES


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_a_reader_png_decodes_to_its_pixels() -> None:
    decoded = decode_fingerprint_png(_b64(reader_png("afisA_1")))

    assert decoded.png == reader_png("afisA_1")
    assert decoded.pixels.shape == (288, 256) and decoded.pixels.dtype == np.uint8
    assert np.array_equal(decoded.pixels, reader_pixels("afisA_1"))


def test_colour_and_16_bit_pngs_are_made_grey() -> None:
    grey = reader_pixels("afisB_1")
    colour = decode_fingerprint_png(_b64(png_bytes(cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR))))
    deep = decode_fingerprint_png(_b64(png_bytes(grey.astype(np.uint16) * 257)))

    assert np.array_equal(colour.pixels, grey)
    assert np.array_equal(deep.pixels, grey)


def test_a_png_claiming_huge_sides_is_refused_before_decoding() -> None:
    png = bytearray(reader_png("afisA_1"))
    png[16:24] = (50_000).to_bytes(4, "big") * 2  # IHDR width and height

    with pytest.raises(FingerprintPngError, match="50000x50000 pixels"):
        decode_fingerprint_png(_b64(bytes(png)))
