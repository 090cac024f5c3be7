"""A head turn synthesized from one photo: a piecewise-affine warp driven by landmark depth."""

from __future__ import annotations

import cv2
import numpy as np

from devices.camera.face_geometry import eye_frame

# How far each landmark stands out of the face's silhouette plane, in inter-eye distances:
# a turn of amplitude s moves a point by depth * s along the eye line. The silhouette points of
# the jaw (0-3, 13-16) have none, so the outline stays while the nose and mouth slide across.
LANDMARK_DEPTH = np.concatenate(
    [
        [0, 0, 0, 0, 0.1, 0.2, 0.3, 0.38, 0.42, 0.38, 0.3, 0.2, 0.1, 0, 0, 0, 0],  # jaw
        [0.05, 0.12, 0.18, 0.22, 0.24, 0.24, 0.22, 0.18, 0.12, 0.05],  # brows
        [0.25, 0.38, 0.5, 0.62, 0.38, 0.45, 0.5, 0.45, 0.38],  # nose
        [0.0, 0.1, 0.12, 0.12, 0.12, 0.1, 0.12, 0.12, 0.1, 0.0, 0.1, 0.12],  # eyes
        [0.2, 0.3, 0.38, 0.42, 0.38, 0.3, 0.2, 0.3, 0.36, 0.4, 0.36, 0.3],  # outer lips
        [0.22, 0.35, 0.4, 0.35, 0.22, 0.35, 0.38, 0.35],  # inner lips
    ]
)
FOREHEAD_DEPTH = 0.12
TURN_LEVELS = 4  # precomputed warps per side; poses in between blend two neighbours


class TurnWarp:
    """Piecewise-affine warp of the face box that turns the head by moving landmarks by depth.

    Triangles are painted far to near, so a nose that slides over a cheek hides it.
    """

    def __init__(self, shape: tuple[int, ...], points: np.ndarray) -> None:
        _, along, distance = eye_frame(points)
        self.along = along * distance
        brows = points[17:27]
        forehead = brows - np.array([-along[1], along[0]]) * 0.7 * distance
        x0, y0 = np.floor(points.min(axis=0) - 0.8 * distance).astype(int)
        x1, y1 = np.ceil(points.max(axis=0) + 0.5 * distance).astype(int)
        y0 = int(min(y0, forehead[:, 1].min() - 0.3 * distance))
        self.box = (max(0, x0), max(0, y0), min(shape[1], x1), min(shape[0], y1))
        bx0, by0, bx1, by1 = self.box
        w, h = bx1 - bx0 - 1, by1 - by0 - 1
        frame = [(0, 0), (w / 2, 0), (w, 0), (w, h / 2), (w, h), (w / 2, h), (0, h), (0, h / 2)]
        self.source = np.vstack([points - (bx0, by0), forehead - (bx0, by0), np.array(frame)])
        self.depth = np.concatenate(
            [LANDMARK_DEPTH, np.full(len(forehead), FOREHEAD_DEPTH), np.zeros(len(frame))]
        )
        self.triangles = _delaunay(self.source, (w + 1, h + 1))
        self._cache: dict[float, tuple[np.ndarray, np.ndarray]] = {}

    def maps(self, amplitude: float) -> tuple[np.ndarray, np.ndarray]:
        """Backward maps (for cv2.remap) of the face box for a turn of ``amplitude`` IED."""
        key = round(amplitude, 4)
        if key not in self._cache:
            self._cache[key] = self._build_maps(amplitude)
        return self._cache[key]

    def _build_maps(self, amplitude: float) -> tuple[np.ndarray, np.ndarray]:
        x0, y0, x1, y1 = self.box
        target = self.source + np.outer(self.depth * amplitude, self.along)
        order = np.argsort(self.depth[self.triangles].mean(axis=1))
        return piecewise_affine_maps(self.source, target, self.triangles[order], (x1 - x0, y1 - y0))

    def apply(self, image: np.ndarray, amplitude: float) -> np.ndarray:
        """``image`` with its face box turned; amplitudes between precomputed ones are blended."""
        x0, y0, x1, y1 = self.box
        map_x, map_y = self.maps(amplitude)
        warped = image.copy()
        warped[y0:y1, x0:x1] = cv2.remap(
            image[y0:y1, x0:x1], map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        )
        return warped


def piecewise_affine_maps(
    source: np.ndarray, target: np.ndarray, triangles: np.ndarray, size: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray]:
    """Backward maps that carry each ``source`` triangle onto its ``target`` triangle.

    Triangles are painted in the given order, later ones over earlier ones.
    """
    width, height = size
    grid_y, grid_x = np.mgrid[0:height, 0:width].astype(np.float32)
    map_x, map_y = grid_x.copy(), grid_y.copy()
    for tri in triangles:
        dst = target[tri].astype(np.float32)
        inverse = cv2.getAffineTransform(dst, source[tri].astype(np.float32))
        left, top, box_w, box_h = cv2.boundingRect(dst)
        left, top = max(0, left), max(0, top)
        right, bottom = min(width, left + box_w + 1), min(height, top + box_h + 1)
        if right <= left or bottom <= top:
            continue
        inside = np.zeros((bottom - top, right - left), np.uint8)
        cv2.fillConvexPoly(inside, (dst - (left, top)).round().astype(np.int32), 1)
        chosen = inside.astype(bool)
        gx = grid_x[top:bottom, left:right][chosen]
        gy = grid_y[top:bottom, left:right][chosen]
        map_x[top:bottom, left:right][chosen] = (
            inverse[0, 0] * gx + inverse[0, 1] * gy + inverse[0, 2]
        )
        map_y[top:bottom, left:right][chosen] = (
            inverse[1, 0] * gx + inverse[1, 1] * gy + inverse[1, 2]
        )
    return map_x, map_y


def _delaunay(points: np.ndarray, size: tuple[float, float]) -> np.ndarray:
    subdivision = cv2.Subdiv2D((-1, -1, int(size[0]) + 2, int(size[1]) + 2))
    for x, y in points:
        subdivision.insert((float(x), float(y)))
    triangles = []
    for x_a, y_a, x_b, y_b, x_c, y_c in subdivision.getTriangleList():
        corners = []
        for x, y in ((x_a, y_a), (x_b, y_b), (x_c, y_c)):
            distances = np.hypot(points[:, 0] - x, points[:, 1] - y)
            nearest = int(np.argmin(distances))
            if distances[nearest] > 1.0:
                break
            corners.append(nearest)
        if len(corners) == 3 and len(set(corners)) == 3:
            triangles.append(corners)
    return np.array(triangles, dtype=np.int64)
