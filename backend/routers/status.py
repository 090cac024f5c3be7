"""Public case status by receipt link: JSON and the HTML page citizens open from the QR."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from backend.contracts import CaseStatusView, ErrorBody, Language
from backend.deps import DatabaseDep, Settings, enforce_public_rate_limit, public_rate_limit_wait
from backend.errors import CaseNotFound
from backend.i18n import HTML_LANG, pick_language
from backend.services.cases import case_status_view
from backend.services.status import find_case_by_link
from backend.status_page import StatusPages

router = APIRouter(tags=["status"])

_PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Vary": "Accept-Language",
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
}


def _status_by_link(
    database: DatabaseDep, settings: Settings, case_number: str, tag: str
) -> CaseStatusView | None:
    with database.reading() as session:
        case = find_case_by_link(session, settings.resolved_secret_key, case_number, tag)
        return case_status_view(case) if case is not None else None


@router.get(
    "/api/v1/status/{case_number}/{tag}",
    response_model=CaseStatusView,
    dependencies=[Depends(enforce_public_rate_limit)],
    responses={404: {"model": ErrorBody}, 429: {"model": ErrorBody}},
)
def public_status(
    case_number: str, tag: str, database: DatabaseDep, settings: Settings
) -> CaseStatusView:
    status = _status_by_link(database, settings, case_number, tag)
    if status is None:
        raise CaseNotFound("no case for this link")
    return status


def _page(
    body: str, language: Language, status_code: int, retry_after: int | None = None
) -> HTMLResponse:
    headers = {**_PAGE_HEADERS, "Content-Language": HTML_LANG[language]}
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return HTMLResponse(body, status_code=status_code, headers=headers)


def _pages(request: Request) -> StatusPages:
    return request.app.state.status_pages


def _language(request: Request, lang: str | None) -> Language:
    return pick_language(lang, request.headers.get("accept-language"))


@router.get("/s/{case_number}/{tag}", response_class=HTMLResponse, include_in_schema=False)
@router.get("/s/{case_number}/{tag}/", response_class=HTMLResponse, include_in_schema=False)
def status_page(
    request: Request,
    case_number: str,
    tag: str,
    database: DatabaseDep,
    settings: Settings,
    pages: Annotated[StatusPages, Depends(_pages)],
    lang: str | None = None,
) -> HTMLResponse:
    language = _language(request, lang)
    wait = public_rate_limit_wait(request)
    if wait is not None:
        return _page(pages.rate_limited(language), language, 429, retry_after=wait)
    status = _status_by_link(database, settings, case_number, tag)
    if status is None:
        return _page(pages.not_found(language), language, 404)
    return _page(pages.status(status, language), language, 200)


@router.get("/s/{rest:path}", response_class=HTMLResponse, include_in_schema=False)
def malformed_status_link(
    request: Request, pages: Annotated[StatusPages, Depends(_pages)], lang: str | None = None
) -> HTMLResponse:
    """Anything else under /s/ is a damaged link: the same "not found" page as a forged one."""
    language = _language(request, lang)
    wait = public_rate_limit_wait(request)
    if wait is not None:
        return _page(pages.rate_limited(language), language, 429, retry_after=wait)
    return _page(pages.not_found(language), language, 404)
