"""A receipt rendered to ESC/POS, printed by the real driver on the simulator, read back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageChops
from pyzbar.pyzbar import decode

from config.profiles import PrinterConfig
from devices.printer import EscposReceiptPrinter, open_printer
from devices.printer.simulator import PrinterSimulator
from printing import EscposOptions, Receipt, receipt_to_escpos_bytes, render_receipt_png
from printing.png_render import TOP_MARGIN_PX

ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "artifacts" / "receipts"


@pytest.fixture
def simulator(tmp_path) -> Iterator[PrinterSimulator]:
    with PrinterSimulator("127.0.0.1", 0, tmp_path / "paper") as running:
        yield running


@pytest.fixture
def printer(simulator: PrinterSimulator) -> Iterator[EscposReceiptPrinter]:
    host, port = simulator.address
    with open_printer(PrinterConfig(host=host, port=port, timeout_seconds=2)) as driver:
        yield driver


def print_receipt(
    receipt: Receipt,
    options: EscposOptions,
    printer: EscposReceiptPrinter,
    simulator: PrinterSimulator,
) -> Image.Image:
    before = len(simulator.receipts)
    printer.print_bytes(receipt_to_escpos_bytes(receipt, options))
    path = simulator.wait_for_receipt(timeout=10, after=before)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    image = Image.open(path).convert("L")
    image.save(ARTIFACTS / f"{options.text_mode}-{options.qr_mode}.png")
    return image


@pytest.mark.parametrize("qr_mode", ["native", "image"])
def test_uzbek_receipt_qr_reads_back_the_exact_url(
    uzbek_receipt: Receipt,
    qr_mode: str,
    printer: EscposReceiptPrinter,
    simulator: PrinterSimulator,
) -> None:
    assert "Oʻzbekcha" in uzbek_receipt.service and "gʻalla" in uzbek_receipt.fields[2][1]
    options = EscposOptions(text_mode="raster", qr_mode=qr_mode)
    paper = print_receipt(uzbek_receipt, options, printer, simulator)
    assert paper.width == 576
    assert [d.data.decode() for d in decode(paper)] == [uzbek_receipt.qr_data]


@pytest.mark.parametrize("qr_mode", ["native", "image"])
def test_printed_raster_receipt_is_exactly_the_preview(
    uzbek_receipt: Receipt,
    qr_mode: str,
    printer: EscposReceiptPrinter,
    simulator: PrinterSimulator,
) -> None:
    paper = print_receipt(uzbek_receipt, EscposOptions(qr_mode=qr_mode), printer, simulator)
    preview = render_receipt_png(uzbek_receipt)
    content = preview.crop((0, TOP_MARGIN_PX, 576, preview.height))
    ink = ImageChops.invert(content).getbbox()
    assert ink is not None
    printed = paper.crop((0, 0, 576, ink[3]))
    assert ImageChops.difference(printed, content.crop((0, 0, 576, ink[3]))).getbbox() is None


def test_codepage_receipt_prints_readable_text(
    english_receipt: Receipt, printer: EscposReceiptPrinter, simulator: PrinterSimulator
) -> None:
    options = EscposOptions(text_mode="codepage", qr_mode="native")
    paper = print_receipt(english_receipt, options, printer, simulator)
    text = simulator.receipts[-1].with_suffix(".txt").read_text()
    assert "Migration Office" in text and "0001 0000 0423" in text
    assert [d.data.decode() for d in decode(paper)] == [english_receipt.qr_data]
