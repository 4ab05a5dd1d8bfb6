"""API keys by name or by hash."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import ApiKey, ApiKeyRegion


def by_name(session: Session, name: str, *, active_only: bool = False) -> ApiKey | None:
    stmt = select(ApiKey).where(ApiKey.name == name)
    if active_only:
        stmt = stmt.where(ApiKey.revoked_at.is_(None))
    return session.scalar(stmt)


def by_hash(session: Session, digest: str) -> ApiKey | None:
    return session.scalar(select(ApiKey).where(ApiKey.key_hash == digest))


def all_by_name(session: Session) -> Sequence[ApiKey]:
    return session.scalars(select(ApiKey).order_by(ApiKey.name)).all()


def scope_codes(session: Session, key_id: int) -> list[str]:
    """The regions a key is scoped to; none for an unscoped key."""
    return list(
        session.scalars(
            select(ApiKeyRegion.region_code)
            .where(ApiKeyRegion.api_key_id == key_id)
            .order_by(ApiKeyRegion.region_code)
        )
    )


def scopes_by_key(session: Session) -> dict[int, list[str]]:
    """Every scoped key's regions, by key id."""
    scopes: dict[int, list[str]] = {}
    stmt = select(ApiKeyRegion.api_key_id, ApiKeyRegion.region_code).order_by(
        ApiKeyRegion.api_key_id, ApiKeyRegion.region_code
    )
    for key_id, code in session.execute(stmt):
        scopes.setdefault(key_id, []).append(code)
    return scopes


def add_scope(session: Session, key_id: int, codes: Iterable[str]) -> None:
    session.add_all(ApiKeyRegion(api_key_id=key_id, region_code=code) for code in codes)
