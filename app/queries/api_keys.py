"""API keys by name or by hash."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import ApiKey


def by_name(session: Session, name: str, *, active_only: bool = False) -> ApiKey | None:
    stmt = select(ApiKey).where(ApiKey.name == name)
    if active_only:
        stmt = stmt.where(ApiKey.revoked_at.is_(None))
    return session.scalar(stmt)


def by_hash(session: Session, digest: str) -> ApiKey | None:
    return session.scalar(select(ApiKey).where(ApiKey.key_hash == digest))


def all_by_name(session: Session) -> Sequence[ApiKey]:
    return session.scalars(select(ApiKey).order_by(ApiKey.name)).all()
