from __future__ import annotations

from datetime import datetime

from pydantic import Field

from app.schemas.common import IndicatorRef, Number, ReadModel, RegionRef, SourceRef
from app.schemas.observation import ObservationRead
from app.schemas.progress import BaselineRead, PlanProgressRead, TargetProgressRead


class GoalRead(ReadModel):
    id: int
    indicator: IndicatorRef
    region: RegionRef
    basis: str = Field(examples=["value"])
    comparator: str = Field(examples=[">="])
    value: Number = Field(examples=[1.27])
    unit: str = Field(examples=["万家"])
    baseline: BaselineRead | None = None
    stretch: bool = Field(default=False, description="a 力争 value beside a firmer one")
    note: str | None = None
    source: SourceRef | None = None
    retired_at: datetime | None = None


class TargetRead(GoalRead):
    start_year: int = Field(examples=[2023])
    end_year: int = Field(examples=[2027])
    progress: TargetProgressRead


class PlanRead(GoalRead):
    year: int = Field(examples=[2023])
    progress: PlanProgressRead


class TargetDetail(TargetRead):
    history: list[ObservationRead]


class PlanDetail(PlanRead):
    history: list[ObservationRead]
