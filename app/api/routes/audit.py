"""Every write: who, when, what, before and after (admins only)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from app.api.auth import AdminKey
from app.api.deps import PagingDep, SessionDep
from app.schemas.audit import AuditRead
from app.schemas.common import ERROR_RESPONSES, ErrorBody, Page
from app.services.audit import audit_page

router = APIRouter(responses=ERROR_RESPONSES)


@router.get(
    "/audit",
    summary="Every write, newest first (admin)",
    responses={
        401: {"model": ErrorBody, "description": "no key, or an unknown or revoked key"},
        403: {"model": ErrorBody, "description": "only an admin key may read the audit"},
        429: {"model": ErrorBody, "description": "too many failed authentications; retry later"},
    },
)
def list_audit(
    session: SessionDep,
    _key: AdminKey,
    paging: PagingDep,
    entity: Annotated[Literal["observation", "target", "plan", "document"] | None, Query()] = None,
    actor: Annotated[str | None, Query(max_length=100)] = None,
) -> Page[AuditRead]:
    return audit_page(session, entity, actor, paging.limit, paging.offset)
