"""The keyed audit chain: appending, anchoring its head and verifying it all.

Appends N entries (each in its own transaction, as the backend writes them), signs and appends
one anchor, then runs the full check that ``station audit verify`` runs: every keyed hash and
link, the anchor's signature and position, and the cases against the chain.

    python -m benchmarks.audit_chain [--entries 20000]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

SQLite (a temporary file) by default; with ``--database-url`` the run gets a PostgreSQL
database of its own, dropped afterwards. The last line is ``key=value ...``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sqlalchemy import make_url

from backend.audit import append_audit
from backend.audit_anchors import anchor_if_changed, load_signing_key
from backend.audit_report import build_audit_report
from backend.db import Database
from backend.migrate import upgrade_database
from benchmarks.fleet_heartbeat_ingest import own_database

AUDIT_KEY = b"audit-chain-benchmark-key-of-32-characters"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--database-url")
    args = parser.parse_args(argv)
    with (
        tempfile.TemporaryDirectory(prefix="audit-chain-") as folder,
        own_database(args.database_url, Path(folder)) as url,
    ):
        work = Path(folder)
        upgrade_database(url)
        database = Database(url, audit_key=AUDIT_KEY)
        try:
            started = time.perf_counter()
            for index in range(args.entries):
                with database.transaction() as session:
                    append_audit(
                        session,
                        f"officer:{index % 7}",
                        "benchmark.entry",
                        f"item:{index}",
                        {"index": index, "note": "an audited step"},
                    )
            append_seconds = time.perf_counter() - started

            signing_key = load_signing_key(work / "audit_signing_key.pem")
            anchors = work / "audit_anchors.jsonl"
            started = time.perf_counter()
            with database.reading() as session:
                anchor_if_changed(session, signing_key, anchors)
            anchor_seconds = time.perf_counter() - started

            started = time.perf_counter()
            with database.reading() as session:
                report = build_audit_report(session, AUDIT_KEY, anchors, signing_key.public_key())
            verify_seconds = time.perf_counter() - started
        finally:
            database.dispose()
    if not report.intact:
        print(report.render())
        return 1
    print(
        f"database={make_url(url).get_backend_name()} entries={args.entries} "
        f"append_s={append_seconds:.2f} append_per_s={args.entries / append_seconds:.0f} "
        f"anchor_ms={1000 * anchor_seconds:.1f} verify_s={verify_seconds:.2f} "
        f"verify_per_s={args.entries / verify_seconds:.0f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
