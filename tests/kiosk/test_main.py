"""``run_kiosk`` as a process: it starts from a profile file, shows its first screen, records
it, and stops cleanly on SIGTERM, with no backend, printer or scanner reachable."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.kiosk.real_parts import DEMO_PROFILE, PROJECT_ROOT

SCRIPT = """
import sys
from pathlib import Path
from kiosk.main import run_kiosk
run_kiosk(Path(sys.argv[1]), Path(sys.argv[2]), screenshot_dir=Path(sys.argv[3]))
"""


def test_run_kiosk_starts_records_and_stops_on_sigterm(tmp_path: Path, dead_url: str) -> None:
    profile = tmp_path / "kiosk.toml"
    text = DEMO_PROFILE.read_text()
    text = text.replace('url = "http://127.0.0.1:8000"', f'url = "{dead_url}"')
    text = text.replace('"var/kiosk-0001.credential"', f'"{tmp_path / "kiosk.credential"}"')
    text = text.replace('url = "var/scanner.tty"', f'url = "{tmp_path / "no-scanner.tty"}"')
    profile.write_text(text)
    (tmp_path / "kiosk.credential").write_text("0001.not-a-real-secret\n")
    shots = tmp_path / "shots"
    environment = {
        **os.environ,
        "KIVY_NO_ARGS": "1",
        "KIVY_NO_CONSOLELOG": "1",
        "KIVY_NO_FILELOG": "1",
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    if not environment.get("DISPLAY"):
        environment["SDL_VIDEODRIVER"] = "offscreen"
    environment.pop("STATION_KIOSK_CREDENTIAL", None)
    environment.pop("STATION_BACKEND_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(profile), str(tmp_path / "var"), str(shots)],
        env=environment,
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 20
        while not list(shots.glob("001-language-*.png")):
            assert process.poll() is None, process.stdout.read().decode()
            assert time.monotonic() < deadline, "no picture of the first screen"
            time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0, process.stdout.read().decode()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert (tmp_path / "var" / "kiosk-0001" / "outbox.sqlite3").exists()
    assert (shots / "001-language-uz_Latn.png").stat().st_size > 20_000
