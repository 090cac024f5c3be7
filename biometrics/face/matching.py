"""1:1 decisions and 1:N search over face templates."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from biometrics.face.encoding import TEMPLATE_SIZE
from config.face import FaceMatchSettings


class MatchDecision(StrEnum):
    VERIFIED = "verified"
    MANUAL_REVIEW = "manual_review"
    NOT_VERIFIED = "not_verified"


def face_distance(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(np.asarray(a, np.float32) - np.asarray(b, np.float32)))


def decide(distance: float, settings: FaceMatchSettings) -> MatchDecision:
    """Verified outright, sent to an officer, or not the same person."""
    if distance <= settings.verify_max_distance:
        return MatchDecision.VERIFIED
    if distance <= settings.review_max_distance:
        return MatchDecision.MANUAL_REVIEW
    return MatchDecision.NOT_VERIFIED


@dataclass(frozen=True)
class GalleryHit:
    key: str
    distance: float


class TemplateGallery:
    """Enrolled templates in one float32 matrix, searched exhaustively.

    Squared distances come from matrix-vector products (|x|^2 + |q|^2 - 2 x.q) with the
    gallery's norms kept alongside, so a search reads the matrix once. The matrix is read in
    chunks whose distances stay in the CPU cache while each chunk is cut down to its ``k``
    best, instead of writing and re-reading a distance array as long as the gallery.
    """

    # 65536 float32 distances are 256 KiB: they fit in L2 while the chunk's best are picked.
    search_chunk_rows = 65536

    def __init__(self, capacity: int = 1024) -> None:
        self._vectors = np.empty((max(capacity, 1), TEMPLATE_SIZE), dtype=np.float32)
        self._norms = np.empty(max(capacity, 1), dtype=np.float32)
        self._keys: list[str] = []

    def __len__(self) -> int:
        return len(self._keys)

    @property
    def nbytes(self) -> int:
        return self._vectors.nbytes + self._norms.nbytes

    def add(self, key: str, vector: np.ndarray) -> None:
        self.add_many([key], np.asarray(vector, dtype=np.float32).reshape(1, TEMPLATE_SIZE))

    def add_many(self, keys: Iterable[str], vectors: np.ndarray) -> None:
        keys = list(keys)
        vectors = np.asarray(vectors, dtype=np.float32).reshape(-1, TEMPLATE_SIZE)
        if len(keys) != len(vectors):
            raise ValueError("one key per vector")
        count, needed = len(self._keys), len(self._keys) + len(keys)
        if needed > len(self._vectors):
            size = max(needed, 2 * len(self._vectors))
            grown = np.empty((size, TEMPLATE_SIZE), dtype=np.float32)
            grown[:count] = self._vectors[:count]
            norms = np.empty(size, dtype=np.float32)
            norms[:count] = self._norms[:count]
            self._vectors, self._norms = grown, norms
        self._vectors[count:needed] = vectors
        self._norms[count:needed] = np.einsum("ij,ij->i", vectors, vectors)
        self._keys.extend(keys)

    def search(
        self, vector: np.ndarray, k: int = 5, max_distance: float | None = None
    ) -> list[GalleryHit]:
        """The ``k`` nearest templates, nearest first, optionally only those within a distance."""
        count = len(self._keys)
        if count == 0 or k <= 0:
            return []
        query = np.ascontiguousarray(vector, dtype=np.float32).reshape(TEMPLATE_SIZE)
        k = min(k, count)
        rows, squared = self._nearest_rows(query, k)
        squared += float(query @ query)
        order = np.argsort(squared, kind="stable")[:k]
        hits = [
            GalleryHit(self._keys[rows[i]], float(np.sqrt(max(squared[i], 0.0)))) for i in order
        ]
        if max_distance is not None:
            hits = [hit for hit in hits if hit.distance <= max_distance]
        return hits

    def _nearest_rows(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Candidate rows (the ``k`` best of every chunk) and their |x|^2 - 2 x.q."""
        count, step = len(self._keys), self.search_chunk_rows
        scratch = np.empty(min(step, count), dtype=np.float32)
        rows: list[np.ndarray] = []
        partial: list[np.ndarray] = []
        for start in range(0, count, step):
            stop = min(start + step, count)
            chunk = scratch[: stop - start]
            np.matmul(self._vectors[start:stop], query, out=chunk)
            chunk *= -2.0
            chunk += self._norms[start:stop]
            best = np.argpartition(chunk, k - 1)[:k] if k < len(chunk) else np.arange(len(chunk))
            rows.append(best + start)
            partial.append(chunk[best])
        return np.concatenate(rows), np.concatenate(partial)
