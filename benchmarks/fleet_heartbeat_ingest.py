"""Heartbeats from a whole fleet against one real backend process: throughput and latency.

Registers N kiosks, starts the backend as its own process (``station server``, one uvicorn
worker), then sends each kiosk's heartbeat every interval from asyncio + httpx, the kiosks'
start times spread evenly over the first interval, as a fleet in steady state sends them. Each
heartbeat reports four devices, as a real kiosk's does; every tenth kiosk reports its paper near
the end, so alerts are opened too.

    python benchmarks/fleet_heartbeat_ingest.py [--kiosks 1000] [--interval 15] [--seconds 60]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

SQLite (a temporary file) by default. With ``--database-url`` the run gets a database of its
own, created next to the one named and dropped afterwards, so nothing is left behind.
Prints the offered and sustained requests/s, p50/p95/p99 latency and errors.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import create_engine, make_url, text

from backend.db import Database
from backend.migrate import upgrade_database
from backend.services.kiosks import register_kiosk
from config.settings import PROJECT_ROOT

KIOSK_CODE_DIGITS = 4
STARTUP_SECONDS = 30.0
AUDIT_KEY = "fleet-heartbeat-ingest-benchmark-audit-key"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def own_database(url: str | None, work: Path) -> Iterator[str]:
    """A fresh database for the run: a SQLite file, or a PostgreSQL database dropped after."""
    if url is None:
        yield f"sqlite:///{work / 'station.db'}"
        return
    server_url = make_url(url)
    name = f"fleet_ingest_{secrets.token_hex(4)}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def register_fleet(database_url: str, kiosks: int) -> list[str]:
    """Migrate and register ``kiosks`` kiosks; their credentials."""
    upgrade_database(database_url)
    database = Database(database_url, audit_key=AUDIT_KEY.encode())
    try:
        with database.transaction() as session:
            return [
                register_kiosk(session, f"{n:0{KIOSK_CODE_DIGITS}d}", f"Kiosk {n}", "Benchmark")
                for n in range(1, kiosks + 1)
            ]
    finally:
        database.dispose()


@contextmanager
def backend_process(database_url: str, interval: float, work: Path) -> Iterator[str]:
    """``station server`` in a process of its own; its base URL once it answers."""
    port = free_port()
    env = {
        **os.environ,
        "STATION_DATABASE_URL": database_url,
        "STATION_VAR_DIR": str(work / "backend"),
        "STATION_SECRET_KEY": "fleet-heartbeat-ingest-benchmark",
        "STATION_AUDIT_KEY": AUDIT_KEY,
        "STATION_HEARTBEAT_INTERVAL_SECONDS": str(interval),
        "STATION_KIOSK_OFFLINE_AFTER_SECONDS": str(max(45.0, 3 * interval)),
    }
    command = [sys.executable, "-m", "cli.main", "server", "--host", "127.0.0.1"]
    log = (work / "backend.log").open("w")
    process = subprocess.Popen(
        [*command, "--port", str(port)], cwd=PROJECT_ROOT, env=env, stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the backend did not start; see {work / 'backend.log'}")
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


def heartbeat_body(index: int, started: float) -> dict[str, object]:
    paper = "near_end" if index % 10 == 0 else "ok"
    return {
        "sent_at": datetime.now(UTC).isoformat(),
        "software_version": "benchmark",
        "uptime_seconds": int(time.monotonic() - started),
        "screen": "language",
        "in_service": True,
        "devices": [
            {
                "device": "printer",
                "health": "warning" if paper == "near_end" else "ok",
                "paper": paper,
            },
            {"device": "scanner", "health": "ok"},
            {"device": "camera", "health": "ok", "detail": "640x480"},
            {"device": "fingerprint", "health": "ok"},
        ],
        "outbox_backlog": 0,
        "submissions_today": index % 7,
    }


async def send_fleet(
    url: str, credentials: list[str], interval: float, seconds: float
) -> tuple[list[float], Counter[str], float]:
    """Latencies (s) of answered heartbeats, errors by kind, and the seconds they took."""
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    limits = httpx.Limits(max_connections=500, max_keepalive_connections=500)
    started = time.monotonic()
    end = started + seconds

    async def kiosk(index: int, credential: str, client: httpx.AsyncClient) -> None:
        due = started + interval * index / len(credentials)
        headers = {"Authorization": f"Bearer {credential}"}
        while due < end:
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            sent = time.monotonic()
            try:
                response = await client.post(
                    "/api/v1/fleet/heartbeat", json=heartbeat_body(index, started), headers=headers
                )
            except httpx.HTTPError as error:
                errors[type(error).__name__] += 1
            else:
                if response.status_code == 200:
                    latencies.append(time.monotonic() - sent)
                else:
                    errors[f"HTTP {response.status_code}"] += 1
            due += interval

    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:
        await asyncio.gather(*(kiosk(i, c, client) for i, c in enumerate(credentials)))
    return latencies, errors, time.monotonic() - started


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kiosks", type=int, default=1000)
    parser.add_argument("--interval", type=float, default=15.0, help="heartbeat seconds")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long to send")
    parser.add_argument("--database-url", help="a PostgreSQL server URL (default: SQLite)")
    args = parser.parse_args(argv)
    if not 1 <= args.kiosks < 10**KIOSK_CODE_DIGITS or args.interval <= 0 or args.seconds <= 0:
        parser.error("--kiosks must be 1..9999, --interval and --seconds positive")
    with (
        tempfile.TemporaryDirectory(prefix="fleet-ingest-") as folder,
        own_database(args.database_url, Path(folder)) as database_url,
    ):
        work = Path(folder)
        backend = make_url(database_url).get_backend_name()
        registered = time.monotonic()
        credentials = register_fleet(database_url, args.kiosks)
        print(
            f"database={backend} kiosks={args.kiosks} registered in "
            f"{time.monotonic() - registered:.1f} s; interval={args.interval:g} s "
            f"seconds={args.seconds:g}",
            flush=True,
        )
        with backend_process(database_url, args.interval, work) as url:
            latencies, errors, took = asyncio.run(
                send_fleet(url, credentials, args.interval, args.seconds)
            )
    answered = len(latencies)
    print(
        f"offered={args.kiosks / args.interval:.1f} req/s sustained={answered / took:.1f} req/s "
        f"answered={answered} errors={sum(errors.values())} in {took:.1f} s"
    )
    if latencies:
        print(
            "latency_ms "
            f"p50={1000 * statistics.median(latencies):.1f} "
            f"p95={1000 * percentile(latencies, 0.95):.1f} "
            f"p99={1000 * percentile(latencies, 0.99):.1f} "
            f"max={1000 * max(latencies):.1f}"
        )
    for kind, count in errors.most_common():
        print(f"error {kind}: {count}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
