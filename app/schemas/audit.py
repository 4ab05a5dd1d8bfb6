from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from app.schemas.common import ReadModel


class AuditRead(ReadModel):
    id: int
    at: datetime
    actor: str = Field(examples=["planning-office-admin"])
    action: str = Field(examples=["update"], description="create, update or retire")
    entity: str = Field(examples=["target"], description="observation, target, plan or document")
    entity_id: int | None = Field(description="the row's id; null for a document")
    entity_key: str | None = Field(
        default=None, description="a document's code (its key); null for the others"
    )
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
