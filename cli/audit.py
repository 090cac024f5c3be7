"""``station audit``: verify the audit log, anchor its head, show the anchors' public key."""

from __future__ import annotations

import argparse
from pathlib import Path

from config.settings import BackendSettings


def _audit_verify(args: argparse.Namespace) -> int:
    from backend.commands import audit_report_command

    anchors = Path(args.anchors) if args.anchors else None
    public_key = Path(args.public_key) if args.public_key else None
    report = audit_report_command(BackendSettings(), anchors, public_key)
    print(report.render())
    return 0 if report.intact else 1


def _audit_anchor(args: argparse.Namespace) -> int:
    from backend.commands import anchor_audit_command

    settings = BackendSettings()
    anchor = anchor_audit_command(settings)
    print(
        f"anchored {anchor.seq} entries (newest id {anchor.entry_id}, head {anchor.head}) "
        f"in {settings.resolved_audit_anchor_path}"
    )
    return 0


def _audit_public_key(args: argparse.Namespace) -> int:
    from backend.commands import audit_public_key_command

    print(audit_public_key_command(BackendSettings()), end="")
    return 0


def add_audit_commands(sub: argparse._SubParsersAction) -> None:
    audit = sub.add_parser("audit", help="audit log")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    verify = audit_sub.add_parser(
        "verify", help="check the chain, its newest signed anchor and the cases; exit 1 if not"
    )
    verify.add_argument("--anchors", help="anchor file (default: STATION_AUDIT_ANCHOR_PATH)")
    verify.add_argument(
        "--public-key", help="PEM public key of the anchors (default: from the signing key)"
    )
    verify.set_defaults(func=_audit_verify)
    audit_sub.add_parser(
        "anchor", help="sign the chain's head now and append it to the anchor file"
    ).set_defaults(func=_audit_anchor)
    audit_sub.add_parser(
        "public-key", help="print the PEM public key the anchors verify with"
    ).set_defaults(func=_audit_public_key)
