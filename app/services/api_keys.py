"""API keys: created with a role (and optionally a scope of regions), stored as a SHA-256
hash, checked in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from app import changes
from app.errors import Forbidden, Unauthorized
from app.models import ApiKey
from app.models.types import utc_now
from app.queries import api_keys as q
from app.queries.reference import parents

KEY_PREFIX = "ptk_"


class KeyRefused(Exception):
    """A key that cannot be made as asked (a name taken, a region that does not exist)."""


class KeyNameTaken(KeyRefused):
    pass


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(session: Session, name: str, role: str, regions: Sequence[str] = ()) -> str:
    """A new key; with ``regions`` it may write only for them and their descendants."""
    changes.touch_nothing(session)  # no cached answer holds a key
    if q.by_name(session, name) is not None:
        raise KeyNameTaken(f"a key named '{name}' exists already")
    unknown = sorted(set(regions) - set(parents(session, set(regions))))
    if unknown:
        raise KeyRefused(f"no region {', '.join(unknown)} (see GET /api/v1/regions)")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(name=name, role=role, key_hash=hash_key(key))
    session.add(row)
    session.flush()
    q.add_scope(session, row.id, sorted(set(regions)))
    session.flush()
    return key


def list_keys(session: Session) -> list[str]:
    changes.touch_nothing(session)

    def when(moment: datetime | None) -> str:
        return "-" if moment is None else moment.isoformat(timespec="seconds")

    rows = q.all_by_name(session)
    scopes = q.scopes_by_key(session)
    return [
        f"{k.name}\t{k.role}\tregions {','.join(scopes.get(k.id, ['all']))}"
        f"\tcreated {when(k.created_at)}\tlast used {when(k.last_used_at)}"
        f"\trevoked {when(k.revoked_at)}"
        for k in rows
    ]


def revoke_key(session: Session, name: str) -> bool:
    changes.touch_nothing(session)
    key = q.by_name(session, name, active_only=True)
    if key is None:
        return False
    key.revoked_at = utc_now()
    return True


def find_key(session: Session, presented: str) -> ApiKey | None:
    """The active key matching ``presented``; the hash comparison is constant-time."""
    digest = hash_key(presented)
    candidate = q.by_hash(session, digest)
    if candidate is None or not hmac.compare_digest(candidate.key_hash, digest):
        return None
    if candidate.revoked_at is not None:
        return None
    return candidate


def touch(key: ApiKey) -> None:
    """Mark the key used now (written with the transaction it is used in)."""
    key.last_used_at = utc_now()


def authorize(key: ApiKey, roles: tuple[str, ...]) -> ApiKey:
    if key.role not in roles:
        raise Forbidden(f"this needs the role {' or '.join(roles)}; the key has '{key.role}'")
    return key


def authenticate(session: Session, presented: str, roles: tuple[str, ...]) -> ApiKey:
    """The active key ``presented`` names, if its role is among ``roles`` (401, 403)."""
    key = find_key(session, presented)
    if key is None:
        raise Unauthorized("the API key is unknown or revoked")
    return authorize(key, roles)
