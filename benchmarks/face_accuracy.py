"""Face verification accuracy over a folder of photos named ``<person>_<n>.<ext>``.

Every photo is encoded once with the backend's pipeline (decode_image + encode_portrait), every
pair of photos is decided with decide(), and the errors are counted at the verify threshold:
only VERIFIED accepts, so a genuine pair sent to manual review is a false reject.

    python benchmarks/face_accuracy.py FOLDER [--jitters N] [--verify X] [--review Y]

The last line printed is ``false_accepts=N false_rejects=N genuine=N impostor=N threshold=X``.
Exit code 0 after a run, 2 for bad arguments (not a folder, no photos, invalid thresholds).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from biometrics.face.evaluation import (
    AccuracyReport,
    EncodedPhoto,
    PairOutcome,
    encode_photo,
    evaluate,
    format_threshold,
)
from biometrics.face.models import face_recognition_module
from config.face import FaceMatchSettings

PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png"}
HARDEST_SHOWN = 5


def photos_in(folder: Path) -> list[Path]:
    """JPEG and PNG files directly in ``folder``, by name."""
    return sorted(
        (path for path in folder.iterdir() if path.suffix.lower() in PHOTO_SUFFIXES),
        key=lambda path: path.name,
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="photos named <person>_<n>.jpg|jpeg|png")
    parser.add_argument("--jitters", type=int, help="re-samples per encoding (num_jitters)")
    parser.add_argument("--verify", type=float, help="verify_max_distance")
    parser.add_argument("--review", type=float, help="review_max_distance")
    return parser.parse_args(argv)


def settings_from(args: argparse.Namespace) -> FaceMatchSettings:
    """The default settings with the given overrides; a review line follows a raised verify."""
    overrides: dict[str, float | int] = {}
    if args.jitters is not None:
        overrides["num_jitters"] = args.jitters
    if args.verify is not None:
        overrides["verify_max_distance"] = args.verify
    if args.review is not None:
        overrides["review_max_distance"] = args.review
    elif args.verify is not None:
        default_review = FaceMatchSettings().review_max_distance
        overrides["review_max_distance"] = max(default_review, args.verify)
    return FaceMatchSettings(**overrides)


def print_photos(photos: Sequence[EncodedPhoto]) -> None:
    name_width = max(12, *(len(photo.name) for photo in photos))
    person_width = max(8, *(len(photo.person) for photo in photos))
    print(
        f"{'photo':<{name_width}} {'person':<{person_width}} {'eyes px':>8} {'seconds':>8}  result"
    )
    for photo in photos:
        eyes = f"{photo.template.inter_eye_px:8.1f}" if photo.template else f"{'-':>8}"
        result = "encoded" if photo.template else f"REFUSED {photo.detail}"
        print(
            f"{photo.name:<{name_width}} {photo.person:<{person_width}} {eyes} "
            f"{photo.seconds:8.2f}  {result}"
        )
    total = sum(photo.seconds for photo in photos)
    print(f"{len(photos)} photos encoded in {total:.1f} s ({total / len(photos):.2f} s per photo)")
    refused = [photo for photo in photos if photo.template is None]
    print(f"refused photos: {len(refused)}")
    for photo in refused:
        print(f"  {photo.name}: {photo.detail}")


def print_pairs(title: str, pairs: Sequence[PairOutcome]) -> None:
    print(title)
    if not pairs:
        print("  (none)")
    width = max([24] + [len(pair.first) for pair in pairs] + [len(pair.second) for pair in pairs])
    for pair in pairs:
        distance = "refused" if pair.distance is None else f"{pair.distance:.3f}"
        print(
            f"  {pair.first:<{width}} {pair.second:<{width}} {distance:>8}  {pair.decision.value}"
        )


def print_report(report: AccuracyReport, settings: FaceMatchSettings) -> None:
    genuine, impostor = report.genuine_pairs, report.impostor_pairs
    print(
        f"\nthresholds: verify <= {format_threshold(settings.verify_max_distance)}, "
        f"review <= {format_threshold(settings.review_max_distance)}, "
        f"num_jitters={settings.num_jitters}"
    )
    print(f"pairs: {len(genuine)} genuine, {len(impostor)} impostor")
    print_pairs(
        f"\nhardest genuine pairs (largest distance, {HARDEST_SHOWN} shown):",
        report.hardest_genuine(HARDEST_SHOWN),
    )
    print_pairs(
        f"\nhardest impostor pairs (smallest distance, {HARDEST_SHOWN} shown):",
        report.hardest_impostor(HARDEST_SHOWN),
    )
    print_pairs("\ngenuine pairs sent to manual review:", report.in_review(genuine=True))
    print_pairs("\nimpostor pairs sent to manual review:", report.in_review(genuine=False))
    refused_genuine = report.refused(genuine=True)
    if refused_genuine:
        print_pairs("\ngenuine pairs with a refused photo (false rejects):", refused_genuine)
    print(
        f"\nmanual review: {len(report.in_review(genuine=True))} genuine, "
        f"{len(report.in_review(genuine=False))} impostor (counted as not accepted)"
    )
    print(
        f"refused-photo pairs: {len(refused_genuine)} genuine, "
        f"{len(report.refused(genuine=False))} impostor"
    )
    fnmr, fmr = report.false_non_match_rate, report.false_match_rate
    print(
        "false non-match rate: "
        + (f"{fnmr:.2%} ({report.false_rejects}/{len(genuine)})" if fnmr is not None else "n/a")
    )
    print(
        "false match rate: "
        + (f"{fmr:.2%} ({report.false_accepts}/{len(impostor)})" if fmr is not None else "n/a")
    )
    threshold = report.threshold
    shown = format_threshold(threshold)
    if report.impostor_margin is not None:
        closest = report.hardest_impostor(1)[0].distance
        print(
            f"impostor margin: smallest impostor distance {closest:.3f} - verify {shown} "
            f"= {report.impostor_margin:+.3f}"
        )
    else:
        print("impostor margin: n/a (no scored impostor pair)")
    largest = report.largest_verified_genuine
    if largest is not None:
        print(
            f"genuine margin: verify {shown} - largest verified genuine distance "
            f"{largest:.3f} = {threshold - largest:+.3f}"
        )
    else:
        print("genuine margin: n/a (no verified genuine pair)")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        settings = settings_from(args)
    except ValidationError as invalid:
        print(f"invalid settings: {invalid}", file=sys.stderr)
        return 2
    if not args.folder.is_dir():
        print(f"not a folder: {args.folder}", file=sys.stderr)
        return 2
    paths = photos_in(args.folder)
    if not paths:
        print(f"no .jpg, .jpeg or .png photos in {args.folder}", file=sys.stderr)
        return 2
    face_recognition_module()  # loads the dlib models, so the first photo's time is its own
    photos = [encode_photo(path.stem, path.read_bytes(), settings) for path in paths]
    print_photos(photos)
    report = evaluate(photos, settings)
    print_report(report, settings)
    print(report.summary_line())
    return 0


if __name__ == "__main__":
    sys.exit(main())
