"""Command line for the fingerprint reader simulator: python -m devices.fingerprint.run_..."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from devices.fingerprint.simulator import run_fingerprint_simulator


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Simulated R30x fingerprint reader on a pty.")
    parser.add_argument("--control-port", type=int, default=0, help="TCP port, 0 picks one")
    parser.add_argument("--link", default=None, help="symlink path pointing at the pty")
    parser.add_argument("--baudrate", type=int, default=57600)
    parser.add_argument(
        "--auto-fingers",
        action="store_true",
        help="present a finger by itself after a short wait, and lift it once read (demo)",
    )
    args = parser.parse_args(argv)
    run_fingerprint_simulator(args.control_port, args.link, args.baudrate, args.auto_fingers)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
