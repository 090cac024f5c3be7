"""Filing survives the kiosk being SIGKILLed at any moment, and a backend outage: the short run
of ``benchmarks/crash_safety.py`` against the real backend and kiosk code."""

from __future__ import annotations

import os
import subprocess
import sys

from config.settings import PROJECT_ROOT

BENCHMARK = PROJECT_ROOT / "benchmarks" / "crash_safety.py"


def test_killed_filings_and_an_outage_lose_and_double_nothing() -> None:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    run = subprocess.run(
        [sys.executable, str(BENCHMARK), "--trials", "5", "--queue", "10", "--seed", "7"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    lines = run.stdout.strip().splitlines()

    assert lines[-1] == "trials=5 lost=0 duplicates=0", run.stdout
    figures = dict(pair.split("=") for line in lines for pair in line.split())
    assert figures["queue_filed"] == "10" and figures["queue_synced"] == "10"
    assert figures["pending_after_drain"] == "0"
    assert figures["backend_cases_not_in_outbox"] == "0"
