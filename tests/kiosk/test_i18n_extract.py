"""The Babel extractor that pulls service texts out of kiosk profile TOML files."""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.extract import extract

from kiosk.i18n_extract import extract_profile

PROFILE = """\
[kiosk]
code = "0099"
name = "Test kiosk"
office = "Samarqand city migration office"

[[services]]
code = "visa_extension"
kind = "application"
title = "Extend a visa"
description = "For foreign citizens staying longer"
categories = [
    { code = "work", title = "Work" },
    { code = "study", title = "Study" },
]

[[services]]
code = "lost_documents"
kind = "report"
title = "Report lost documents"
categories = [{ code = "passport", title = "Passport" }]
"""


def test_extracts_office_titles_descriptions_and_categories() -> None:
    found = list(extract_profile(io.BytesIO(PROFILE.encode()), {}, [], {}))
    messages = [message for _line, _function, message, _comments in found]
    assert messages == [
        "Samarqand city migration office",
        "Extend a visa",
        "For foreign citizens staying longer",
        "Work",
        "Study",
        "Report lost documents",
        "Passport",
    ]
    lines = {message: line for line, _function, message, _comments in found}
    assert lines["Extend a visa"] == 9
    assert lines["Passport"] == 20
    assert all(comments for *_rest, comments in found)  # each carries a hint for translators


def test_babel_finds_the_extractor_by_name(tmp_path: Path) -> None:
    profile = tmp_path / "kiosk.toml"
    profile.write_text(PROFILE)
    with profile.open("rb") as handle:
        found = list(extract("kiosk.i18n_extract:extract_profile", handle))
    messages = {message for _line, message, _comments, _context in found}
    assert {"Extend a visa", "Study", "Samarqand city migration office"} <= messages
