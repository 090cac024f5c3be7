"""Ridge orientation, coherence and frequency, per block and per pixel."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class BlockField:
    """Measurements of each ``block`` x ``block`` tile of an image (arrays of rows x cols)."""

    block: int
    mean: np.ndarray
    std: np.ndarray
    orientation: np.ndarray  # ridge direction, radians in [0, pi)
    coherence: np.ndarray  # 0 (isotropic) .. 1 (one direction)
    period: np.ndarray  # dominant ridge period in pixels, 0 where none
    band_share: np.ndarray  # share of the spectral energy at plausible ridge periods


def _block_sums(values: np.ndarray, block: int) -> np.ndarray:
    rows, cols = values.shape[0] // block, values.shape[1] // block
    cropped = values[: rows * block, : cols * block]
    return cropped.reshape(rows, block, cols, block).sum(axis=(1, 3))


def structure_tensor(grey: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-pixel gradient products gxx, gyy, gxy of a float image."""
    gx = cv2.Sobel(grey, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(grey, cv2.CV_32F, 0, 1, ksize=3)
    return gx * gx, gy * gy, gx * gy


def _orientation_and_coherence(
    gxx: np.ndarray, gyy: np.ndarray, gxy: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    difference = gxx - gyy
    strength = np.sqrt(difference**2 + 4 * gxy**2)
    total = gxx + gyy
    coherence = np.where(total > 1e-6, strength / np.maximum(total, 1e-6), 0.0)
    # the gradient points across the ridges; the ridge runs at a right angle to it
    orientation = (0.5 * np.arctan2(2 * gxy, difference) + np.pi / 2) % np.pi
    return orientation, coherence


def _block_spectra(
    grey: np.ndarray, block: int, min_period: float, max_period: float
) -> tuple[np.ndarray, np.ndarray]:
    """Dominant period and band energy share of a window twice the block around each block."""
    window = 2 * block
    rows, cols = grey.shape[0] // block, grey.shape[1] // block
    if rows == 0 or cols == 0:
        return np.zeros((rows, cols), np.float32), np.zeros((rows, cols), np.float32)
    padded = cv2.copyMakeBorder(
        grey, block // 2, block // 2 + window, block // 2, block // 2 + window, cv2.BORDER_REFLECT
    )
    strides = padded.strides
    tiles = np.lib.stride_tricks.as_strided(
        padded,
        shape=(rows, cols, window, window),
        strides=(strides[0] * block, strides[1] * block, strides[0], strides[1]),
    ).reshape(rows * cols, window, window)
    period = np.zeros(rows * cols, np.float32)
    band_share = np.zeros(rows * cols, np.float32)
    textured = np.nonzero(np.ptp(tiles.reshape(rows * cols, -1), axis=1) > 0)[0]
    if textured.size:
        period[textured], band_share[textured] = _spectra(
            tiles[textured].astype(np.float32), min_period, max_period
        )
    return period.reshape(rows, cols), band_share.reshape(rows, cols)


def _spectra(
    tiles: np.ndarray, min_period: float, max_period: float
) -> tuple[np.ndarray, np.ndarray]:
    """Period and band energy share of each of ``tiles`` (count, window, window)."""
    window = tiles.shape[1]
    tiles = tiles - tiles.mean(axis=(1, 2), keepdims=True)
    taper = np.outer(np.hanning(window), np.hanning(window)).astype(np.float32)
    # a real tile's spectrum is symmetric: the half from rfft2, inner columns counted twice
    power = np.abs(np.fft.rfft2(tiles * taper)) ** 2
    columns = np.full(window // 2 + 1, 2.0)
    columns[0] = columns[-1] = 1.0
    power *= columns
    radius = np.hypot(np.fft.fftfreq(window)[:, None], np.fft.rfftfreq(window)[None, :])
    in_band = (radius >= 1.0 / max_period) & (radius <= 1.0 / min_period)
    total = power.sum(axis=(1, 2)) - power[:, 0, 0]
    band_power = np.where(in_band, power, 0.0)
    band_share = np.where(total > 1e-6, band_power.sum(axis=(1, 2)) / np.maximum(total, 1e-6), 0)
    # the mean frequency in the band weighted by squared power: dominated by the peak, yet
    # finer than the spectrum's 1/window steps
    weight = band_power.astype(np.float64) ** 2 / columns
    weight_total = weight.sum(axis=(1, 2))
    mean_radius = (weight * radius).sum(axis=(1, 2)) / np.maximum(weight_total, 1e-300)
    period = np.where(mean_radius > 0, 1.0 / np.maximum(mean_radius, 1e-6), 0.0)
    return period.astype(np.float32), band_share.astype(np.float32)


def block_field(
    grey: np.ndarray, block: int = 16, min_period: float = 5.0, max_period: float = 15.0
) -> BlockField:
    """Block-wise statistics, orientation, coherence and ridge period of a grey uint8 image."""
    values = grey.astype(np.float32)
    area = float(block * block)
    mean = _block_sums(values, block) / area
    square_mean = _block_sums(values * values, block) / area
    std = np.sqrt(np.maximum(square_mean - mean * mean, 0.0))
    gxx, gyy, gxy = structure_tensor(values)
    orientation, coherence = _orientation_and_coherence(
        _block_sums(gxx, block), _block_sums(gyy, block), _block_sums(gxy, block)
    )
    period, band_share = _block_spectra(values, block, min_period, max_period)
    return BlockField(block, mean, std, orientation, coherence, period, band_share)


def pixel_orientation(grey: np.ndarray, sigma: float = 7.0) -> tuple[np.ndarray, np.ndarray]:
    """Smoothed ridge direction (radians in [0, pi)) and its coherence at every pixel."""
    gxx, gyy, gxy = structure_tensor(grey.astype(np.float32))
    gxx = cv2.GaussianBlur(gxx, (0, 0), sigma)
    gyy = cv2.GaussianBlur(gyy, (0, 0), sigma)
    gxy = cv2.GaussianBlur(gxy, (0, 0), sigma)
    orientation, coherence = _orientation_and_coherence(gxx, gyy, gxy)
    return orientation.astype(np.float32), coherence.astype(np.float32)
