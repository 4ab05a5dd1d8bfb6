"""The audit trail, newest first."""

from __future__ import annotations

from sqlalchemy import Select, select

from app.models import AuditEntry


def audit_query(entity: str | None, actor: str | None) -> Select[AuditEntry]:
    stmt = select(AuditEntry)
    if entity is not None:
        stmt = stmt.where(AuditEntry.entity == entity)
    if actor is not None:
        stmt = stmt.where(AuditEntry.actor == actor)
    return stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
