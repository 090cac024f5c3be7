"""The operators' fleet dashboard: HTML pages that draw themselves from the fleet JSON API."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from backend.contracts import CommandKind
from backend.db import Database
from backend.db_types import utc_now
from backend.fleet.staff_deps import SESSION_COOKIE
from backend.services.fleet_commands import ALLOWED_COMMANDS
from backend.services.staff import StaffMember, resolve_session

_BACKEND_DIR = Path(__file__).resolve().parents[1]
TEMPLATES_DIR = _BACKEND_DIR / "templates" / "fleet"
STATIC_DIR = _BACKEND_DIR / "static" / "fleet"
STATIC_PATH = "/fleet/static"
LOGIN_PATH = "/fleet/login"
ENROL_PATH = "/fleet/enrol"

# In the order the buttons appear; each role sees those the fleet API accepts from it.
COMMAND_LABELS: dict[CommandKind, str] = {
    CommandKind.OUT_OF_SERVICE: "Out of service",
    CommandKind.BACK_IN_SERVICE: "Back in service",
    CommandKind.RESTART_APP: "Restart app",
    CommandKind.RELOAD_CONFIG: "Reload configuration",
    CommandKind.TAKE_SCREENSHOT: "Take screenshot",
    CommandKind.PRINT_TEST_PAGE: "Print test page",
}
_PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
}

router = APIRouter(include_in_schema=False)

_environment = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def static_files() -> StaticFiles:
    """The dashboard's scripts and style sheet, mounted at ``STATIC_PATH``."""
    return StaticFiles(directory=STATIC_DIR)


def _page(template: str, **context: Any) -> HTMLResponse:
    body = _environment.get_template(template).render(static=STATIC_PATH, **context)
    return HTMLResponse(body, headers=_PAGE_HEADERS)


def _signed_in(request: Request) -> StaffMember | None:
    database: Database = request.app.state.database
    with database.reading() as session:
        return resolve_session(session, request.cookies.get(SESSION_COOKIE), utc_now())


def _to_login(request: Request) -> Response:
    target = urlencode({"next": request.url.path}, safe="/")
    return RedirectResponse(f"{LOGIN_PATH}?{target}", status_code=303)


def _staff_context(member: StaffMember) -> dict[str, Any]:
    return {"username": member.username, "role": member.role.value}


def _to_enrolment() -> Response:
    return RedirectResponse(ENROL_PATH, status_code=303)


@router.get(LOGIN_PATH, response_class=HTMLResponse)
def login_page(request: Request) -> Response:
    member = _signed_in(request)
    if member is not None:
        return _to_enrolment() if member.enrolment_only else RedirectResponse("/fleet", 303)
    return _page("login.html", title="Sign in")


@router.get(ENROL_PATH, response_class=HTMLResponse)
def enrolment_page(request: Request) -> Response:
    """The one page a session without a second factor may reach."""
    member = _signed_in(request)
    if member is None:
        return _to_login(request)
    if not member.enrolment_only:
        return RedirectResponse("/fleet", status_code=303)
    return _page("enrol.html", title="Set up your authenticator", **_staff_context(member))


@router.get("/fleet", response_class=HTMLResponse)
@router.get("/fleet/", response_class=HTMLResponse)
def overview_page(request: Request) -> Response:
    member = _signed_in(request)
    if member is None:
        return _to_login(request)
    if member.enrolment_only:
        return _to_enrolment()
    return _page("overview.html", title="Fleet", **_staff_context(member))


@router.get("/fleet/kiosks/{code}", response_class=HTMLResponse)
def kiosk_page(request: Request, code: str) -> Response:
    member = _signed_in(request)
    if member is None:
        return _to_login(request)
    if member.enrolment_only:
        return _to_enrolment()
    allowed = ALLOWED_COMMANDS[member.role]
    commands = [(kind.value, label) for kind, label in COMMAND_LABELS.items() if kind in allowed]
    return _page(
        "kiosk.html", title=f"Kiosk {code}", code=code, commands=commands, **_staff_context(member)
    )
