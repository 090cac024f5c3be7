"""The kiosk's message catalogs: complete, consistent with the code and profiles, compiled."""

from __future__ import annotations

import os
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from backend.contracts import PublicStage
from kiosk.i18n import LOCALES_DIR, compiled_catalog, po_path, translator
from kiosk.messages import (
    ERROR_MESSAGES,
    STAGE_NAMES,
    STAGE_NEXT_STEPS,
    error_text,
    language_name,
    stage_name,
)
from kiosk.session import ErrorCode

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = ("uz_Latn", "uz_Cyrl", "ru")
ALL = (*TRANSLATED, "en")
UZBEK_LATIN_TURNED_COMMA = "\u02bb"  # ʻ, the letter mark of oʻ and gʻ
LOOKALIKES = ("\u2018", "'", "`", "\u2019")  # what careless typing puts in its place


def catalog(language: str):
    with po_path(language).open("rb") as handle:
        return read_po(handle)


def extracted_messages() -> set[tuple[str | None, str]]:
    """(context, msgid) of every message the code and the profiles use, as pybabel sees them."""
    with (LOCALES_DIR / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found = set()
    for _file, _line, message, _comments, context in extract_from_dir(
        str(PROJECT_ROOT), method_map, options_map
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        found.add((context, msgid))
    return found


def test_extraction_finds_code_and_profile_messages() -> None:
    found = {msgid for _context, msgid in extracted_messages()}
    assert "Check my case" in found  # a screen
    assert ERROR_MESSAGES[ErrorCode.CASE_CHECK_DIGIT] in found  # an error code's message
    assert "Appeal to the mahalla inspector" in found  # a service title in demo.toml
    assert "Dispute with neighbours" in found  # a category title in demo.toml
    assert "Yunusobod district migration office, Tashkent" in found  # the office


@pytest.mark.parametrize("language", ALL)
def test_every_message_in_use_is_in_the_catalog(language: str) -> None:
    in_catalog = {
        (m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in catalog(language)
    }
    missing = extracted_messages() - in_catalog
    assert not missing, f"run the catalog update described in kiosk/i18n_extract.py: {missing}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_catalog_is_complete_and_clean(language: str) -> None:
    messages = [m for m in catalog(language) if m.id]
    assert messages
    for message in messages:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(s.strip() for s in strings), f"untranslated in {language}: {message.id!r}"
        assert not message.fuzzy, f"fuzzy in {language}: {message.id!r}"
    for message, errors in catalog(language).check():
        assert not errors, f"{language} {message.id!r}: {errors}"  # e.g. a lost %(min)d


def test_uzbek_latin_uses_the_turned_comma_letter_mark() -> None:
    texts = " ".join(
        text
        for message in catalog("uz_Latn")
        if message.id
        for text in ([message.string] if isinstance(message.string, str) else message.string)
    )
    assert "oʻ" in texts and "gʻ" in texts
    for lookalike in LOOKALIKES:
        for letter in "oOgG":
            assert letter + lookalike not in texts, f"{letter + lookalike!r} instead of ʻ"
    assert translator("uz_Latn").gettext("Change") == "Oʻzgartirish"


def test_cyrillic_catalogs_hold_no_latin_words() -> None:
    """Only "QR", "ID" (the card is officially "ID-карта" in both languages) and the brand
    "Payme" stay Latin."""
    for language in ("uz_Cyrl", "ru"):
        for message in catalog(language):
            if not message.id or message.context:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for text in strings:
                words = re.sub(r"%\(\w+\)[ds]|\bQR\b|\bID(?=-)|\bPayme\b", "", text)
                assert not re.search("[A-Za-z]", words), f"{language}: Latin letters in {text!r}"


def test_language_names_are_each_in_their_own_language() -> None:
    names = {language: language_name(language) for language in ALL}
    assert names == {
        "uz_Latn": "Oʻzbekcha",
        "uz_Cyrl": "Ўзбекча",
        "ru": "Русский",
        "en": "English",
    }


def test_every_error_and_stage_has_a_message() -> None:
    assert set(ERROR_MESSAGES) == set(ErrorCode)
    assert set(STAGE_NAMES) == set(PublicStage) == set(STAGE_NEXT_STEPS)


def test_messages_are_translated_with_their_numbers() -> None:
    ru = translator("ru")
    assert error_text(ru, ErrorCode.CASE_LENGTH) == (
        "В номере обращения 12 цифр. Проверьте, что ввели все."
    )
    assert "10" in error_text(translator("uz_Cyrl"), ErrorCode.TEXT_TOO_SHORT)
    assert stage_name(translator("uz_Latn"), PublicStage.IN_REVIEW) == "Koʻrib chiqilmoqda"
    assert (
        error_text(translator("en"), ErrorCode.CASE_EMPTY) == ERROR_MESSAGES[ErrorCode.CASE_EMPTY]
    )


def test_russian_plurals_follow_the_number() -> None:
    ru = translator("ru")
    singular = "For your privacy the kiosk will return to the start in %(seconds)d second. "
    singular += "Touch the screen to continue."
    plural = singular.replace("second.", "seconds.")
    forms = [ru.ngettext(singular, plural, n) % {"seconds": n} for n in (1, 3, 5, 21)]
    assert "1 секунду" in forms[0]
    assert "3 секунды" in forms[1]
    assert "5 секунд" in forms[2]
    assert "21 секунду" in forms[3]


def test_dates_are_shown_in_tashkent_time_and_the_citizens_language() -> None:
    moment = datetime(2025, 11, 22, 9, 5, tzinfo=UTC)  # 14:05 in Tashkent
    # CLDR puts a narrow no-break space before "г."; Noto Sans draws it.
    assert translator("ru").format_datetime(moment) == "22 ноября 2025\u202fг., 14:05"
    assert translator("uz_Latn").format_datetime(moment) == "22-noyabr, 2025, 14:05"
    assert translator("uz_Cyrl").format_datetime(moment) == "22 ноябр, 2025 14:05"
    assert "2:05" in translator("en").format_datetime(moment)


def test_missing_or_stale_compiled_catalogs_are_rebuilt(tmp_path: Path) -> None:
    locales = tmp_path / "locales"
    shutil.copytree(LOCALES_DIR, locales, ignore=shutil.ignore_patterns("*.mo"))
    po = po_path("ru", locales)
    mo = po.with_suffix(".mo")
    assert not mo.exists()
    first = compiled_catalog("ru", locales)
    assert mo.read_bytes() == first
    # A .po edited after compiling makes the .mo stale.
    po.write_text(po.read_text().replace('msgstr "Назад"', 'msgstr "Обратно"'))
    os.utime(po, (mo.stat().st_mtime + 5, mo.stat().st_mtime + 5))
    second = compiled_catalog("ru", locales)
    assert second != first
    assert "Обратно".encode() in mo.read_bytes()


def test_translations_still_load_when_the_compiled_file_cannot_be_written(
    tmp_path: Path,
) -> None:
    locales = tmp_path / "locales"
    shutil.copytree(LOCALES_DIR, locales, ignore=shutil.ignore_patterns("*.mo"))
    folder = po_path("uz_Cyrl", locales).parent
    # A directory where the temporary file would go makes the write fail, even for root.
    (folder / f".kiosk.mo.{os.getpid()}.tmp").mkdir()
    data = compiled_catalog("uz_Cyrl", locales)
    assert "Тилни танланг".encode() in data
    assert not (folder / "kiosk.mo").exists()
