from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys

from config.profiles import PrinterConfig
from devices.printer import PaperState, open_printer

SCRIPT = (
    "import sys\n"
    "from devices.printer.simulator import run_printer_simulator\n"
    "run_printer_simulator('127.0.0.1', 0, 0, sys.argv[1])\n"
)


def test_simulator_process_serves_until_ctrl_c(tmp_path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        match = re.search(r"on 127\.0\.0\.1:(\d+), control on 127\.0\.0\.1:(\d+)", banner)
        assert match, banner
        port, control_port = int(match.group(1)), int(match.group(2))
        with socket.create_connection(("127.0.0.1", control_port), timeout=2) as conn:
            conn.sendall(b"paper near-end\n")
            assert conn.makefile().readline().strip() == "ok paper=near_end"
        with open_printer(PrinterConfig(port=port, timeout_seconds=2)) as printer:
            assert printer.status().paper is PaperState.NEAR_END
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
