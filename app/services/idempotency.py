"""``Idempotency-Key``: a retried POST returns the first answer and records nothing new."""

from __future__ import annotations

import hashlib

from sqlalchemy.orm import Session

from app.errors import AppError
from app.models import ApiKey, IdempotencyRecord
from app.queries import idempotency as q


def request_hash(method: str, path: str, content_type: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), content_type.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def replay(
    session: Session, key: ApiKey, idem_key: str, fingerprint: str
) -> IdempotencyRecord | None:
    record = q.find(session, key.id, idem_key)
    if record is not None and record.request_hash != fingerprint:
        raise AppError(
            "this Idempotency-Key was used with another request body", 409, "idempotency_conflict"
        )
    return record


def remember(
    session: Session, key: ApiKey, idem_key: str, fingerprint: str, status: int, body: str
) -> None:
    session.add(
        IdempotencyRecord(
            api_key_id=key.id,
            key=idem_key,
            request_hash=fingerprint,
            status_code=status,
            response_body=body,
        )
    )
