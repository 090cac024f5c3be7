"""The API under a property-based fuzzer (schemathesis over its own OpenAPI schema).

A short run of ``benchmarks/api_fuzz.py``: no 5xx, no answer that breaks its own schema, no
undocumented status code, no schema-valid request refused and no invalid one accepted, with no
credential, with a kiosk credential and with a staff session.
"""

from __future__ import annotations

from benchmarks.api_fuzz import fuzz


def test_fuzzer_finds_nothing_with_any_identity() -> None:
    runs = fuzz(max_examples=8, seed=20261203)
    assert [run.name for run in runs] == ["anonymous", "kiosk", "staff"]
    for run in runs:
        assert run.generated > 300, run.output[-3000:]
        assert run.failures == 0, run.output[-20000:]
