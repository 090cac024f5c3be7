"""``station demo``: the backend, the device simulators and one registered kiosk, together."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from config.profiles import load_profile
from config.settings import PROJECT_ROOT

PRINTER_CONTROL_PORT = 9101
SCANNER_CONTROL_PORT = 9102
CAMERA_PORT = 9103
CAMERA_CONTROL_PORT = 9104
FINGERPRINT_CONTROL_PORT = 9105
PAYME_CHECKOUT_PORT = 9106
PAYME_CONTROL_PORT = 9107
PAYME_CHECKOUT_URL = f"http://127.0.0.1:{PAYME_CHECKOUT_PORT}/checkout/"
DEMO_PAYME_KEY = "demo-payme-key"
DEMO_STAFF = (("operator", "operator"), ("technician", "technician"), ("viewer", "viewer"))
DEMO_STAFF_PASSWORD = "station-demo"
# The demo accounts' authenticator secrets (base32), printed by the banner; fixed so that an
# authenticator app set up once keeps working across demo runs.
DEMO_TOTP_SECRETS = {
    "operator": "DEMOPERATORQ3T7XK2MZ4WNA6HYRJ5VB",
    "technician": "DEMOTECHNICIANP7Q2WX4K6M3ZRYA5HV",
    "viewer": "DEMOVIEWERN6X3QK7T2WZ5MA4HRJYPBV",
}


def _station(*args: str) -> list[str]:
    return [sys.executable, "-m", "cli.main", *args]


def _wait_until(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not come up within {timeout:.0f} s")


def _backend_healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False


def _kiosk_command(profile: Path, screenshots: Path) -> list[str]:
    command = _station("kiosk", "run", "--profile", str(profile), "--screenshots", str(screenshots))
    if os.environ.get("DISPLAY") or not shutil.which("xvfb-run"):
        return command
    return ["xvfb-run", "-a", "-s", "-screen 0 1080x1920x24", *command]


def _payme_command(base_url: str, merchant_key: str) -> list[str]:
    return _station(
        "sim", "payme", "--backend-url", base_url, "--merchant-key", merchant_key,
        "--port", str(PAYME_CHECKOUT_PORT), "--control-port", str(PAYME_CONTROL_PORT),
    )  # fmt: skip


def run_demo(port: int = 8000, profile: Path | None = None) -> int:
    """Start everything, print where to look, and stop everything on Ctrl-C or a crash."""
    profile = profile or PROJECT_ROOT / "config" / "profiles" / "demo.toml"
    kiosk_profile = load_profile(profile)
    var = PROJECT_ROOT / "var"
    receipts, screenshots, logs = var / "receipts", var / "artifacts" / "demo", var / "logs"
    for folder in (receipts, screenshots, logs):
        folder.mkdir(parents=True, exist_ok=True)
    base_url = f"http://127.0.0.1:{port}"
    env = dict(os.environ, STATION_PORT=str(port), STATION_PUBLIC_BASE_URL=base_url)
    env["PYTHONPATH"] = str(PROJECT_ROOT)
    # The fee QR codes lead to the Payme simulator's checkout page, which pays with this key.
    env.setdefault("STATION_PAYME_KEY", DEMO_PAYME_KEY)
    env["STATION_CHECKOUT_BASE_URL"] = PAYME_CHECKOUT_URL
    # Prometheus scrapes /metrics with this bearer token; a fresh one each run unless given.
    env.setdefault("STATION_METRICS_TOKEN", secrets.token_urlsafe(24))

    code = kiosk_profile.kiosk.code
    credential_file = PROJECT_ROOT / kiosk_profile.backend.credential_file
    subprocess.run(_station("db", "upgrade"), check=True, env=env, cwd=PROJECT_ROOT)
    subprocess.run(
        _station(
            "kiosk", "register", code, "--name", kiosk_profile.kiosk.name,
            "--office", kiosk_profile.kiosk.office, "--rotate",
            "--credential-file", str(credential_file),
        ),
        check=True, env=env, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL,
    )  # fmt: skip

    for username, role in DEMO_STAFF:
        # An account left by an earlier run gets its demo password back instead.
        for action in ("add", "passwd"):
            command = ["staff", action, username, "--password-stdin"]
            command += ["--role", role] if action == "add" else []
            done = subprocess.run(
                _station(*command), input=f"{DEMO_STAFF_PASSWORD}\n", text=True, env=env,
                cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            if done.returncode == 0:
                break
    _enrol_demo_authenticators()

    faces = PROJECT_ROOT.parent / "shared" / "data" / "faces" / "people"
    subprocess.run(
        _station("registry", "seed", "--folder", str(faces)),
        check=True, env=env, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL,
    )  # fmt: skip

    printer = kiosk_profile.devices.printer
    scanner_link = PROJECT_ROOT / kiosk_profile.devices.scanner.url
    reader_link = PROJECT_ROOT / kiosk_profile.devices.fingerprint.url
    services = {
        "backend": _station("server", "--port", str(port)),
        "printer": _station(
            "sim", "printer", "--port", str(printer.port),
            "--control-port", str(PRINTER_CONTROL_PORT), "--out", str(receipts),
        ),
        "scanner": _station(
            "sim", "scanner", "--control-port", str(SCANNER_CONTROL_PORT),
            "--link", str(scanner_link),
        ),
        "camera": _station(
            "sim", "camera", "--port", str(CAMERA_PORT),
            "--control-port", str(CAMERA_CONTROL_PORT), "--scenario", "approaching",
        ),
        "fingerprint": _station(
            "sim", "fingerprint", "--control-port", str(FINGERPRINT_CONTROL_PORT),
            "--link", str(reader_link), "--auto-fingers",
            "--baudrate", str(kiosk_profile.devices.fingerprint.baudrate),
        ),
    }  # fmt: skip
    processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(name: str, command: list[str]) -> None:
        log = open(logs / f"{name}.log", "wb")  # noqa: SIM115 - lives as long as the process
        processes[name] = subprocess.Popen(
            command, env=env, cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT
        )

    def stop_all() -> None:
        for process in reversed(processes.values()):
            if process.poll() is None:
                process.terminate()
        for process in processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        for name, command in services.items():
            start(name, command)
        _wait_until(lambda: _backend_healthy(base_url), 30, "the backend")
        start("payme", _payme_command(base_url, env["STATION_PAYME_KEY"]))
        _wait_until(scanner_link.exists, 15, "the scanner simulator")
        _wait_until(reader_link.exists, 15, "the fingerprint reader simulator")
        start("kiosk", _kiosk_command(profile, screenshots))
        _print_banner(
            base_url, kiosk_profile.kiosk.code, receipts, screenshots, logs,
            env["STATION_METRICS_TOKEN"],
        )  # fmt: skip
        while True:
            for name, process in processes.items():
                if process.poll() is not None:
                    print(f"{name} stopped (exit {process.returncode}); see {logs}/{name}.log")
                    return 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nstopping")
        return 0
    finally:
        stop_all()


def _enrol_demo_authenticators() -> None:
    """Give the demo accounts their known secrets, so they sign in without enrolling."""
    from backend.commands import enrol_staff_totp_command
    from config.settings import BackendSettings

    # The environment the demo adds for its children changes nothing the database depends on.
    settings = BackendSettings()
    for username, _role in DEMO_STAFF:
        enrol_staff_totp_command(settings, username, DEMO_TOTP_SECRETS[username])


def _staff_rows(base_url: str, metrics_token: str) -> list[tuple[str, str]]:
    python = sys.executable
    code_of = f"{python} -c \"import pyotp; print(pyotp.TOTP('<key>').now())\""
    keys = ", ".join(f"{name} {DEMO_TOTP_SECRETS[name]}" for name, _role in DEMO_STAFF)
    return [
        (
            "Fleet dashboard",
            f"{base_url}/fleet — log in as operator, technician or viewer, password "
            f"{DEMO_STAFF_PASSWORD}, and the authenticator code of the account",
        ),
        ("Authenticator keys", f"{keys} (add one to an authenticator app, or: {code_of})"),
        ("Metrics", f"curl -H 'Authorization: Bearer {metrics_token}' {base_url}/metrics"),
    ]


def _print_banner(
    base_url: str, code: str, receipts: Path, shots: Path, logs: Path, metrics_token: str
) -> None:
    display = os.environ.get("DISPLAY")
    screen = f"a window on {display}" if display else "a virtual screen (Xvfb)"
    rows = [
        ("Kiosk", f"{code}, on {screen}; a screenshot of every screen it shows: {shots}/"),
        ("Backend health", f"{base_url}/health"),
        ("Backend API (OpenAPI)", f"{base_url}/docs"),
        ("Public status pages", f"{base_url}/s/<case number>/<tag> (the QR on each receipt)"),
        ("Printed receipts", f"{receipts}/*.png"),
        ("Scan a receipt", 'station sim control scanner "scan <URL or case number>"'),
        ("Printer paper", 'station sim control printer "paper out" (or "paper ok")'),
        ("Camera", f"http://127.0.0.1:{CAMERA_PORT}/stream.mjpg (a simulated person, obama_2)"),
        ("Face liveness", 'station sim control camera "act blink" (or "act left", "act right")'),
        ("Camera scenario", 'station sim control camera "scenario photo spoof_1" (or two_people)'),
        ("Fingerprints", "the simulated reader presents a finger by itself after 1.5 s"),
        (
            "Finger faults",
            'station sim control fingerprint "auto off", then "finger nbisP1_1 '
            'faint" (smudged, partial), "lift", "fail capture", "unplug"/"plug"',
        ),
        (
            "Pay a fee",
            f"open the payment QR's link ({PAYME_CHECKOUT_URL}<...>) in a browser and press "
            'a button, or station sim control payme "pay <QR link> ok" (or "pay <order number> '
            "<amount in so'm> ok\")",
        ),
        (
            "Payment modes",
            "ok, wrong-amount, twice, cancel-after, never (the kiosk times out), slow [seconds]",
        ),
        (
            "Payments made",
            f"http://127.0.0.1:{PAYME_CHECKOUT_PORT}/ or station sim control payme status",
        ),
        *_staff_rows(base_url, metrics_token),
        ("Technician screen", "tap the top-left corner of the kiosk 5 times in 3 s; PIN 2468"),
        ("Demo identities", "station registry list (personal numbers and birth dates)"),
        ("Logs", f"{logs}/"),
    ]
    width = max(len(label) for label, _ in rows) + 2
    print("\nSmart Station demo is running.\n")
    for label, value in rows:
        print(f"  {label.ljust(width, '.')} {value}")
    print("\nPress Ctrl-C to stop everything.\n", flush=True)
