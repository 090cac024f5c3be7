"""Image sizes are read from headers, so a tiny file declaring huge sides is never decoded."""

from __future__ import annotations

import resource

import pytest

from biometrics.face.encoding import FaceRefused, RefusalReason, decode_image
from biometrics.image_header import (
    DEFAULT_MAX_PIXELS,
    ImageHeaderError,
    ImageTooLargeError,
    check_declared_size,
    declared_size,
)
from tests.image_bombs import jpeg_bomb, noise_png, png_bomb

MIB = 1024  # ru_maxrss is in KiB on Linux


def _peak_rss_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def test_declared_size_is_read_from_the_header_alone() -> None:
    assert declared_size(jpeg_bomb(5000, 6000)) == (5000, 6000)
    assert declared_size(png_bomb(7000, 300)) == (7000, 300)
    assert check_declared_size(noise_png(40, 30)) == (40, 30)
    with pytest.raises(ImageTooLargeError, match="declares 5000x6000 pixels"):
        check_declared_size(jpeg_bomb(5000, 6000))
    with pytest.raises(ImageTooLargeError):
        check_declared_size(jpeg_bomb(20000, 20000))
    with pytest.raises(ImageHeaderError):
        declared_size(b"GIF89a not accepted")
    with pytest.raises(ImageHeaderError):
        declared_size(noise_png(4, 4), formats=("JPEG",))


@pytest.mark.parametrize("bomb", [jpeg_bomb, png_bomb], ids=["jpeg", "png"])
def test_a_tiny_file_declaring_20000_pixel_sides_is_refused_without_decoding(bomb) -> None:
    data = bomb(20000, 20000)
    assert len(data) < 1000
    before = _peak_rss_kib()

    with pytest.raises(FaceRefused) as refused:
        decode_image(data)

    assert refused.value.reason == RefusalReason.UNREADABLE_IMAGE
    assert "declares" in str(refused.value)
    # Decoding would have allocated 20000 x 20000 x 3 bytes (1.1 GiB) at least.
    assert _peak_rss_kib() - before < 200 * MIB


def test_a_portrait_just_over_the_limit_is_refused_and_one_under_is_decoded() -> None:
    with pytest.raises(FaceRefused, match="declares 4097x4096 pixels"):
        decode_image(jpeg_bomb(4097, 4096))
    assert DEFAULT_MAX_PIXELS == 4096 * 4096
    assert decode_image(noise_png(64, 48)).shape == (48, 64, 3)
