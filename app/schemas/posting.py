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


class DryRunResult(BaseModel):
    """The answer to ``?dry_run=true``: every check ran, nothing was stored."""

    dry_run: bool = Field(description="always true: nothing was stored")
    valid: bool = Field(description="whether the batch would be stored as it is")
    rows: int = Field(description="how many rows the batch holds")
    message: str | None = Field(description="why the batch would be refused; null if valid")
    errors: list[ErrorItem] = Field(
        description="every problem of every row (row, field, message); empty if valid"
    )
    warnings: list[ErrorItem] = Field(
        default_factory=list, description="accepted but implausible figures (row, field, message)"
    )
    items: list[ObservationRead] | None = Field(
        default=None,
        description="valid and without `Prefer: return=minimal`: the revisions that would be "
        "recorded (ids are not kept)",
    )
    targets: list[TargetRead] | None = Field(
        default=None, description="as `items`: the targets of the posted series, as they would be"
    )
    plans: list[PlanRead] | None = Field(
        default=None, description="as `items`: the plans of the posted series, as they would be"
    )
