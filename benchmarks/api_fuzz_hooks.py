"""Schemathesis hooks: strategies for the string formats the API schema names.

Loaded by ``benchmarks/api_fuzz.py`` through ``SCHEMATHESIS_HOOKS``. A case number's check digit
and a personal number's check digit and birth date cannot be said in JSON Schema, so the schema
names a format and these strategies generate values that follow it (the fuzzer still sends
broken ones in its negative phase).
"""

from __future__ import annotations

from datetime import date

import schemathesis
from hypothesis import strategies as st

from backend.contracts import make_case_number, make_personal_number

_case_numbers = st.builds(
    make_case_number,
    st.from_regex(r"\A[0-9]{4}\Z"),
    st.integers(min_value=1, max_value=9_999_999),
)

_personal_numbers = st.builds(
    lambda born, male, region, serial: make_personal_number(
        born, male=male, region=region, serial=serial
    ),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31)),
    st.booleans(),
    st.integers(min_value=0, max_value=999),
    st.integers(min_value=0, max_value=999),
)

schemathesis.openapi.format("case-number", _case_numbers)
schemathesis.openapi.format("personal-number", _personal_numbers)

DUPLICATE_FINGER = "each finger may be given once"


@schemathesis.hook
def filter_body(context: schemathesis.HookContext, body: object) -> bool:
    """Each finger once per case: a rule of the list JSON Schema cannot state."""
    operation = context.operation
    if operation is None or operation.path != "/api/v1/cases" or not isinstance(body, dict):
        return True
    fingers = body.get("fingerprints")
    if not isinstance(fingers, list):
        return True
    named = [item.get("finger") for item in fingers if isinstance(item, dict)]
    return len(named) == len(set(map(str, named)))


@schemathesis.hook
def filter_failure(
    context: schemathesis.HookContext, failure: object, case: schemathesis.Case, response: object
) -> bool:
    """Keep every failure but a refused duplicate finger, which the schema cannot rule out.

    The coverage phase builds its bodies without ``filter_body``.
    """
    text = getattr(response, "text", "") or ""
    return not (case.operation.path == "/api/v1/cases" and DUPLICATE_FINGER in text)
