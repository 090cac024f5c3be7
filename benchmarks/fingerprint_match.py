"""Fingerprint quality and minutiae matching over a folder of images ``<finger>_<n>.<ext>``.

Every image is assessed and its template extracted once; every pair of images is scored, same
finger pairs as genuine and the rest as impostors, and the errors are counted at the matcher's
threshold. ``--sensor`` first fits each image as the R307 reader sees it (centre crop to 288 rows
by 256 columns at native resolution, 4-bit grey); ``--negative DIR`` also reports the quality
verdict of the images there, which should all be refused. ``--rotate DEG`` is a stress test: the
second image of every genuine pair is turned by DEG degrees about its centre and shifted by
(12, -9) pixels before the reader's fit, as a finger placed askew; impostor pairs are unchanged.

    python benchmarks/fingerprint_match.py FOLDER [--sensor] [--negative DIR] [--threshold X]
        [--rotate DEG]

The last line printed is ``false_accepts=N false_rejects=N genuine=N impostor=N threshold=X``.
Exit code 0 after a run, 2 for bad arguments (not a folder, no images).
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from biometrics.fingerprint import (
    FingerprintMatcher,
    FingerprintTemplate,
    assess_fingerprint,
    extract_template,
    prepare_template,
)
from biometrics.fingerprint.image import to_grey
from config.fingerprint import FingerprintMatchSettings
from devices.fingerprint import protocol
from devices.fingerprint.finger_images import fit_to_sensor

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff"}
THROUGHPUT_SECONDS = 1.0
STRESS_SHIFT = (12, -9)  # pixels right and down added to the --rotate turn


def images_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)


def sensor_fit(grey: np.ndarray) -> np.ndarray:
    """What the reader gives: the simulator's crop to 288x256, then the wire's 16 grey levels."""
    return protocol.quantise(fit_to_sensor(grey))


def turned_and_shifted(grey: np.ndarray, degrees: float) -> np.ndarray:
    """``grey`` turned about its centre and moved by STRESS_SHIFT, white where uncovered."""
    height, width = grey.shape
    transform = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    transform[:, 2] += STRESS_SHIFT
    return cv2.warpAffine(grey, transform, (width, height), borderValue=255)


def load(path: Path, sensor: bool, rotate: float | None = None) -> np.ndarray:
    image = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if image is None:
        raise SystemExit(f"cannot read {path}")
    grey = to_grey(image)
    if rotate is not None:
        grey = turned_and_shifted(grey, rotate)
    return sensor_fit(grey) if sensor else grey


def finger_of(path: Path) -> str:
    return path.stem.rsplit("_", 1)[0]


def report_quality(name: str, grey: np.ndarray) -> bool:
    quality = assess_fingerprint(grey)
    f = quality.features
    verdict = "accepted" if quality.acceptable else ",".join(quality.issues)
    period = 1 / f.ridge_frequency if f.ridge_frequency else 0.0
    print(
        f"  {name:28s} {grey.shape[1]}x{grey.shape[0]} score={quality.score:3d} {verdict:20s} "
        f"foreground={f.foreground_share:.2f} ridges={f.ridge_share:.2f} "
        f"likeness={f.ridge_likeness:.2f} contrast={f.contrast:.0f} "
        f"coherence={f.coherence:.2f} period={period:.1f}"
    )
    return quality.acceptable


def throughput(
    templates: list[FingerprintTemplate], settings: FingerprintMatchSettings, prepared: bool
) -> float:
    """Comparisons per second of prepared matchers against every template, the candidates
    given as templates or (as a gallery keeps them) prepared once beforehand."""
    matchers = [FingerprintMatcher(t, settings) for t in templates]
    candidates = [prepare_template(t, settings) for t in templates] if prepared else templates
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < THROUGHPUT_SECONDS:
        for matcher in matchers:
            for candidate in candidates:
                matcher.score(candidate)
                count += 1
    return count / (time.perf_counter() - start)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="images named <finger>_<n>.<ext>")
    parser.add_argument("--sensor", action="store_true", help="fit images like the R307 reader")
    parser.add_argument("--negative", type=Path, help="folder of images that are no fingerprints")
    parser.add_argument("--threshold", type=float, help="match threshold (default: settings)")
    parser.add_argument(
        "--rotate", type=float, metavar="DEG", help="turn and shift each genuine pair's second"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.folder.is_dir() or (args.negative and not args.negative.is_dir()):
        print("not a folder", file=sys.stderr)
        return 2
    paths = images_in(args.folder)
    if len(paths) < 2:
        print(f"fewer than two images in {args.folder}", file=sys.stderr)
        return 2
    settings = FingerprintMatchSettings()
    if args.threshold is not None:
        settings = settings.model_copy(update={"threshold": args.threshold})

    print(f"quality and extraction ({'sensor-fitted' if args.sensor else 'as stored'}):")
    templates: dict[str, FingerprintTemplate] = {}
    extraction_ms = []
    for path in paths:
        grey = load(path, args.sensor)
        report_quality(path.name, grey)
        start = time.perf_counter()
        templates[path.stem] = extract_template(grey)
        extraction_ms.append((time.perf_counter() - start) * 1000)
        print(
            f"    minutiae={len(templates[path.stem].minutiae)} "
            f"extract_ms={extraction_ms[-1]:.0f} bytes={len(templates[path.stem].to_bytes())}"
        )

    if args.negative:
        print("negative images (all should be refused):")
        negatives = images_in(args.negative)
        accepted = sum(report_quality(p.name, load(p, args.sensor)) for p in negatives)
        print(f"negatives_accepted={accepted} of {len(negatives)}")

    moved: dict[str, FingerprintTemplate] = {}
    if args.rotate is not None:
        print(f"turned by {args.rotate:g} degrees and shifted by {STRESS_SHIFT}:")
        for path in paths:
            moved[path.stem] = extract_template(load(path, args.sensor, args.rotate))
            print(f"  {path.name:28s} minutiae={len(moved[path.stem].minutiae)}")

    print("pairs:")
    genuine, impostor = [], []
    for first, second in itertools.combinations(paths, 2):
        same = finger_of(first) == finger_of(second)
        candidate = moved[second.stem] if same and moved else templates[second.stem]
        score = FingerprintMatcher(templates[first.stem], settings).score(candidate)
        (genuine if same else impostor).append(score)
        print(
            f"  {'genuine ' if same else 'impostor'} {first.stem:14s} {second.stem:14s} {score:.4f}"
        )

    lowest = min(genuine, default=float("nan"))
    highest = max(impostor, default=float("nan"))
    ratio = lowest / highest if highest > 0 else float("inf")
    print(
        f"lowest_genuine={lowest:.4f} highest_impostor={highest:.4f} "
        f"margin={lowest - highest:.4f} ratio={ratio:.2f}"
    )
    rate = throughput(list(templates.values()), settings, prepared=False)
    prepared_rate = throughput(list(templates.values()), settings, prepared=True)
    print(
        f"comparisons_per_second={rate:.0f} prepared_comparisons_per_second={prepared_rate:.0f} "
        "(one thread, templates pre-extracted)"
    )
    print(
        f"extract_ms_mean={np.mean(extraction_ms):.0f} extract_ms_max={np.max(extraction_ms):.0f}"
    )
    false_accepts = sum(score >= settings.threshold for score in impostor)
    false_rejects = sum(score < settings.threshold for score in genuine)
    print(
        f"false_accepts={false_accepts} false_rejects={false_rejects} "
        f"genuine={len(genuine)} impostor={len(impostor)} threshold={settings.threshold:g}"
    )
    return 0


if __name__ == "__main__":
    cv2.setNumThreads(1)
    sys.exit(main())
