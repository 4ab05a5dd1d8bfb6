"""Every write: who, when, what, before and after (admins only)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from sqlalchemy import func, select

from app.api.auth import AdminKey
from app.api.deps import PagingDep, SessionDep
from app.models import AuditEntry
from app.schemas.audit import AuditRead
from app.schemas.common import ERROR_RESPONSES, Page

router = APIRouter(responses=ERROR_RESPONSES)


@router.get("/audit", summary="Every write, newest first (admin)")
def list_audit(
    session: SessionDep,
    _key: AdminKey,
    paging: PagingDep,
    entity: Annotated[Literal["observation", "target", "plan"] | None, Query()] = None,
    actor: Annotated[str | None, Query(max_length=100)] = None,
) -> Page[AuditRead]:
    stmt = select(AuditEntry)
    if entity is not None:
        stmt = stmt.where(AuditEntry.entity == entity)
    if actor is not None:
        stmt = stmt.where(AuditEntry.actor == actor)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(paging.limit)
        .offset(paging.offset)
    ).all()
    return Page(
        items=[AuditRead.model_validate(r) for r in rows],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )
