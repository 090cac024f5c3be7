"""The receipt as data in the citizen's language, and as the picture it prints to."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from pyzbar.pyzbar import decode

from backend.contracts import make_case_number
from config.profiles import KioskProfile
from kiosk.i18n import translator
from kiosk.receipt_builder import build_receipt
from printing.png_render import render_receipt_png

ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "artifacts" / "kiosk"
NUMBER = make_case_number("0001", 42)
URL = f"https://status.example.uz/s/{NUMBER}/abcdefghij"
MOMENT = datetime(2025, 11, 22, 9, 5, tzinfo=UTC)  # 14:05 in Tashkent


def receipt_in(language: str, profile: KioskProfile):
    service = profile.service("customs_report")
    return build_receipt(
        translator(language), profile, service, service.categories[0], NUMBER, URL, MOMENT
    )


def test_russian_receipt(demo_profile: KioskProfile) -> None:
    receipt = receipt_in("ru", demo_profile)
    assert receipt.title == "Умная миграционная станция"
    assert receipt.service == "Сообщение о таможенном нарушении"
    assert receipt.case_number_label == "Номер обращения"
    assert receipt.case_number == "0001 0000 0423"  # 0001, 0000042, check digit 3
    assert receipt.qr_data == URL
    fields = dict(receipt.fields)
    assert fields["Вид"] == "Сообщение"
    assert fields["Тема"] == "Контрабанда"
    assert fields["Дата и время"] == "22 ноября 2025\u202fг., 14:05"
    assert fields["Киоск"] == "0001"
    assert fields["Отдел"] == "Отдел миграции Юнусабадского района, Ташкент"
    assert "QR" in receipt.follow_hint and receipt.footer


def test_uzbek_latin_receipt(demo_profile: KioskProfile) -> None:
    receipt = receipt_in("uz_Latn", demo_profile)
    assert receipt.case_number_label == "Murojaat raqami"
    assert dict(receipt.fields)["Sana va vaqt"] == "22-noyabr, 2025, 14:05"
    assert "boʻlimi" in dict(receipt.fields)["Boʻlim"]


def test_every_language_prints_to_a_picture_with_a_readable_qr(
    demo_profile: KioskProfile,
) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for language in ("uz_Latn", "uz_Cyrl", "ru", "en"):
        picture = render_receipt_png(receipt_in(language, demo_profile), 576)
        picture.save(ARTIFACTS / f"receipt-{language}.png")
        assert [symbol.data.decode() for symbol in decode(picture)] == [URL]
