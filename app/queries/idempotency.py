"""Answers kept for ``Idempotency-Key`` retries."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import IdempotencyRecord


def find(session: Session, api_key_id: int, key: str) -> IdempotencyRecord | None:
    return session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.api_key_id == api_key_id, IdempotencyRecord.key == key
        )
    )
