from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from app.schemas.common import IndicatorRef, Number, ReadModel, RegionRef, SourceRef


class PlausibilityWarning(ReadModel):
    code: str = Field(examples=["outlier"], description="`outlier` or `ytd_inconsistent`")
    message: str


class ObservationRead(ReadModel):
    id: int
    indicator: IndicatorRef
    region: RegionRef
    period: str = Field(examples=["2023-H1"])
    value: Number | None = Field(
        default=None, examples=[2411], description="in `unit`, the indicator's unit"
    )
    unit: str | None = Field(default=None, examples=["亿元"])
    stated_value: Number | None = Field(default=None, description="the value as posted")
    stated_unit: str | None = None
    yoy_growth: Number | None = Field(default=None, examples=[17.3], description="% year on year")
    reported_completion_rate: Number | None = Field(default=None, examples=[54.7])
    source: SourceRef | None = None
    note: str | None = None
    revision: int = Field(examples=[1])
    recorded_at: datetime
    recorded_by: str = Field(examples=["seed"])
    state: Literal["published", "pending", "rejected"] = Field(
        default="published",
        description="`pending` and `rejected` figures are listed only with `?state=` to keys "
        "of their region; no other read sees them",
    )
    published_at: datetime | None = Field(
        default=None, description="from when the figure counts (`as_of` included)"
    )
    reviewed_at: datetime | None = Field(default=None, description="once a reviewer decided")
    reviewed_by: str | None = None
    review_reason: str | None = Field(default=None, description="why it was rejected")
    # Review before publication: a pending figure checked again at read time.
    warnings: list[PlausibilityWarning] | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="`?state=pending` only: the plausibility warnings (app/domain/plausibility.py) "
        "of the figure against the figures published by `as_of`",
    )
