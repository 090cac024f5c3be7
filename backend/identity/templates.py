"""Face templates as stored bytes, and the backend's own encoding of a submitted portrait."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from biometrics.face.encoding import TEMPLATE_SIZE, decode_image, encode_portrait
from config.face import FaceMatchSettings

# Portrait bytes -> template vector; raises biometrics' FaceRefused for an unusable photo.
PortraitEncoder = Callable[[bytes], np.ndarray]


def template_to_bytes(vector: np.ndarray) -> bytes:
    """128 little-endian float32 values."""
    return np.asarray(vector, dtype="<f4").reshape(TEMPLATE_SIZE).tobytes()


def template_from_bytes(data: bytes) -> np.ndarray:
    if len(data) != TEMPLATE_SIZE * 4:
        raise ValueError(f"a template is {TEMPLATE_SIZE * 4} bytes, not {len(data)}")
    return np.frombuffer(data, dtype="<f4").astype(np.float32)


def portrait_encoder(settings: FaceMatchSettings) -> PortraitEncoder:
    """The encoder the backend trusts: decode and encode with the service's own settings."""

    def encode(portrait: bytes) -> np.ndarray:
        return encode_portrait(decode_image(portrait), settings).vector

    return encode
