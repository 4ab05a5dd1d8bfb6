from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class StatusCounts(BaseModel):
    total: int
    by_status: dict[str, int] = Field(examples=[{"achieved": 3, "on_track": 5, "no_data": 2}])


class SummaryRead(BaseModel):
    region: str | None = Field(default=None, examples=["500000"])
    as_of: datetime
    targets: StatusCounts
    plans: StatusCounts
