from __future__ import annotations

from PIL import Image
from pyzbar.pyzbar import decode

from printing import Receipt, render_receipt_png
from printing.png_render import receipt_block_images


def test_preview_is_white_paper_with_black_print(uzbek_receipt: Receipt, tmp_path) -> None:
    image = render_receipt_png(uzbek_receipt)
    assert image.mode == "L" and image.width == 576
    assert set(image.getdata()) == {0, 255}
    histogram = image.histogram()
    assert histogram[255] > 4 * histogram[0] > 0  # mostly paper, some ink
    image.save(tmp_path / "preview.png")
    assert Image.open(tmp_path / "preview.png").size == image.size


def test_preview_qr_code_scans_back_to_the_status_url(uzbek_receipt: Receipt) -> None:
    decoded = decode(render_receipt_png(uzbek_receipt))
    assert [d.data.decode() for d in decoded] == [uzbek_receipt.qr_data]


def test_preview_is_the_same_for_the_same_receipt(english_receipt: Receipt) -> None:
    first = render_receipt_png(english_receipt)
    assert first.tobytes() == render_receipt_png(english_receipt).tobytes()


def test_narrow_paper_keeps_everything_inside(uzbek_receipt: Receipt) -> None:
    image = render_receipt_png(uzbek_receipt, width_px=384)
    assert image.width == 384
    for block in receipt_block_images(uzbek_receipt, 384):
        assert block.width == 384
    assert [d.data.decode() for d in decode(image)] == [uzbek_receipt.qr_data]


def test_case_number_is_the_biggest_text(english_receipt: Receipt) -> None:
    heights = [block.height for block in receipt_block_images(english_receipt)]
    blocks = receipt_block_images(english_receipt)
    # Blocks: title, service, rule, 2 fields, rule, gap, case label, case number, qr, hint...
    case_number = blocks[8]
    assert case_number.height == max(h for h in heights if h < 200)
    ink = Image.eval(case_number.convert("L"), lambda v: 255 - v).getbbox()
    assert ink is not None and ink[3] - ink[1] > 35
