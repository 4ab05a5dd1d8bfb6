"""Every write as the audit trail recorded it: who, when, what, before and after."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.queries import paging
from app.queries.audit import audit_query
from app.schemas.audit import AuditRead
from app.schemas.common import Page


def audit_page(
    session: Session, entity: str | None, actor: str | None, limit: int, offset: int
) -> Page[AuditRead]:
    stmt = audit_query(entity, actor)
    return Page(
        items=[AuditRead.model_validate(r) for r in paging.entities(session, stmt, limit, offset)],
        total=paging.count(session, stmt),
        limit=limit,
        offset=offset,
    )
