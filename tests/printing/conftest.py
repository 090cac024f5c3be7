"""Receipts shared by the printing tests."""

from __future__ import annotations

import pytest

from printing import Receipt

STATUS_URL = "http://127.0.0.1:8000/s/000100000423?t=ab12"


@pytest.fixture
def english_receipt() -> Receipt:
    return Receipt(
        title="Migration Office",
        service="General application",
        fields=[("Date", "22.11.2026 14:05"), ("Kiosk", "0001")],
        case_number_label="Case number",
        case_number="0001 0000 0423",
        qr_data=STATUS_URL,
        follow_hint="Scan the code to follow your case.",
        footer="Thank you",
    )


@pytest.fixture
def uzbek_receipt() -> Receipt:
    return Receipt(
        title="Yunusobod tumani migratsiya boʻlimi",
        service="Umumiy ariza (Oʻzbekcha)",
        fields=[
            ("Sana va vaqt", "22.11.2026 14:05"),
            ("Kiosk", "0001 — Yunusobod"),
            ("Toifa", "Hujjatlar va maʼlumotnomalar, gʻalla va boshqa uzun qiymat matni"),
        ],
        case_number_label="Ariza raqami",
        case_number="0001 0000 0423",
        qr_data="http://127.0.0.1:8000/s/000100000423?t=3f9a1c07b2",
        follow_hint="Arizangiz holatini kuzatish uchun QR kodni skanerlang. Ғалла қарзи ҳақида.",
        footer="Rahmat!",
    )
