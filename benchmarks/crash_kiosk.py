"""The kiosk side of the crash-safety benchmark: files cases or drains the outbox, for real.

Uses the kiosk's own outbox, submission service and outbox sync against a real backend, as the
kiosk app does; ``benchmarks/crash_safety.py`` starts it and SIGKILLs it at random moments.

    python benchmarks/crash_kiosk.py submit --outbox P --url U --credential C [--count N]
    python benchmarks/crash_kiosk.py drain --outbox P --url U --credential C

``submit`` prints ``ready`` once set up, then ``ack <submission id> <delivered>`` each time a
case is registered and its receipt would be in the citizen's hand. ``drain`` prints
``drained sent=N backlog=N`` once the outbox is empty (or the time is up).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config.profiles import load_profile
from config.settings import PROJECT_ROOT
from kiosk.backend_client import BackendClient
from kiosk.outbox import Outbox
from kiosk.session import CaseDraft
from kiosk.submission import SubmissionService
from kiosk.sync import OutboxSync

PROFILE = PROJECT_ROOT / "config" / "profiles" / "demo.toml"
TEXT = "Qoʻshnim har kecha yarim tundan keyin baland musiqa qoʻyadi."
DRAIN_SECONDS = 120.0


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def submit(outbox: Outbox, client: BackendClient, count: int) -> None:
    profile = load_profile(PROFILE)
    service = profile.service("mahalla_appeal")
    draft = CaseDraft(
        language="uz_Latn",
        service=service,
        category=service.categories[1],
        text=TEXT,
        phone="+998901234567",
    )
    # No receipt printer: the receipt is on screen, which is when the citizen has been told.
    submissions = SubmissionService(profile, outbox, client, lambda: None)
    _say("ready")
    for _ in range(count):
        outcome = submissions.submit(draft)
        _say(f"ack {outcome.submission_id} {int(outcome.delivered)}")


def drain(outbox: Outbox, client: BackendClient) -> None:
    sync = OutboxSync(outbox, client)
    _say("ready")
    sent = 0
    deadline = time.monotonic() + DRAIN_SECONDS
    while outbox.backlog() and time.monotonic() < deadline:
        sent += sync.sync_once()
        if outbox.backlog():
            time.sleep(0.2)
    _say(f"drained sent={sent} backlog={outbox.backlog()}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["submit", "drain"])
    parser.add_argument("--outbox", type=Path, required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--credential", required=True)
    parser.add_argument("--count", type=int, default=1)
    args = parser.parse_args(argv)
    # Two quick tries while the citizen waits, as the kiosk's interactive client makes.
    attempts = 2 if args.mode == "submit" else 3
    with (
        Outbox(args.outbox) as outbox,
        BackendClient(
            args.url, args.credential, timeout=5.0, max_attempts=attempts, retry_budget=5.0
        ) as client,
    ):
        if args.mode == "submit":
            submit(outbox, client, args.count)
        else:
            drain(outbox, client)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
