"""``station audit verify``: the chain, its newest signed anchor and the cases it covers."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.audit import ChainCheck, check_chain
from backend.audit_anchors import Anchor, read_anchor_lines
from backend.models import Case

SHOWN_FINDINGS = 50


@dataclass
class AuditReport:
    """Findings (each one a reason to distrust the log) and notes (what was checked)."""

    findings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.findings

    def render(self) -> str:
        lines = list(self.notes)
        if self.intact:
            lines.append("audit log intact: no findings")
            return "\n".join(lines)
        lines.append(f"AUDIT LOG NOT INTACT: {len(self.findings)} finding(s)")
        lines += [f"  - {finding}" for finding in self.findings[:SHOWN_FINDINGS]]
        if len(self.findings) > SHOWN_FINDINGS:
            lines.append(f"  ... and {len(self.findings) - SHOWN_FINDINGS} more")
        return "\n".join(lines)


def build_audit_report(
    session: Session,
    key: bytes,
    anchors_path: Path,
    public_key: Ed25519PublicKey | None,
    require_anchor: bool = False,
) -> AuditReport:
    """Check everything; ``require_anchor`` makes a missing anchor file a finding."""
    report = AuditReport()
    anchor = _latest_good_anchor(report, anchors_path, public_key, require_anchor)
    positions = (anchor.seq,) if anchor is not None and anchor.seq > 0 else ()
    check = check_chain(session, key, positions)
    report.notes.insert(
        0, f"chain: {check.length} entries, newest id {check.head_id}, head {check.head_hash}"
    )
    report.findings += check.findings
    if anchor is not None:
        _compare_with_anchor(report, check, anchor)
    _compare_cases(report, session, check)
    return report


def _latest_good_anchor(
    report: AuditReport,
    path: Path,
    public_key: Ed25519PublicKey | None,
    require_anchor: bool,
) -> Anchor | None:
    if not path.exists():
        message = f"no anchor file at {path}: the chain's tail cannot be checked"
        (report.findings if require_anchor else report.notes).append(message)
        return None
    lines = read_anchor_lines(path)
    if public_key is None:
        report.findings.append("no public key to check the anchor signatures with")
        return None
    latest: Anchor | None = None
    for number, anchor in lines:
        if anchor is None:
            report.findings.append(f"anchor line {number}: unreadable")
        elif not anchor.verifies(public_key):
            report.findings.append(f"anchor line {number}: bad signature (forged or altered)")
        elif latest is not None and anchor.seq < latest.seq:
            report.findings.append(
                f"anchor line {number}: seq {anchor.seq} is below an earlier anchor's {latest.seq}"
            )
        else:
            latest = anchor
    if latest is None:
        report.findings.append(f"{path} holds no validly signed anchor")
    else:
        report.notes.append(
            f"newest anchor: {latest.seq} entries, newest id {latest.entry_id}, at {latest.at}"
        )
    return latest


def _compare_with_anchor(report: AuditReport, check: ChainCheck, anchor: Anchor) -> None:
    if check.length < anchor.seq:
        report.findings.append(
            f"the chain has {check.length} entries but the anchor of {anchor.at} recorded "
            f"{anchor.seq} (newest id {anchor.entry_id}): entries were deleted"
        )
    elif anchor.seq and check.hash_at.get(anchor.seq) != anchor.head:
        report.findings.append(
            f"entry {anchor.seq} of the chain differs from the head anchored at {anchor.at}: "
            "entries were deleted or the chain was rewritten"
        )


def _compare_cases(report: AuditReport, session: Session, check: ChainCheck) -> None:
    """Each case is in the state the chain last recorded for it, and no recorded case is gone."""
    current = {
        number: state for number, state in session.execute(select(Case.case_number, Case.state))
    }
    for number, state in current.items():
        recorded = check.case_states.get(number)
        if recorded is None:
            report.findings.append(f"case {number}: state {state}, but the chain never saw it")
        elif recorded != state:
            report.findings.append(
                f"case {number}: state {state}, but the chain last recorded {recorded} "
                "(changed outside the audited path)"
            )
    for number in check.case_states.keys() - current.keys():
        report.findings.append(f"case {number}: in the chain but missing from the database")
    report.notes.append(f"cases: {len(current)} checked against their audited state")
