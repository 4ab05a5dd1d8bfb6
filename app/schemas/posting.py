from __future__ import annotations

from pydantic import BaseModel, Field

from app.schemas.common import ErrorItem
from app.schemas.goal import PlanRead, TargetRead
from app.schemas.observation import ObservationRead


class PostResult(BaseModel):
    items: list[ObservationRead] = Field(description="the revisions just recorded, in row order")
    warnings: list[ErrorItem] = Field(
        default_factory=list, description="accepted but implausible figures (row, field, message)"
    )
    targets: list[TargetRead] = Field(
        default_factory=list,
        description="targets of the posted indicators and regions, with their new progress",
    )
    plans: list[PlanRead] = Field(
        default_factory=list,
        description="plans of the posted indicators and regions, with their new progress",
    )


class PostSummary(BaseModel):
    """The answer to a post with ``Prefer: return=minimal``."""

    stored: int = Field(description="how many figures were recorded", examples=[10000])
    ids: list[int] = Field(description="the new observations' ids, in row order")
    warnings: list[ErrorItem] = Field(
        default_factory=list, description="accepted but implausible figures (row, field, message)"
    )
