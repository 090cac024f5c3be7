"""The serial line scanner driver, run against the pseudo-terminal simulator."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from config.profiles import ScannerConfig
from devices.scanner import CodeScanner, ScannerError, ScannerUnavailable
from devices.scanner.driver import SerialLineScanner, open_scanner
from devices.scanner.simulator import ScannerSimulator

WAIT_SECONDS = 3.0


def wait_for(condition: Callable[[], bool], timeout: float = WAIT_SECONDS) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


class Scans:
    """Codes the driver reported, with the thread that reported each."""

    def __init__(self) -> None:
        self._queue: queue.Queue[tuple[str, str]] = queue.Queue()

    def __call__(self, code: str) -> None:
        self._queue.put((code, threading.current_thread().name))

    def next(self) -> str:
        return self._queue.get(timeout=WAIT_SECONDS)[0]

    def next_with_thread(self) -> tuple[str, str]:
        return self._queue.get(timeout=WAIT_SECONDS)

    def nothing_more(self, within: float = 0.2) -> bool:
        try:
            self._queue.get(timeout=within)
        except queue.Empty:
            return True
        return False


@pytest.fixture
def simulator(tmp_path: Path) -> Iterator[ScannerSimulator]:
    with ScannerSimulator(link_path=tmp_path / "scanner.tty") as running:
        yield running


@pytest.fixture
def make_scanner() -> Iterator[Callable[..., SerialLineScanner]]:
    started: list[SerialLineScanner] = []

    def make(url: str, **options: float) -> SerialLineScanner:
        options.setdefault("reopen_delay", 0.02)
        options.setdefault("max_reopen_delay", 0.1)
        scanner = SerialLineScanner(url, **options)
        started.append(scanner)
        return scanner

    yield make
    for scanner in started:
        scanner.stop()


def test_reports_each_scan_once_from_a_background_thread(
    simulator: ScannerSimulator, make_scanner: Callable[..., SerialLineScanner]
) -> None:
    scanner = make_scanner(simulator.port_name)
    scans = Scans()
    scanner.start(scans)
    assert scanner.healthy
    simulator.scan("000100000423")
    code, thread_name = scans.next_with_thread()
    assert code == "000100000423"
    assert thread_name != threading.current_thread().name
    simulator.scan("http://127.0.0.1:8000/s/000100000423/k3x7q2mz5a")
    simulator.scan("Oʻzbekiston Ариза")
    assert scans.next() == "http://127.0.0.1:8000/s/000100000423/k3x7q2mz5a"
    assert scans.next() == "Oʻzbekiston Ариза"
    assert scans.nothing_more()


def test_reassembles_codes_written_in_small_chunks(
    simulator: ScannerSimulator, make_scanner: Callable[..., SerialLineScanner]
) -> None:
    scanner = make_scanner(simulator.port_name)
    scans = Scans()
    scanner.start(scans)
    texts = [f"chunked code {n} ʻўқ" for n in range(5)]
    for text in texts:
        simulator.scan(text, chunk_size=3, chunk_delay=0.001)
    assert [scans.next() for _ in texts] == texts


def test_strips_a_configured_prefix_and_suffix(
    simulator: ScannerSimulator, make_scanner: Callable[..., SerialLineScanner]
) -> None:
    scanner = SerialLineScanner(simulator.port_name, prefix="]Q1", suffix="#")
    scans = Scans()
    scanner.start(scans)
    try:
        simulator.scan("]Q1000100000423#")
        assert scans.next() == "000100000423"
    finally:
        scanner.stop()


def test_unplug_makes_it_unhealthy_and_replug_reconnects_through_the_link(
    simulator: ScannerSimulator, make_scanner: Callable[..., SerialLineScanner]
) -> None:
    assert simulator.link_path is not None
    scanner = make_scanner(str(simulator.link_path))
    scans = Scans()
    scanner.start(scans)
    simulator.scan("before")
    assert scans.next() == "before"

    simulator.unplug()
    assert wait_for(lambda: not scanner.healthy)
    assert scanner.last_error

    simulator.plug()
    scanner.wait_until_healthy(WAIT_SECONDS)
    assert scanner.last_error is None
    simulator.scan("after")
    assert scans.next() == "after"


def test_a_code_cut_short_by_unplugging_is_not_glued_to_the_next(
    simulator: ScannerSimulator, make_scanner: Callable[..., SerialLineScanner]
) -> None:
    assert simulator.link_path is not None
    scanner = make_scanner(str(simulator.link_path))
    scans = Scans()
    scanner.start(scans)
    simulator.write_raw(b"0001 00")
    time.sleep(0.1)  # let the reader take the partial code before the cable goes
    simulator.unplug()
    assert wait_for(lambda: not scanner.healthy)
    simulator.plug()
    scanner.wait_until_healthy(WAIT_SECONDS)
    simulator.write_raw(b"\r\nwhole\r\n")
    assert scans.next() == "whole"
    assert scans.nothing_more()


def test_absent_device_is_unhealthy_until_it_appears(
    tmp_path: Path, make_scanner: Callable[..., SerialLineScanner]
) -> None:
    link = tmp_path / "later.tty"
    scanner = make_scanner(str(link))
    scans = Scans()
    scanner.start(scans)
    assert not scanner.healthy
    assert "later.tty" in (scanner.last_error or "")
    with pytest.raises(ScannerUnavailable, match=r"later\.tty"):
        scanner.wait_until_healthy(0.1)

    with ScannerSimulator(link_path=link) as simulator:
        scanner.wait_until_healthy(WAIT_SECONDS)
        simulator.scan("arrived")
        assert scans.next() == "arrived"


def test_a_failing_callback_does_not_stop_the_reader(
    simulator: ScannerSimulator, make_scanner: Callable[..., SerialLineScanner]
) -> None:
    scanner = make_scanner(simulator.port_name)
    scans = Scans()

    def on_scan(code: str) -> None:
        if code == "bad":
            raise RuntimeError("screen not ready")
        scans(code)

    scanner.start(on_scan)
    simulator.scan("bad")
    simulator.scan("good")
    assert scans.next() == "good"
    assert scanner.healthy


def test_stop_closes_the_port_and_start_again_works(
    simulator: ScannerSimulator, make_scanner: Callable[..., SerialLineScanner]
) -> None:
    scanner = make_scanner(simulator.port_name)
    scans = Scans()
    scanner.start(scans)
    with pytest.raises(ScannerError, match="already started"):
        scanner.start(scans)
    scanner.stop()
    scanner.stop()
    assert not scanner.healthy
    simulator.scan("while stopped")
    assert scans.nothing_more()

    scanner.start(scans)
    simulator.scan("restarted")
    assert scans.next() == "restarted"


def test_stop_from_the_callback_ends_the_reader(
    simulator: ScannerSimulator, make_scanner: Callable[..., SerialLineScanner]
) -> None:
    scanner = make_scanner(simulator.port_name)
    scans = Scans()

    def on_scan(code: str) -> None:
        scans(code)
        scanner.stop()

    scanner.start(on_scan)
    simulator.write_raw(b"first\rsecond\r")
    assert scans.next() == "first"
    assert scans.nothing_more()
    assert wait_for(lambda: not scanner.healthy)
    scanner.start(scans)
    simulator.scan("third")
    assert scans.next() == "third"


def test_invalid_url_is_a_scanner_error(make_scanner: Callable[..., SerialLineScanner]) -> None:
    with pytest.raises(ScannerError, match="invalid scanner port"):
        make_scanner("nosuchscheme://device").start(Scans())


def test_loop_url_opens(make_scanner: Callable[..., SerialLineScanner]) -> None:
    scanner = make_scanner("loop://")
    scanner.start(Scans())
    assert scanner.healthy


def test_open_scanner_follows_the_profile_and_satisfies_the_protocol(tmp_path: Path) -> None:
    config = ScannerConfig(url="var/scanner.tty", baudrate=115200)
    scanner = open_scanner(config, base_dir=tmp_path)
    assert isinstance(scanner, CodeScanner)
    assert scanner.url == str(tmp_path / "var" / "scanner.tty")
    assert scanner.baudrate == 115200
    assert open_scanner(ScannerConfig(url="rfc2217://127.0.0.1:1"), base_dir=tmp_path).url == (
        "rfc2217://127.0.0.1:1"
    )
    assert open_scanner(ScannerConfig(url="/dev/ttyACM0"), base_dir=tmp_path).url == "/dev/ttyACM0"

    with ScannerSimulator(link_path=tmp_path / "var" / "scanner.tty") as simulator:
        scans = Scans()
        scanner.start(scans)
        try:
            simulator.scan("from the profile")
            assert scans.next() == "from the profile"
        finally:
            scanner.stop()
