"""Review before publication: a reviewer's decision on pending figures, and its answer."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from app.schemas.common import ReadModel
from app.schemas.goal import PlanRead, TargetRead
from app.schemas.observation import ObservationRead
from app.schemas.write import WriteModel

MAX_REVIEWED = 500
# An observation id: the column is a 32-bit integer on Postgres.
ObservationId = Annotated[int, Field(ge=1, le=2**31 - 1)]


class ReviewDecision(WriteModel):
    model_config = ConfigDict(extra="forbid")

    ids: list[ObservationId] = Field(min_length=1, max_length=MAX_REVIEWED, examples=[[101, 102]])
    decision: Literal["approve", "reject"]
    reason: str | None = Field(
        default=None,
        max_length=2000,
        description="required to reject: the analyst reads it with `?state=rejected`",
        examples=["the district's statistical bulletin says 355.0, not 3550"],
    )


class ReviewResult(ReadModel):
    decision: Literal["approve", "reject"]
    items: list[ObservationRead]
    targets: list[TargetRead] = Field(
        default_factory=list,
        description="approve: the targets of the approved figures' series, with their progress now",
    )
    plans: list[PlanRead] = Field(
        default_factory=list,
        description="approve: the plans of the approved figures' series, with their progress now",
    )
