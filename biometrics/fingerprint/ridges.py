"""Ridge enhancement (oriented Gabor filters), binarisation and thinning to 1-pixel skeletons."""

from __future__ import annotations

import cv2
import numpy as np

ORIENTATION_BINS = 16
GABOR_SIGMA_PERIODS = 0.45  # across the ridges
GABOR_ASPECT = 1.0  # sigma across over sigma along: below 1 bridges breaks and pores


def normalise(grey: np.ndarray, sigma: float = 8.0) -> np.ndarray:
    """Zero local mean, unit local spread, ridges positive (input has dark ridges)."""
    values = grey.astype(np.float32)
    mean = cv2.GaussianBlur(values, (0, 0), sigma)
    centred = mean - values
    spread = np.sqrt(cv2.GaussianBlur(centred * centred, (0, 0), sigma))
    return centred / np.maximum(spread, 1.0)


def gabor_enhance(normalised: np.ndarray, orientation: np.ndarray, period: float) -> np.ndarray:
    """Each pixel filtered by the Gabor kernel tuned to its ridge direction and ``period``."""
    sigma = GABOR_SIGMA_PERIODS * period
    size = round(3 * sigma / GABOR_ASPECT) * 2 + 1
    bins = np.round(orientation / np.pi * ORIENTATION_BINS).astype(np.int32) % ORIENTATION_BINS
    enhanced = np.zeros_like(normalised)
    for index in range(ORIENTATION_BINS):
        selected = bins == index
        if not selected.any():
            continue
        ridge_angle = index * np.pi / ORIENTATION_BINS
        # OpenCV's kernel oscillates along theta: across the ridges
        kernel = cv2.getGaborKernel(
            (size, size), sigma, ridge_angle + np.pi / 2, period, GABOR_ASPECT, 0, cv2.CV_32F
        )
        kernel -= kernel.mean()
        response = cv2.filter2D(normalised, cv2.CV_32F, kernel, borderType=cv2.BORDER_REFLECT)
        enhanced[selected] = response[selected]
    return enhanced


def _neighbours(image: np.ndarray) -> list[np.ndarray]:
    """P2..P9 of each pixel (clockwise from north), zero outside the image."""
    padded = np.pad(image, 1)
    height, width = image.shape
    offsets = [(-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1)]
    return [padded[1 + dy : 1 + dy + height, 1 + dx : 1 + dx + width] for dy, dx in offsets]


def thin(binary: np.ndarray, max_iterations: int = 50) -> np.ndarray:
    """Zhang-Suen thinning of a boolean image to one-pixel-wide lines."""
    skeleton = binary.astype(np.uint8).copy()
    for _ in range(max_iterations):
        changed = False
        for first_pass in (True, False):
            p = _neighbours(skeleton)
            count = sum(p)
            transitions = sum(((p[i] == 0) & (p[(i + 1) % 8] == 1)) for i in range(8))
            p2, p4, p6, p8 = p[0], p[2], p[4], p[6]
            if first_pass:
                side = (p2 * p4 * p6 == 0) & (p4 * p6 * p8 == 0)
            else:
                side = (p2 * p4 * p8 == 0) & (p2 * p6 * p8 == 0)
            remove = (skeleton == 1) & (count >= 2) & (count <= 6) & (transitions == 1) & side
            if remove.any():
                skeleton[remove] = 0
                changed = True
        if not changed:
            break
    return skeleton.astype(bool)


def crossing_numbers(skeleton: np.ndarray) -> np.ndarray:
    """Crossing number of every skeleton pixel (1 ending, 2 ridge, 3+ bifurcation), 0 elsewhere."""
    p = [n.astype(np.int16) for n in _neighbours(skeleton.astype(np.uint8))]
    crossings = sum(np.abs(p[i] - p[(i + 1) % 8]) for i in range(8)) // 2
    return np.where(skeleton, crossings, 0).astype(np.int16)
