"""TemplateGallery against brute force, and the verify / review / reject bands of decide()."""

from __future__ import annotations

import numpy as np
import pytest

from biometrics.face.encoding import TEMPLATE_SIZE
from biometrics.face.matching import (
    MatchDecision,
    TemplateGallery,
    decide,
    face_distance,
)
from config.face import FaceMatchSettings


def random_templates(rng: np.random.Generator, count: int) -> np.ndarray:
    """Vectors with the per-component spread of face encodings (about 0.125)."""
    return rng.normal(0.0, 0.125, size=(count, TEMPLATE_SIZE)).astype(np.float32)


def brute_force(vectors: np.ndarray, query: np.ndarray, k: int) -> tuple[list[int], np.ndarray]:
    distances = np.linalg.norm(vectors.astype(np.float64) - query.astype(np.float64), axis=1)
    order = np.argsort(distances)[:k]
    return order.tolist(), distances[order]


def assert_same_hits(gallery: TemplateGallery, vectors: np.ndarray, query: np.ndarray, k: int):
    hits = gallery.search(query, k=k)
    rows, distances = brute_force(vectors, query, k)
    assert [hit.key for hit in hits] == [f"t{row}" for row in rows]
    np.testing.assert_allclose([hit.distance for hit in hits], distances, rtol=0, atol=1e-5)


@pytest.mark.parametrize("count", [1, 2, 7, 1000, 70_000])
def test_search_matches_brute_force(count: int) -> None:
    rng = np.random.default_rng(count)
    vectors = random_templates(rng, count)
    gallery = TemplateGallery()
    gallery.add_many([f"t{row}" for row in range(count)], vectors)
    assert len(gallery) == count
    for query in random_templates(rng, 5):
        assert_same_hits(gallery, vectors, query, k=5)
    # a query next to an enrolled template finds that template first
    enrolled = vectors[count // 2]
    nearest = gallery.search(enrolled + 0.01, k=1)
    assert nearest[0].key == f"t{count // 2}"


def test_search_across_chunks_matches_brute_force() -> None:
    """The k best of each chunk still give the global k best, wherever they fall."""
    rng = np.random.default_rng(11)
    vectors = random_templates(rng, 1000)
    gallery = TemplateGallery()
    gallery.search_chunk_rows = 64  # many chunks, and a short last one (1000 = 15 * 64 + 40)
    gallery.add_many([f"t{row}" for row in range(1000)], vectors)
    for query in random_templates(rng, 10):
        for k in (1, 5, 64, 100):
            assert_same_hits(gallery, vectors, query, k=k)
    # all five nearest templates inside one chunk
    anchor = vectors[130]
    vectors[128:133] = anchor + rng.normal(0, 0.001, size=(5, TEMPLATE_SIZE)).astype(np.float32)
    clustered = TemplateGallery()
    clustered.search_chunk_rows = 64
    clustered.add_many([f"t{row}" for row in range(1000)], vectors)
    assert sorted(hit.key for hit in clustered.search(anchor, k=5)) == [
        f"t{row}" for row in range(128, 133)
    ]


def test_growth_beyond_capacity_keeps_every_template() -> None:
    rng = np.random.default_rng(3)
    gallery = TemplateGallery(capacity=4)
    batches = [random_templates(rng, size) for size in (1, 3, 5, 200, 1, 2000)]
    row = 0
    for batch in batches:
        if len(batch) == 1:
            gallery.add(f"t{row}", batch[0])
        else:
            gallery.add_many([f"t{row + offset}" for offset in range(len(batch))], batch)
        row += len(batch)
    vectors = np.concatenate(batches)
    assert len(gallery) == len(vectors) == 2210
    assert gallery.nbytes >= vectors.nbytes
    for query in random_templates(rng, 5):
        assert_same_hits(gallery, vectors, query, k=5)
    # every template, the first enrolled included, is found at distance zero
    for probe in (0, 1, 4, 9, 2209):
        hit = gallery.search(vectors[probe], k=1)[0]
        assert hit.key == f"t{probe}"
        assert hit.distance == pytest.approx(0.0, abs=1e-3)


def test_k_larger_than_gallery_returns_all_nearest_first() -> None:
    rng = np.random.default_rng(5)
    vectors = random_templates(rng, 3)
    gallery = TemplateGallery()
    gallery.add_many(["a", "b", "c"], vectors)
    hits = gallery.search(vectors[1], k=10)
    assert len(hits) == 3
    assert hits[0].key == "b"
    assert [hit.distance for hit in hits] == sorted(hit.distance for hit in hits)


def test_max_distance_keeps_only_close_hits() -> None:
    rng = np.random.default_rng(7)
    vectors = random_templates(rng, 500)
    gallery = TemplateGallery()
    gallery.add_many([f"t{row}" for row in range(500)], vectors)
    query = random_templates(rng, 1)[0]
    hits = gallery.search(query, k=5)
    between = (hits[1].distance + hits[2].distance) / 2
    close = gallery.search(query, k=5, max_distance=between)
    assert close == hits[:2]
    assert gallery.search(query, k=5, max_distance=hits[0].distance / 2) == []
    assert gallery.search(query, k=5, max_distance=hits[-1].distance) == hits


def test_empty_gallery_and_zero_k_find_nothing() -> None:
    gallery = TemplateGallery()
    query = np.zeros(TEMPLATE_SIZE, dtype=np.float32)
    assert len(gallery) == 0
    assert gallery.search(query) == []
    gallery.add("only", np.ones(TEMPLATE_SIZE, dtype=np.float32))
    assert gallery.search(query, k=0) == []
    assert gallery.search(query, k=1)[0].key == "only"


def test_add_many_needs_one_key_per_vector() -> None:
    gallery = TemplateGallery()
    with pytest.raises(ValueError):
        gallery.add_many(["a", "b"], np.zeros((3, TEMPLATE_SIZE), dtype=np.float32))
    assert len(gallery) == 0


def test_face_distance_is_euclidean() -> None:
    a = np.zeros(TEMPLATE_SIZE, dtype=np.float32)
    b = np.zeros(TEMPLATE_SIZE, dtype=np.float64)
    b[:2] = (0.3, 0.4)
    assert face_distance(a, b) == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("distance", "decision"),
    [
        (0.0, MatchDecision.VERIFIED),
        (0.49, MatchDecision.VERIFIED),
        (0.50, MatchDecision.VERIFIED),
        (0.5001, MatchDecision.MANUAL_REVIEW),
        (0.60, MatchDecision.MANUAL_REVIEW),
        (0.6001, MatchDecision.NOT_VERIFIED),
        (1.2, MatchDecision.NOT_VERIFIED),
    ],
)
def test_decide_bands_with_default_settings(distance: float, decision: MatchDecision) -> None:
    assert decide(distance, FaceMatchSettings()) is decision


def test_decide_follows_the_settings_and_can_skip_review() -> None:
    strict = FaceMatchSettings(verify_max_distance=0.4, review_max_distance=0.45)
    assert decide(0.42, strict) is MatchDecision.MANUAL_REVIEW
    assert decide(0.46, strict) is MatchDecision.NOT_VERIFIED
    no_review = FaceMatchSettings(verify_max_distance=0.5, review_max_distance=0.5)
    assert decide(0.5, no_review) is MatchDecision.VERIFIED
    assert decide(0.51, no_review) is MatchDecision.NOT_VERIFIED
