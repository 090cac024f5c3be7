"""A running printer simulator and a driver connected to it over TCP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from config.profiles import PrinterConfig
from devices.printer import EscposReceiptPrinter, open_printer
from devices.printer.simulator import PrinterSimulator


@pytest.fixture
def simulator(tmp_path) -> Iterator[PrinterSimulator]:
    with PrinterSimulator("127.0.0.1", 0, tmp_path / "receipts") as running:
        yield running


@pytest.fixture
def network_config(simulator: PrinterSimulator) -> PrinterConfig:
    host, port = simulator.address
    return PrinterConfig(connector="network", host=host, port=port, timeout_seconds=1.0)


@pytest.fixture
def printer(network_config: PrinterConfig) -> Iterator[EscposReceiptPrinter]:
    with open_printer(network_config) as driver:
        yield driver
