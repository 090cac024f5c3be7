"""The audit chain's head, signed with Ed25519 and appended to a JSONL file outside the database.

Each line is ``{"seq", "entry_id", "head", "at", "signature"}``: the chain had ``seq`` entries,
the newest ``entry_id`` with hash ``head``, at time ``at``; the signature (base64) covers the
other four fields as canonical JSON. A chain later shorter than ``seq``, or with another hash
at that position, lost or rewrote entries.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy.orm import Session

from backend.audit import chain_head
from backend.db_types import utc_now

# Enough of the file's end to hold its last line (a line is about 250 bytes).
_TAIL_BYTES = 4096


@dataclass(frozen=True)
class Anchor:
    seq: int
    entry_id: int | None
    head: str
    at: str
    signature: str = ""

    def payload(self) -> bytes:
        """What the signature covers."""
        fields = {"seq": self.seq, "entry_id": self.entry_id, "head": self.head, "at": self.at}
        return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()

    def line(self) -> str:
        fields = {"seq": self.seq, "entry_id": self.entry_id, "head": self.head, "at": self.at}
        return json.dumps({**fields, "signature": self.signature}, sort_keys=True) + "\n"

    def verifies(self, public_key: Ed25519PublicKey) -> bool:
        try:
            public_key.verify(base64.b64decode(self.signature, validate=True), self.payload())
        except (InvalidSignature, binascii.Error, ValueError):
            return False
        return True

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Anchor:
        """An anchor from one parsed line; ValueError when a field is missing or mistyped."""
        seq, entry_id = raw.get("seq"), raw.get("entry_id")
        head, at, signature = raw.get("head"), raw.get("at"), raw.get("signature")
        if not isinstance(seq, int) or not (entry_id is None or isinstance(entry_id, int)):
            raise ValueError("seq and entry_id must be integers")
        if not all(isinstance(value, str) for value in (head, at, signature)):
            raise ValueError("head, at and signature must be strings")
        return cls(seq, entry_id, str(head), str(at), str(signature))


def load_signing_key(path: Path) -> Ed25519PrivateKey:
    """The anchor signing key at ``path``; generated (PEM, 0600) the first time."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        # Created 0600 from the start; a concurrent creator wins and its key is read below.
        with contextlib.suppress(FileExistsError):
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(pem)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    return key


def public_key_pem(private_key: Ed25519PrivateKey) -> str:
    return (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key


def sign_head(session: Session, private_key: Ed25519PrivateKey) -> Anchor:
    """An anchor of the chain's current head, signed."""
    seq, entry_id, head = chain_head(session)
    unsigned = Anchor(seq, entry_id, head, utc_now().isoformat(timespec="seconds"))
    signature = base64.b64encode(private_key.sign(unsigned.payload())).decode()
    return Anchor(seq, entry_id, head, unsigned.at, signature)


def append_anchor(path: Path, anchor: Anchor) -> None:
    """Add one line to the anchor file (opened append-only) and make it durable."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(descriptor, anchor.line().encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def read_anchor_lines(path: Path) -> list[tuple[int, Anchor | None]]:
    """Every line of the anchor file as (line number, anchor, or None when unreadable)."""
    lines: list[tuple[int, Anchor | None]] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                lines.append((number, _parse(line)))
    return lines


def last_anchor(path: Path) -> Anchor | None:
    """The newest anchor, read from the file's end only (the file grows without bound)."""
    if not path.exists():
        return None
    with path.open("rb") as handle:
        handle.seek(0, os.SEEK_END)
        handle.seek(max(0, handle.tell() - _TAIL_BYTES))
        tail = handle.read().decode("utf-8", errors="replace")
    lines = [line for line in tail.splitlines() if line.strip()]
    return _parse(lines[-1]) if lines else None


def _parse(line: str) -> Anchor | None:
    try:
        raw = json.loads(line)
        return Anchor.from_json(raw) if isinstance(raw, dict) else None
    except ValueError:
        return None


def anchor_if_changed(
    session: Session, private_key: Ed25519PrivateKey, path: Path, force: bool = False
) -> Anchor | None:
    """Sign and append the current head, unless it is the newest anchor's already (or
    ``force``); returns the new anchor, or None when nothing changed."""
    anchor = sign_head(session, private_key)
    previous = last_anchor(path)
    unchanged = previous is not None and (previous.seq, previous.head) == (anchor.seq, anchor.head)
    if unchanged and not force:
        return None
    append_anchor(path, anchor)
    return anchor
