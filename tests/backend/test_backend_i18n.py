"""Catalogs of the public pages: complete, compiled on demand, and chosen per request."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from backend.i18n import (
    DOMAIN,
    LOCALES_DIR,
    catalog_paths,
    compile_catalog,
    language_from_tag,
    pick_language,
)

TEMPLATE = LOCALES_DIR / f"{DOMAIN}.pot"


def template_ids() -> set[str]:
    with TEMPLATE.open("rb") as file:
        return {message.id for message in read_po(file) if message.id}


@pytest.mark.parametrize("language", ["uz_Latn", "uz_Cyrl", "ru", "en"])
def test_catalog_translates_every_message_of_the_template(language: str) -> None:
    po_path, _ = catalog_paths(language)
    with po_path.open("rb") as file:
        catalog = read_po(file, locale=language)
    messages = {message.id: message for message in catalog if message.id}
    assert set(messages) == template_ids()
    for message in messages.values():
        assert message.string and message.string.strip(), message.id
        assert not message.fuzzy, message.id
    if language != "en":
        untranslated = [m.id for m in messages.values() if m.string == m.id and len(m.id) > 3]
        assert untranslated == []


def test_template_holds_every_message_the_code_marks() -> None:
    from backend.status_page import KIND_LABELS, NEXT_STEPS, STAGE_LABELS, STEP_STATE_LABELS

    marked = {*KIND_LABELS.values(), *NEXT_STEPS.values(), *STAGE_LABELS.values()}
    marked |= set(STEP_STATE_LABELS.values())
    assert marked <= template_ids()


def test_uzbek_latin_uses_the_modifier_letters() -> None:
    po_path, _ = catalog_paths("uz_Latn")
    with po_path.open("rb") as file:
        strings = [message.string for message in read_po(file) if message.id]
    joined = " ".join(strings)
    assert "oʻ" in joined  # U+02BB, the letter mark of oʻ and gʻ
    assert "maʼlumot" in joined  # U+02BC, the tutuq belgisi
    for wrong in ("'", "‘", "’", "`"):
        assert wrong not in joined


def test_catalog_is_compiled_when_missing_and_again_when_the_po_is_newer(tmp_path: Path) -> None:
    shutil.copytree(LOCALES_DIR / "ru", tmp_path / "ru")
    po_path, mo_path = catalog_paths("ru", tmp_path)
    mo_path.unlink(missing_ok=True)

    compiled = compile_catalog("ru", tmp_path)

    assert mo_path.read_bytes() == compiled
    with mo_path.open("rb") as file:
        assert read_mo(file).get("Case status").string == "Статус обращения"

    po_path.write_text(
        po_path.read_text(encoding="utf-8").replace("Статус обращения", "Состояние обращения"),
        encoding="utf-8",
    )
    old = mo_path.stat().st_mtime - 10
    os.utime(mo_path, (old, old))
    compile_catalog("ru", tmp_path)
    with mo_path.open("rb") as file:
        assert read_mo(file).get("Case status").string == "Состояние обращения"


def test_compiling_works_from_a_read_only_install(tmp_path: Path) -> None:
    shutil.copytree(LOCALES_DIR / "uz_Cyrl", tmp_path / "uz_Cyrl")
    _, mo_path = catalog_paths("uz_Cyrl", tmp_path)
    mo_path.unlink(missing_ok=True)
    mo_path.parent.chmod(0o555)
    try:
        compiled = compile_catalog("uz_Cyrl", tmp_path)
    finally:
        mo_path.parent.chmod(0o755)
    assert compiled.startswith(b"\xde\x12\x04\x95")  # the .mo magic number
    if os.geteuid() != 0:  # root writes through read-only directories
        assert not mo_path.exists()


@pytest.mark.parametrize(
    ("tag", "language"),
    [
        ("uz", "uz_Latn"),
        ("uz-Latn-UZ", "uz_Latn"),
        ("uz-Cyrl", "uz_Cyrl"),
        ("uz_Cyrl", "uz_Cyrl"),
        ("ru-RU", "ru"),
        ("en-GB", "en"),
        ("kk", None),
        ("", None),
    ],
)
def test_language_tags(tag: str, language: str | None) -> None:
    assert language_from_tag(tag) == language


def test_pick_language_order() -> None:
    assert pick_language("ru", "en") == "ru"
    assert pick_language(None, "de;q=0.9, uz-Cyrl;q=0.8, ru;q=0.7") == "uz_Cyrl"
    assert pick_language(None, "ru;q=0, en") == "en"
    assert pick_language("fr", "tr, *;q=0.1") == "uz_Latn"
    assert pick_language(None, "en;q=abc, ru;q=0.5") == "ru"
