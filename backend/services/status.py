"""Status links: the tag a receipt's QR carries, and finding a case only by a valid link."""

from __future__ import annotations

import hmac
import re

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from backend.contracts import (
    STATUS_TAG_CHARS,
    CaseNumberError,
    derive_status_link_key,
    kiosk_code_of,
    normalize_case_number,
    status_tag,
    status_url,
)
from backend.models import Case

_TAG_PATTERN = re.compile(rf"[a-z2-7]{{{STATUS_TAG_CHARS}}}")
_NUMBER_PATTERN = re.compile(r"\d{12}")


def status_url_for(master_secret: bytes, public_base_url: str, case_number: str) -> str:
    """The public status URL printed (as a QR) on the case's receipt."""
    link_key = derive_status_link_key(master_secret, kiosk_code_of(case_number))
    return status_url(public_base_url, link_key, case_number)


def link_is_authentic(master_secret: bytes, case_number: str, tag: str) -> bool:
    """Whether ``tag`` is the status tag of ``case_number``; says nothing of the case existing."""
    if not _NUMBER_PATTERN.fullmatch(case_number) or not _TAG_PATTERN.fullmatch(tag):
        return False
    try:
        normalize_case_number(case_number)
    except CaseNumberError:
        return False
    link_key = derive_status_link_key(master_secret, kiosk_code_of(case_number))
    return hmac.compare_digest(status_tag(link_key, case_number), tag)


def find_case_by_link(
    session: Session, master_secret: bytes, case_number: str, tag: str
) -> Case | None:
    """The case a status link points to, or None for any mismatch (malformed, forged, unknown)."""
    if not link_is_authentic(master_secret, case_number, tag):
        return None
    return session.scalar(
        select(Case).options(joinedload(Case.kiosk)).where(Case.case_number == case_number)
    )
