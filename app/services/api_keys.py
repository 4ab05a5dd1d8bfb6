"""API keys: created with a role, stored as a SHA-256 hash, checked in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import ApiKey
from app.models.types import utc_now

KEY_PREFIX = "ptk_"


class KeyNameTaken(Exception):
    pass


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(session: Session, name: str, role: str) -> str:
    if session.scalar(select(ApiKey).where(ApiKey.name == name)) is not None:
        raise KeyNameTaken(f"a key named '{name}' exists already")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiKey(name=name, role=role, key_hash=hash_key(key)))
    session.flush()
    return key


def list_keys(session: Session) -> list[str]:
    def when(moment: datetime | None) -> str:
        return "-" if moment is None else moment.isoformat(timespec="seconds")

    rows = session.scalars(select(ApiKey).order_by(ApiKey.name)).all()
    return [
        f"{k.name}\t{k.role}\tcreated {when(k.created_at)}\tlast used {when(k.last_used_at)}"
        f"\trevoked {when(k.revoked_at)}"
        for k in rows
    ]


def revoke_key(session: Session, name: str) -> bool:
    key = session.scalar(select(ApiKey).where(ApiKey.name == name, ApiKey.revoked_at.is_(None)))
    if key is None:
        return False
    key.revoked_at = utc_now()
    return True


def find_key(session: Session, presented: str) -> ApiKey | None:
    """The active key matching ``presented``; the hash comparison is constant-time."""
    digest = hash_key(presented)
    candidate = session.scalar(select(ApiKey).where(ApiKey.key_hash == digest))
    if candidate is None or not hmac.compare_digest(candidate.key_hash, digest):
        return None
    if candidate.revoked_at is not None:
        return None
    return candidate
