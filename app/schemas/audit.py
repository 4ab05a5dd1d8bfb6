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
    entity: str = Field(examples=["target"], description="observation, target or plan")
    entity_id: int
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
