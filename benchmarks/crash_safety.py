"""Crash safety of filing: SIGKILL the kiosk mid-submission, then count lost and doubled cases.

Runs the real backend (uvicorn in its own process, SQLite in a temporary directory) and, for
each trial, a kiosk process (``benchmarks/crash_kiosk.py``: the real outbox, submission service
and sync) that files one case and is SIGKILLed at a random moment of it. A fresh kiosk process
then drains the outbox. Second part: the backend is stopped while 100 cases queue in the outbox,
then started again; a drain process is SIGKILLed once part-way and a fresh one finishes.

A case is *lost* when it was acknowledged to the citizen (its receipt shown) or stored in the
outbox and never became a backend case; *duplicated* when a submission id has more than one
backend case. Other figures first; the last line is ``trials=N lost=N duplicates=N``, totals of
both parts.

    python benchmarks/crash_safety.py [--trials 100] [--queue 100] [--seed 1]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select

from backend.commands import register_kiosk_command
from backend.db import Database
from backend.models import Case
from config.profiles import load_profile
from config.settings import PROJECT_ROOT, BackendSettings

KIOSK_SCRIPT = Path(__file__).resolve().parent / "crash_kiosk.py"
PROFILE = PROJECT_ROOT / "config" / "profiles" / "demo.toml"
STARTUP_SECONDS = 30.0
CALIBRATION_RUNS = 3


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Station:
    """The backend's database and settings, and the kiosk's outbox and credential."""

    work: Path
    database_url: str
    credential: str
    outbox: Path
    acknowledged: set[str] = field(default_factory=set)

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "PYTHONPATH": str(PROJECT_ROOT),
            "STATION_DATABASE_URL": self.database_url,
            "STATION_VAR_DIR": str(self.work / "backend"),
            "STATION_SECRET_KEY": "crash-safety-benchmark",
            "STATION_PUBLIC_BASE_URL": "https://status.example.uz",
        }


@contextlib.contextmanager
def backend_process(station: Station) -> Iterator[str]:
    """The backend served by uvicorn in a process of its own; its base URL once it answers."""
    port = free_port()
    log = (station.work / "backend.log").open("a")
    command = [sys.executable, "-m", "cli.main", "server", "--host", "127.0.0.1"]
    process = subprocess.Popen(
        [*command, "--port", str(port)],
        cwd=PROJECT_ROOT,
        env=station.env(),
        stdout=log,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the backend did not start; see {station.work / 'backend.log'}")
            try:
                httpx.get(f"{url}/health", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def kiosk_process(station: Station, mode: str, url: str, count: int = 1) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            str(KIOSK_SCRIPT),
            mode,
            "--outbox",
            str(station.outbox),
            "--url",
            url,
            "--credential",
            station.credential,
            "--count",
            str(count),
        ],
        cwd=PROJECT_ROOT,
        env=station.env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def wait_ready(process: subprocess.Popen[str]) -> None:
    assert process.stdout is not None
    line = process.stdout.readline()
    if line.strip() != "ready":
        process.kill()
        process.wait()
        raise SystemExit(f"the kiosk process did not start (said {line!r})")


def finish(station: Station, process: subprocess.Popen[str], kill_after: float | None) -> bool:
    """Let the ready kiosk run (SIGKILL it after ``kill_after`` s); True if it was killed."""
    killed = False
    if kill_after is not None:
        try:
            process.wait(timeout=kill_after)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            killed = True
    output, _ = process.communicate(timeout=300)
    for line in output.splitlines():
        if line.startswith("ack "):
            station.acknowledged.add(line.split()[1])
    return killed


def run_submission(station: Station, url: str, kill_after: float | None, count: int = 1) -> bool:
    process = kiosk_process(station, "submit", url, count)
    wait_ready(process)
    return finish(station, process, kill_after)


def drain(station: Station, url: str, kill_after: float | None = None) -> bool:
    process = kiosk_process(station, "drain", url)
    wait_ready(process)
    return finish(station, process, kill_after)


def outbox_states(station: Station) -> dict[str, str]:
    """Every submission the outbox holds and its state."""
    if not station.outbox.exists():
        return {}
    with contextlib.closing(sqlite3.connect(station.outbox)) as db:
        return dict(db.execute("SELECT submission_id, state FROM submissions").fetchall())


def queued_ids(station: Station) -> set[str]:
    return set(outbox_states(station))


def outbox_backlog(station: Station) -> int:
    with contextlib.closing(sqlite3.connect(station.outbox)) as db:
        return int(
            db.execute("SELECT count(*) FROM submissions WHERE state = 'pending'").fetchone()[0]
        )


def backend_cases(station: Station) -> dict[str, int]:
    """Backend cases per submission id."""
    database = Database(station.database_url)
    try:
        with database.reading() as session:
            rows = session.execute(
                select(Case.submission_id, func.count()).group_by(Case.submission_id)
            ).all()
    finally:
        database.dispose()
    return {str(submission_id): int(count) for submission_id, count in rows}


def count_outcome(station: Station, ids: set[str]) -> tuple[int, int]:
    """Lost and duplicated among ``ids``."""
    cases = backend_cases(station)
    lost = sum(1 for key in ids if key not in cases)
    duplicates = sum(cases[key] - 1 for key in ids if cases.get(key, 0) > 1)
    return lost, duplicates


def make_station(work: Path) -> Station:
    database_url = f"sqlite:///{work / 'station.db'}"
    settings = BackendSettings(var_dir=work / "backend", database_url=database_url)
    kiosk = load_profile(PROFILE).kiosk
    credential = register_kiosk_command(settings, kiosk.code, kiosk.name, kiosk.office)
    return Station(work, database_url, credential, work / "kiosk" / "outbox.db")


def crash_trials(station: Station, trials: int, rng: random.Random) -> tuple[int, int]:
    """File one case per trial, SIGKILLed at a random moment; drain; lost and duplicated."""
    with backend_process(station) as url:
        durations = []
        for _ in range(CALIBRATION_RUNS):
            process = kiosk_process(station, "submit", url)
            wait_ready(process)
            began = time.monotonic()
            assert process.stdout is not None
            station.acknowledged.add(process.stdout.readline().split()[1])
            durations.append(time.monotonic() - began)
            finish(station, process, None)
        # From ready to the receipt, and a little past it: the kills fall anywhere in it.
        window = 1.1 * statistics.median(durations)
        before = len(station.acknowledged)
        phases: Counter[str] = Counter()
        for _ in range(trials):
            known = outbox_states(station)
            acked = set(station.acknowledged)
            if not run_submission(station, url, rng.uniform(0, window)):
                phases["not_killed"] += 1
                continue
            new = {k: v for k, v in outbox_states(station).items() if k not in known}
            if not new:
                phases["killed_before_outbox"] += 1
            elif station.acknowledged - acked:
                phases["killed_after_ack"] += 1
            else:
                (state,) = new.values()
                phases[f"killed_{state}_before_ack"] += 1
        acknowledged = len(station.acknowledged) - before
        queued = queued_ids(station)
        pending = outbox_backlog(station)
        drain(station, url)
        print(" ".join(f"{phase}={phases[phase]}" for phase in sorted(phases)))
        print(
            f"crash_window_seconds={window:.3f} acknowledged={acknowledged} "
            f"in_outbox={len(queued)} pending_before_drain={pending} "
            f"pending_after_drain={outbox_backlog(station)}"
        )
    lost, duplicates = count_outcome(station, queued | station.acknowledged)
    orphans = len(set(backend_cases(station)) - queued)
    print(f"crash_lost={lost} crash_duplicates={duplicates} backend_cases_not_in_outbox={orphans}")
    return lost, duplicates


def queue_while_down(station: Station, count: int, rng: random.Random) -> tuple[int, int]:
    """Queue ``count`` cases with the backend down, bring it back, drain (killed once)."""
    before = set(station.acknowledged)
    run_submission(station, f"http://127.0.0.1:{free_port()}", None, count)
    filed = station.acknowledged - before
    pending = outbox_backlog(station)
    with backend_process(station) as url:
        began = time.monotonic()
        interrupted = drain(station, url, kill_after=rng.uniform(0.5, 1.5))
        drain(station, url)
        seconds = time.monotonic() - began
    lost, duplicates = count_outcome(station, filed)
    print(
        f"queue_filed={len(filed)} queue_pending_while_down={pending} "
        f"queue_drain_interrupted={int(interrupted)} queue_synced={len(filed) - lost} "
        f"queue_lost={lost} queue_duplicates={duplicates} queue_drain_seconds={seconds:.1f}"
    )
    return lost, duplicates


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--queue", type=int, default=100, help="cases queued while down")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="crash-safety-") as tmp:
        work = Path(tmp)
        station = make_station(work)
        lost, duplicates = crash_trials(station, args.trials, rng)
        queue_lost, queue_duplicates = queue_while_down(station, args.queue, rng)
    print(
        f"trials={args.trials} lost={lost + queue_lost} duplicates={duplicates + queue_duplicates}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
