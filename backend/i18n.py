"""Languages of the public pages: choosing one per request and loading its gettext catalog.

Catalogs are ``locales/<lang>/LC_MESSAGES/status.po``; the ``.mo`` files are compiled here
when missing or older than their ``.po``, so a fresh checkout needs no build step.
"""

from __future__ import annotations

import os
import tempfile
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from backend.contracts import Language

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
DOMAIN = "status"
LANGUAGES: tuple[Language, ...] = ("uz_Latn", "uz_Cyrl", "ru", "en")
DEFAULT_LANGUAGE: Language = "uz_Latn"
# Each language is named in itself, so a citizen finds theirs whatever the page shows.
LANGUAGE_NAMES: dict[Language, str] = {
    "uz_Latn": "Oʻzbekcha",
    "uz_Cyrl": "Ўзбекча",
    "ru": "Русский",
    "en": "English",
}
HTML_LANG: dict[Language, str] = {
    "uz_Latn": "uz-Latn",
    "uz_Cyrl": "uz-Cyrl",
    "ru": "ru",
    "en": "en",
}


def language_from_tag(tag: str) -> Language | None:
    """Map a BCP 47 tag or one of our codes (``uz-Cyrl-UZ``, ``ru_RU``, ``uz_Latn``) to ours."""
    parts = [part.lower() for part in tag.strip().replace("_", "-").split("-") if part]
    if not parts:
        return None
    if parts[0] == "uz":
        return "uz_Cyrl" if "cyrl" in parts[1:] else "uz_Latn"
    if parts[0] == "ru":
        return "ru"
    if parts[0] == "en":
        return "en"
    return None


def _accept_language_ranges(header: str) -> list[str]:
    """The header's language ranges, most preferred first (q=0 dropped, ties keep order)."""
    weighted: list[tuple[float, int, str]] = []
    for index, item in enumerate(header.split(",")):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and quality > 0:
            weighted.append((-quality, index, tag))
    return [tag for _, _, tag in sorted(weighted)]


def pick_language(query_lang: str | None, accept_language: str | None) -> Language:
    """``?lang=`` if it names one of ours, else the best Accept-Language match, else uz_Latn."""
    if query_lang and query_lang in LANGUAGES:
        return query_lang  # type: ignore[return-value]
    for tag in _accept_language_ranges(accept_language or ""):
        language = language_from_tag(tag)
        if language is not None:
            return language
    return DEFAULT_LANGUAGE


def catalog_paths(language: str, locales_dir: Path = LOCALES_DIR) -> tuple[Path, Path]:
    """The ``.po`` file of a language and the ``.mo`` file compiled from it."""
    directory = locales_dir / language / "LC_MESSAGES"
    return directory / f"{DOMAIN}.po", directory / f"{DOMAIN}.mo"


def compile_catalog(language: str, locales_dir: Path = LOCALES_DIR) -> bytes:
    """The ``.mo`` bytes of a language, compiled from its ``.po`` and cached on disk when we can."""
    po_path, mo_path = catalog_paths(language, locales_dir)
    if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
        return mo_path.read_bytes()
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=language, domain=DOMAIN)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    compiled = buffer.getvalue()
    try:
        # Write beside and rename, so a concurrent reader never sees half a file.
        handle, temp_name = tempfile.mkstemp(dir=mo_path.parent, suffix=".mo.tmp")
        with os.fdopen(handle, "wb") as temp_file:
            temp_file.write(compiled)
        os.replace(temp_name, mo_path)
    except OSError:
        pass  # a read-only install still works from the in-memory catalog
    return compiled


@lru_cache(maxsize=len(LANGUAGES))
def translations_for(language: Language) -> Translations:
    return Translations(BytesIO(compile_catalog(language)), domain=DOMAIN)


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated later, where the language is known."""
    return message
