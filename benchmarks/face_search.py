"""Latency and memory of one 1:N face search (k=5) over 100k to 1M enrolled templates.

    python benchmarks/face_search.py [--sizes 100000,1000000] [--queries 20]
                                     [--naive-queries 5] [--threads 1,2]

Side by side over the same templates and queries: (a) TemplateGallery.search, (b) the naive
face_recognition.face_distance over the whole gallery then a full argsort, (c) FAISS
IndexFlatL2 when faiss is installed. Prints p50/p95/max milliseconds per method and size, the
bytes each structure holds, the process RSS growth while building it, the scratch memory one
search allocates, and whether the methods agree on the nearest templates. The naive method
takes seconds per search at 1M, so it is timed on the first ``--naive-queries`` queries only.

Templates are synthetic but shaped like face encodings: the real encodings of the shared
photos (norm about 1.42, not 1) plus Gaussian noise per component, rescaled to norms drawn
from the real ones. Queries are enrolled templates moved by a genuine-pair distance (~0.4).
BLAS and OpenMP fix their thread count when they load, so each thread count runs in its own
child process with OPENBLAS_NUM_THREADS / OMP_NUM_THREADS set.
"""

from __future__ import annotations

import argparse
import gc
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from biometrics.face.encoding import FaceRefused, decode_image, encode_portrait
from biometrics.face.matching import TemplateGallery
from biometrics.face.models import face_recognition_module
from config.face import FaceMatchSettings
from config.settings import PROJECT_ROOT

PHOTOS = PROJECT_ROOT.parent / "shared" / "data" / "faces" / "people"
K = 5
TARGET_MS = 100.0
# Two synthetic people grown from the same photo end up ~0.72 apart (0.045 * sqrt(2 * 128)),
# like the closest real impostor pairs; a query moves ~0.4 from its template, like a genuine
# pair of photos.
IDENTITY_SPREAD = 0.045
QUERY_SPREAD = 0.035
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
MB = 1024 * 1024
POOL_SETTLE_SECONDS = 0.5  # longer than OpenBLAS / OpenMP workers spin after their last call


def positive_ints(text: str) -> list[int]:
    try:
        values = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError as invalid:
        message = f"not a comma-separated list of integers: {text}"
        raise argparse.ArgumentTypeError(message) from invalid
    if not values or min(values) <= 0:
        raise argparse.ArgumentTypeError(f"needs positive integers: {text}")
    return values


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=positive_ints, default=[100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=20)
    parser.add_argument(
        "--naive-queries",
        type=int,
        default=5,
        help="queries timed for the naive method (seconds per search at 1M)",
    )
    parser.add_argument("--threads", type=positive_ints, default=[1, 2], help="e.g. 1,2")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--encodings", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.queries <= 0 or args.naive_queries <= 0:
        parser.error("--queries and --naive-queries must be positive")
    return args


def process_status_bytes(field_name: str) -> int:
    """A memory figure of this process (VmRSS, VmHWM...) from /proc/self/status, in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field_name}:"):
            return int(line.split()[1]) * 1024
    return 0


def rss_bytes() -> int:
    return process_status_bytes("VmRSS")


def real_encodings() -> np.ndarray:
    """The encodings of the shared photos, through the backend's pipeline."""
    settings = FaceMatchSettings()
    vectors = []
    for path in sorted(PHOTOS.iterdir()):
        try:
            template = encode_portrait(decode_image(path.read_bytes()), settings)
        except FaceRefused:
            continue
        vectors.append(template.vector)
    return np.stack(vectors).astype(np.float32)


def synthetic_templates(real: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` encodings grown from the real ones, with the real norms."""
    norms = np.linalg.norm(real, axis=1)
    out = np.empty((count, real.shape[1]), dtype=np.float32)
    step = 100_000
    for start in range(0, count, step):
        stop = min(start + step, count)
        block = real[rng.integers(0, len(real), stop - start)]
        block += IDENTITY_SPREAD * rng.standard_normal(block.shape, dtype=np.float32)
        wanted = rng.normal(norms.mean(), norms.std(), stop - start).astype(np.float32)
        block *= (wanted / np.linalg.norm(block, axis=1))[:, None]
        out[start:stop] = block
    return out


def genuine_queries(
    templates: np.ndarray, sources: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Each source template moved by about a genuine-pair distance, keeping its norm."""
    chosen = templates[sources]
    moved = chosen + QUERY_SPREAD * rng.standard_normal(chosen.shape, dtype=np.float32)
    moved *= (np.linalg.norm(chosen, axis=1) / np.linalg.norm(moved, axis=1))[:, None]
    return moved.astype(np.float32)


Search = Callable[[np.ndarray], list[int]]


@dataclass
class Method:
    """One way to search: its structure, a search over it, and what was measured."""

    name: str
    search: Search
    structure_bytes: int
    rss_growth_bytes: int
    query_limit: int
    traced: bool = True
    times_ms: list[float] = field(default_factory=list)
    top: list[list[int]] = field(default_factory=list)
    scratch_bytes: int | None = None

    def percentile(self, q: float) -> float:
        return float(np.percentile(self.times_ms, q))


def built(
    name: str,
    build: Callable[[np.ndarray], tuple[Search, int]],
    templates: np.ndarray,
    **options: int | bool,
) -> Method:
    """Build a structure, noting its bytes and how much the process grew meanwhile."""
    gc.collect()
    before = rss_bytes()
    search, structure_bytes = build(templates)
    return Method(name, search, structure_bytes, rss_bytes() - before, **options)


def build_gallery(templates: np.ndarray) -> tuple[Search, int]:
    gallery = TemplateGallery()
    gallery.add_many([f"t{row}" for row in range(len(templates))], templates)
    return (lambda query: [int(hit.key[1:]) for hit in gallery.search(query, k=K)]), gallery.nbytes


def build_naive(templates: np.ndarray) -> tuple[Search, int]:
    """face_recognition's own way: float64 encodings, every distance, a full sort."""
    face_recognition = face_recognition_module()
    known = templates.astype(np.float64)

    def search(query: np.ndarray) -> list[int]:
        distances = face_recognition.face_distance(known, query.astype(np.float64))
        return np.argsort(distances)[:K].tolist()

    return search, known.nbytes


def build_faiss(templates: np.ndarray) -> tuple[Search, int]:
    import faiss

    index = faiss.IndexFlatL2(templates.shape[1])
    index.add(np.ascontiguousarray(templates))

    def search(query: np.ndarray) -> list[int]:
        _, rows = index.search(query.reshape(1, -1), K)
        return rows[0].tolist()

    return search, int(index.codes.size())


def faiss_installed() -> bool:
    try:
        import faiss  # noqa: F401
    except ImportError:
        return False
    return True


def time_searches(methods: list[Method], queries: np.ndarray) -> None:
    """Each method's queries back to back, after a pause and a warm-up search.

    OpenBLAS and OpenMP (faiss) workers keep spinning for a while after each call; run in turn
    query by query, the two pools fight over the cores and slow each other down several times.
    """
    for method in methods:
        time.sleep(POOL_SETTLE_SECONDS)
        method.search(queries[0])  # first touch of pages and thread pools
        for query in queries[: method.query_limit]:
            start = time.perf_counter_ns()
            method.top.append(method.search(query))
            method.times_ms.append((time.perf_counter_ns() - start) / 1e6)
        if method.traced:
            tracemalloc.start()
            tracemalloc.reset_peak()
            method.search(queries[0])
            method.scratch_bytes = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()


def print_size(count: int, results: list[Method], sources: np.ndarray) -> None:
    print(f"\nN={count:,} templates")
    print(
        f"  {'method':<32} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} "
        f"{'struct MB':>10} {'RSS +MB':>8} {'scratch MB':>11}"
    )
    for result in results:
        scratch = "n/a" if result.scratch_bytes is None else f"{result.scratch_bytes / MB:.1f}"
        print(
            f"  {result.name:<32} {result.percentile(50):8.2f} {result.percentile(95):8.2f} "
            f"{max(result.times_ms):8.2f} {result.structure_bytes / MB:10.1f} "
            f"{result.rss_growth_bytes / MB:8.1f} {scratch:>11}"
        )
    gallery, others = results[0], results[1:]
    found = sum(top[0] == source for top, source in zip(gallery.top, sources, strict=True))
    print(f"  {gallery.name} top-1 is the query's source template: {found}/{len(sources)}")
    for other in others:
        pairs = list(zip(gallery.top, other.top, strict=False))
        first = sum(mine[0] == theirs[0] for mine, theirs in pairs)
        five = sum(mine == theirs for mine, theirs in pairs)
        print(
            f"  {other.name} vs {gallery.name}: top-1 same {first}/{len(pairs)}, "
            f"top-5 lists same {five}/{len(pairs)}"
        )


def measure_size(
    templates: np.ndarray, queries: np.ndarray, args: argparse.Namespace
) -> list[Method]:
    """Every method built over ``templates`` and timed on the same queries."""
    every_query = args.queries
    methods = [built("TemplateGallery.search", build_gallery, templates, query_limit=every_query)]
    methods.append(
        built(
            "face_recognition.face_distance",
            build_naive,
            templates,
            query_limit=args.naive_queries,
        )
    )
    if faiss_installed():
        # faiss allocates in C++, out of tracemalloc's sight
        methods.append(
            built(
                "faiss IndexFlatL2", build_faiss, templates, query_limit=every_query, traced=False
            )
        )
    else:
        print("faiss: not installed")
    time_searches(methods, queries)
    return methods


def run_benchmark(args: argparse.Namespace) -> int:
    """One thread count, set by the parent through the environment."""
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"=== BLAS/OpenMP threads: {threads} (of {os.cpu_count()} CPUs), k={K}, "
        f"load average {load} ==="
    )
    face_recognition_module()  # its dlib models load here, not inside a measured build
    real = np.load(args.encodings)
    rng = np.random.default_rng(args.seed)
    started = time.perf_counter()
    templates = synthetic_templates(real, max(args.sizes), rng)
    sources = rng.integers(0, min(args.sizes), args.queries)
    queries = genuine_queries(templates, sources, rng)
    moved = float(np.mean(np.linalg.norm(queries - templates[sources], axis=1)))
    print(
        f"{len(templates):,} synthetic templates in {time.perf_counter() - started:.1f} s; "
        f"{args.queries} queries, on average {moved:.2f} from their source template"
    )
    summary = []
    for count in args.sizes:
        results = measure_size(templates[:count], queries, args)
        print_size(count, results, sources)
        gallery = results[0]
        verdict = "met" if gallery.percentile(95) < TARGET_MS else "missed"
        summary.append(
            f"threads={threads} size={count} gallery_p50_ms={gallery.percentile(50):.1f} "
            f"gallery_p95_ms={gallery.percentile(95):.1f} target_{TARGET_MS:.0f}ms_p95={verdict}"
        )
        del results, gallery  # frees the structures before the next size is built
        gc.collect()
    print(f"\npeak RSS of this run: {process_status_bytes('VmHWM') / MB:.0f} MB")
    for line in summary:
        print(line)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.encodings is not None:
        return run_benchmark(args)
    started = time.perf_counter()
    real = real_encodings()
    norms = np.linalg.norm(real, axis=1)
    print(
        f"{len(real)} real encodings from {PHOTOS}: norm {norms.mean():.3f} ± {norms.std():.3f}, "
        f"per-component std across photos {real.std(axis=0).mean():.3f}"
    )
    status = 0
    with tempfile.TemporaryDirectory() as folder:
        encodings = Path(folder) / "real.npy"
        np.save(encodings, real)
        for count in args.threads:
            env = dict(os.environ, **{name: str(count) for name in THREAD_VARIABLES})
            command = [sys.executable, __file__, "--encodings", str(encodings)]
            command += ["--sizes", ",".join(map(str, args.sizes))]
            command += ["--queries", str(args.queries), "--seed", str(args.seed)]
            command += ["--naive-queries", str(args.naive_queries)]
            sys.stdout.flush()
            status = max(status, subprocess.run(command, env=env, check=False).returncode)
    print(f"\ntotal run time {time.perf_counter() - started:.0f} s")
    return status


if __name__ == "__main__":
    sys.exit(main())
