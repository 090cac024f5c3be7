"""Fuzz the backend API with schemathesis over its own OpenAPI schema, three ways.

Starts the real backend (``station server``, SQLite in a temporary folder), registers a kiosk and
a staff account, then runs ``st run`` with every check, once with no credential, once with the
kiosk's credential and once with a staff session. Prints each run's figures; the last line is
``runs=3 generated=N failures=N``. Exit code 1 when any run found a failure.

    .venv/bin/python benchmarks/api_fuzz.py [--max-examples 100] [--seed N]
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyotp

from backend.commands import enrol_staff_totp_command
from config.settings import BackendSettings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONFIG_FILE = PROJECT_ROOT / "benchmarks" / "api_fuzz.toml"
KIOSK_CODE = "0042"
STAFF_USER = "fuzzoperator"
STAFF_PASSWORD = "fuzz-operator-password"
# Server-sent events never end: a fuzzer would only wait for its timeout.
EXCLUDED_PATHS = ("/api/v1/fleet/events",)
# A staff run that logged itself out would test the rest signed out (the anonymous run does).
STAFF_EXCLUDED_PATHS = ("/api/v1/staff/logout",)
_GENERATED = re.compile(r"(\d+) generated")
_FAILURES = re.compile(r"(\d+) unique failures?")


@dataclass(frozen=True)
class FuzzRun:
    name: str
    generated: int
    failures: int
    output: str


@dataclass(frozen=True)
class Backend:
    url: str
    kiosk_credential: str
    staff_cookie: str
    staff_csrf: str


def _station(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        cwd=PROJECT_ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_health(url: str, server: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the backend exited before it answered")
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the backend did not answer /health in time")


def _staff_session(url: str, var_dir: Path) -> tuple[str, str]:
    """Sign the staff account in with its password and a code of its authenticator."""
    secret = pyotp.random_base32()
    enrol_staff_totp_command(BackendSettings(var_dir=var_dir), STAFF_USER, secret)
    response = httpx.post(
        f"{url}/api/v1/staff/login",
        json={"username": STAFF_USER, "password": STAFF_PASSWORD, "code": pyotp.TOTP(secret).now()},
        timeout=30,
    )
    response.raise_for_status()
    return response.cookies["station_session"], response.json()["csrf_token"]


@contextmanager
def running_backend(folder: Path) -> Iterator[Backend]:
    """The real backend on a free port over a fresh SQLite database in ``folder``."""
    port = _free_port()
    env = {
        **os.environ,
        "STATION_VAR_DIR": str(folder / "var"),
        "STATION_HOST": "127.0.0.1",
        "STATION_PORT": str(port),
        "STATION_STATUS_RATE_PER_MINUTE": "100000",
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    _station(env, "db", "upgrade")
    credential_file = folder / "kiosk.credential"
    _station(
        env, "kiosk", "register", KIOSK_CODE, "--name", "Fuzz kiosk", "--office", "Fuzz office",
        "--credential-file", str(credential_file),
    )  # fmt: skip
    _station(env, "staff", "add", STAFF_USER, "--role", "operator", "--password-stdin",
             stdin=STAFF_PASSWORD + "\n")  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    log = (folder / "server.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "server"],
        cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        _wait_for_health(url, server)
        cookie, csrf = _staff_session(url, folder / "var")
        yield Backend(url, credential_file.read_text().strip(), cookie, csrf)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def run_schemathesis(
    backend: Backend, name: str, headers: list[str], max_examples: int, seed: int, folder: Path
) -> FuzzRun:
    """One ``st run`` with every check; the counts come from its summary."""
    command = [
        str(Path(sys.executable).with_name("st")), "run", f"{backend.url}/openapi.json",
        "--checks", "all", "--max-examples", str(max_examples), "--seed", str(seed),
        "--request-timeout", "20", "--workers", "1", "--no-color",
        "--phases", "examples,coverage,fuzzing", "--suppress-health-check", "all",
    ]  # fmt: skip
    command[1:1] = ["--config-file", str(CONFIG_FILE)]
    for path in EXCLUDED_PATHS + (STAFF_EXCLUDED_PATHS if name == "staff" else ()):
        command += ["--exclude-path", path]
    for header in headers:
        command += ["-H", header]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "benchmarks.api_fuzz_hooks"}
    env["PYTHONPATH"] = str(PROJECT_ROOT)
    # schemathesis keeps its replay cache in the working folder: keep it out of the project.
    result = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True)
    output = result.stdout + result.stderr
    generated = sum(int(n) for n in _GENERATED.findall(output))
    failures = sum(int(n) for n in _FAILURES.findall(output))
    if result.returncode != 0 and failures == 0:
        failures = 1  # an error the summary does not count (a crash, an unreachable schema)
    return FuzzRun(name, generated, failures, output)


def fuzz(max_examples: int, seed: int) -> list[FuzzRun]:
    """Fuzz the API with no credential, a kiosk credential and a staff session."""
    with (
        tempfile.TemporaryDirectory(prefix="station-fuzz-") as folder,
        running_backend(Path(folder)) as backend,
    ):
        identities = {
            "anonymous": [],
            "kiosk": [f"Authorization: Bearer {backend.kiosk_credential}"],
            "staff": [
                f"Cookie: station_session={backend.staff_cookie}",
                f"X-CSRF-Token: {backend.staff_csrf}",
            ],
        }
        return [
            run_schemathesis(backend, name, headers, max_examples, seed, Path(folder))
            for name, headers in identities.items()
        ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=100)
    parser.add_argument("--seed", type=int, default=20261203)
    parser.add_argument("--verbose", action="store_true", help="print schemathesis' own output")
    args = parser.parse_args()
    runs = fuzz(args.max_examples, args.seed)
    for run in runs:
        if args.verbose or run.failures:
            print(run.output)
        print(f"run={run.name} generated={run.generated} failures={run.failures}")
    generated = sum(run.generated for run in runs)
    failures = sum(run.failures for run in runs)
    print(f"runs={len(runs)} generated={generated} failures={failures}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
