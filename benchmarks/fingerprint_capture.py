"""Time from "place finger" to the quality verdict, through the R30x driver and the pty simulator.

Each run places a finger, then does handshake (VfyPwd + ReadSysPara), GenImg and UpImage
(36,864 bytes of 4-bit image in data packets), compares that time with the line-rate limit of
the baud rate (10 bits per byte), then judges the image as the kiosk does (quality check) and
extracts its minutiae template as the backend does.

    python benchmarks/fingerprint_capture.py [--baudrate 57600] [--runs 3] [--finger afisA_1]

Prints plain ``key=value`` lines, one per run, then the median as the last line.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Sequence

from biometrics.fingerprint import assess_fingerprint, extract_template
from devices.fingerprint.driver import R30xReader
from devices.fingerprint.simulator import FingerprintSimulator


def measure_capture(
    simulator: FingerprintSimulator, finger: str, baudrate: int
) -> tuple[float, int, float, float, int]:
    """Seconds to the uploaded image, bytes the reader sent, seconds to the quality verdict
    (from the same start), seconds of template extraction, and the quality score."""
    simulator.lift_finger()
    with R30xReader(simulator.port_name, baudrate) as reader:
        written = simulator.bytes_written
        started = time.monotonic()
        simulator.place_finger(finger)
        reader.handshake()
        image = reader.capture_image(deadline_seconds=10)
        elapsed = time.monotonic() - started
        quality = assess_fingerprint(image)
        verdict = time.monotonic() - started
    if image.shape != (288, 256):
        raise RuntimeError(f"unexpected image shape {image.shape}")
    extracting = time.perf_counter()
    extract_template(image)
    template_seconds = time.perf_counter() - extracting
    return elapsed, simulator.bytes_written - written, verdict, template_seconds, quality.score


def report_line(label: str, seconds: float, wire_bytes: int, baudrate: int) -> str:
    line_limit = wire_bytes * 10 / baudrate
    return (
        f"{label} seconds={seconds:.3f} wire_bytes={wire_bytes} baudrate={baudrate} "
        f"line_limit_seconds={line_limit:.3f} ratio_to_limit={seconds / line_limit:.3f}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baudrate", type=int, default=57600)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--finger", default="afisA_1")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.baudrate <= 0:
        parser.error("--runs and --baudrate must be positive")
    results: list[tuple[float, int, float, float, int]] = []
    with FingerprintSimulator(baudrate=args.baudrate) as simulator:
        for run in range(1, args.runs + 1):
            result = measure_capture(simulator, args.finger, args.baudrate)
            results.append(result)
            seconds, wire_bytes, verdict, template, score = result
            line = report_line(f"run={run}", seconds, wire_bytes, args.baudrate)
            print(
                f"{line} verdict_seconds={verdict:.3f} quality={score} "
                f"template_seconds={template:.3f}",
                flush=True,
            )
    median = statistics.median(r[0] for r in results)
    median_verdict = statistics.median(r[2] for r in results)
    median_template = statistics.median(r[3] for r in results)
    print(
        f"{report_line('median', median, results[0][1], args.baudrate)} "
        f"verdict_seconds={median_verdict:.3f} template_seconds={median_template:.3f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
