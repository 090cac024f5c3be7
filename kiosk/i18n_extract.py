"""A Babel extractor for kiosk profile TOML files: service and category titles, office name.

Profiles name services in English; those texts are msgids that the kiosk catalogs translate.
Used through ``kiosk/locales/babel.cfg``. To refresh the catalogs after changing messages, run
from the project root (then translate what ``update`` added, in every language)::

    .venv/bin/python -m babel.messages.frontend extract -F kiosk/locales/babel.cfg \
        -c Translators: --add-location=file --sort-by-file -w 100 \
        --project="Smart Station" -o kiosk/locales/kiosk.pot .
    .venv/bin/python -m babel.messages.frontend update -i kiosk/locales/kiosk.pot \
        -d kiosk/locales -D kiosk -w 100 --no-fuzzy-matching --ignore-obsolete
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

from config.profiles import KioskProfile

Extracted = tuple[int, str | None, str, list[str]]


def profile_messages(profile: KioskProfile) -> Iterator[tuple[str, str]]:
    """(message, translator comment) for every citizen-facing text of a profile."""
    if profile.kiosk.office:
        yield profile.kiosk.office, "office name shown on screens and receipts"
    for service in profile.services:
        yield service.title, f"title of the service {service.code} ({service.kind})"
        if service.description:
            yield service.description, f"description of the service {service.code}"
        for category in service.categories:
            yield category.title, f"subject category {category.code} of {service.code}"


def extract_profile(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[Extracted]:
    """Babel extraction method: yields (line, function, message, comments)."""
    raw = fileobj.read()
    profile = KioskProfile.model_validate(tomllib.loads(raw.decode("utf-8")))
    lines = raw.decode("utf-8").splitlines()
    for message, comment in profile_messages(profile):
        yield _line_of(lines, message), None, message, [comment]


def _line_of(lines: list[str], message: str) -> int:
    quoted = json.dumps(message, ensure_ascii=False)
    for number, line in enumerate(lines, start=1):
        if quoted in line:
            return number
    return 1
