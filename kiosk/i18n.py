"""The kiosk's message catalogs (gettext, managed with Babel) and locale-aware dates.

Catalogs live in ``kiosk/locales/<language>/LC_MESSAGES/kiosk.po`` with English msgids.
The compiled ``.mo`` files are not kept in the repository: they are compiled here, at first
use, whenever one is missing or older than its ``.po``.
"""

from __future__ import annotations

import functools
import gettext
import io
import logging
import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time, get_datetime_format
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from config.profiles import ALL_LANGUAGES, LanguageCode

log = logging.getLogger(__name__)

DOMAIN = "kiosk"
LOCALES_DIR = Path(__file__).resolve().parent / "locales"
TIMEZONE = ZoneInfo("Asia/Tashkent")


def N_(message: str) -> str:
    """Mark a message for extraction where it is defined; it is translated where shown."""
    return message


def po_path(language: LanguageCode, locales_dir: Path = LOCALES_DIR) -> Path:
    return locales_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def compiled_catalog(language: LanguageCode, locales_dir: Path = LOCALES_DIR) -> bytes:
    """The ``.mo`` bytes of a language, compiling and caching them when stale."""
    po = po_path(language, locales_dir)
    mo = po.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        return mo.read_bytes()
    with po.open("rb") as handle:
        catalog = read_po(handle, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    data = buffer.getvalue()
    temporary = mo.with_name(f".{mo.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, mo)  # atomic, so a second kiosk process never reads half a file
    except OSError as error:
        log.warning("cannot cache compiled catalog %s: %s", mo, error)
    return data


class Translator:
    """Messages and dates in one language."""

    def __init__(self, language: LanguageCode, translations: gettext.NullTranslations) -> None:
        self.language = language
        self.locale = Locale.parse(language)
        self._translations = translations

    def gettext(self, message: str) -> str:
        return self._translations.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return self._translations.ngettext(singular, plural, count)

    def pgettext(self, context: str, message: str) -> str:
        return self._translations.pgettext(context, message)

    def format_datetime(self, moment: datetime) -> str:
        """Date and time in Tashkent, e.g. ``22 ноября 2025 г., 14:05``."""
        local = moment.astimezone(TIMEZONE)
        pattern = get_datetime_format("medium", locale=self.locale)
        return pattern.format(
            format_time(local, "short", locale=self.locale),
            format_date(local, "long", locale=self.locale),
        )

    def format_date(self, moment: datetime) -> str:
        return format_date(moment.astimezone(TIMEZONE), "long", locale=self.locale)


@functools.cache
def translator(language: LanguageCode) -> Translator:
    """The translator of one of the kiosk's languages."""
    if language not in ALL_LANGUAGES:
        raise ValueError(f"no catalog for language {language!r}")
    translations = gettext.GNUTranslations(io.BytesIO(compiled_catalog(language)))
    return Translator(language, translations)
