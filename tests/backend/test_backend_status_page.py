"""The public HTML status page opened from a receipt's QR code."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backend.case_states import CaseState
from backend.contracts import group_case_number, make_case_number
from backend.db import Database
from backend.i18n import LANGUAGES, translations_for
from backend.services.cases import change_case_state
from backend.status_page import NEXT_STEPS, STAGE_LABELS

HTML_LANG = {"uz_Latn": "uz-Latn", "uz_Cyrl": "uz-Cyrl", "ru": "ru", "en": "en"}


def page_path(accepted: dict[str, Any]) -> str:
    return "/s/" + accepted["status_url"].split("/s/", 1)[1]


def text_of(page: str) -> str:
    """The page's visible text, unescaped, with whitespace collapsed."""
    without_style = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", without_style)).split())


def current_step(page: str) -> str:
    match = re.search(r'<li class="step[^"]*" aria-current="step">(.*?)</li>', page, re.S)
    assert match is not None
    return text_of(match.group(1))


@pytest.mark.parametrize("language", LANGUAGES)
def test_page_in_each_language_shows_stage_and_no_personal_data(
    client: TestClient,
    kiosk_headers: dict[str, str],
    make_submission: Callable[..., dict[str, Any]],
    language: str,
) -> None:
    body = make_submission(sequence=21)
    accepted = client.post("/api/v1/cases", json=body, headers=kiosk_headers).json()

    response = client.get(page_path(accepted), params={"lang": language})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-language"] == HTML_LANG[language]
    page = response.text
    visible = text_of(page)
    gettext = translations_for(language).gettext  # type: ignore[arg-type]
    assert f'<html lang="{HTML_LANG[language]}">' in page
    assert group_case_number(body["case_number"]) in visible
    assert gettext(STAGE_LABELS["received"]) in current_step(page)
    assert gettext(NEXT_STEPS["received"]) in visible
    assert "Toshkent sh., Yunusobod tumani migratsiya boʻlimi" in visible
    for name in ("Oʻzbekcha", "Ўзбекча", "Русский", "English"):
        assert name in visible
    # Nothing the citizen wrote or typed about themselves.
    assert body["text"] not in page
    assert body["text"][:20] not in page
    assert body["phone"] not in page
    assert body["phone"][4:] not in page
    assert "Kiosk 42" not in page


def test_translated_pages_differ_from_english(
    client: TestClient, submit: Callable[..., dict[str, Any]]
) -> None:
    path = page_path(submit())
    english = text_of(client.get(path, params={"lang": "en"}).text)
    for language in ("uz_Latn", "uz_Cyrl", "ru"):
        translated = text_of(client.get(path, params={"lang": language}).text)
        assert "What to do next" in english
        assert "What to do next" not in translated
    uzbek = client.get(path, params={"lang": "uz_Latn"}).text
    assert "Keyingi qadam" in uzbek and "Qabul qilindi" in uzbek


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [
        (None, "uz-Latn"),
        ("ru-RU,ru;q=0.9,en;q=0.8", "ru"),
        ("uz-Cyrl-UZ", "uz-Cyrl"),
        ("uz", "uz-Latn"),
        ("de-DE,fr;q=0.9,en;q=0.5", "en"),
        ("en;q=0.2,ru;q=0.8", "ru"),
        ("de-DE", "uz-Latn"),
    ],
)
def test_language_comes_from_accept_language_without_lang(
    client: TestClient,
    submit: Callable[..., dict[str, Any]],
    accept_language: str | None,
    expected: str,
) -> None:
    headers = {"Accept-Language": accept_language} if accept_language else {}
    response = client.get(page_path(submit()), headers=headers)
    assert f'<html lang="{expected}">' in response.text
    assert response.headers["vary"] == "Accept-Language"


def test_lang_parameter_wins_and_unknown_values_are_ignored(
    client: TestClient, submit: Callable[..., dict[str, Any]]
) -> None:
    path = page_path(submit())
    ru = client.get(path, params={"lang": "ru"}, headers={"Accept-Language": "en"})
    assert '<html lang="ru">' in ru.text
    bogus = client.get(path, params={"lang": "xx"}, headers={"Accept-Language": "uz-Cyrl"})
    assert bogus.status_code == 200
    assert '<html lang="uz-Cyrl">' in bogus.text


def test_tampered_tag_unknown_number_and_malformed_paths_get_the_same_404_page(
    client: TestClient, submit: Callable[..., dict[str, Any]]
) -> None:
    accepted = submit()
    number, tag = page_path(accepted).removeprefix("/s/").split("/")
    tampered = tag[:-1] + ("a" if tag[-1] != "a" else "b")
    unknown = make_case_number("0042", 4444)

    pages = {
        path: client.get(path, params={"lang": "ru"})
        for path in (
            f"/s/{number}/{tampered}",
            f"/s/{unknown}/{tag}",
            f"/s/{number[:-1]}x/{tag}",
            f"/s/{number}",
            f"/s/{number}/{tag}/extra",
            "/s/",
            "/s/%00/..",
        )
    }

    bodies = {response.text for response in pages.values()}
    assert len(bodies) == 1
    for path, response in pages.items():
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("text/html")
    page = bodies.pop()
    assert "Обращение не найдено" in page
    assert number not in page and "Yunusobod" not in page


def test_page_follows_state_changes(
    client: TestClient, submit: Callable[..., dict[str, Any]], database: Database
) -> None:
    accepted = submit()
    path = page_path(accepted)
    for to_state, stage_label in (
        (CaseState.UNDER_REVIEW, "In review"),
        (CaseState.NEEDS_INFORMATION, "Action needed"),
        (CaseState.UNDER_REVIEW, "In review"),
        (CaseState.APPROVED, "Decision made"),
        (CaseState.DOCUMENT_READY, "Document ready"),
    ):
        with database.transaction() as session:
            change_case_state(session, accepted["case_number"], to_state, "officer:1")
        page = client.get(path, params={"lang": "en"}).text
        assert stage_label in current_step(page)
    assert "You can collect it at the office shown below" in text_of(page)


def test_appeals_have_no_document_step(
    client: TestClient, submit: Callable[..., dict[str, Any]]
) -> None:
    application = client.get(page_path(submit(sequence=1)), params={"lang": "en"}).text
    appeal = client.get(
        page_path(submit(sequence=2, service_kind="appeal")), params={"lang": "en"}
    ).text
    assert "Document ready" in application
    assert "Document ready" not in appeal
    assert "Appeal" in text_of(appeal)


def test_page_is_not_cached_indexed_or_leaking_its_link(
    client: TestClient, submit: Callable[..., dict[str, Any]]
) -> None:
    response = client.get(page_path(submit()))
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "noindex" in response.headers["x-robots-tag"]
    assert "default-src 'none'" in response.headers["content-security-policy"]
