from __future__ import annotations

import json
from datetime import datetime

from pydantic import Field, TypeAdapter

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
    source: SourceRef | None = Field(default=None, description="the first of `sources`")
    sources: list[SourceRef] = Field(
        default_factory=list,
        description="every document that states this goal alike, oldest first",
    )
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


_SOURCES = TypeAdapter(list[SourceRef])


def goal_sources(sources_json: str | None, source: SourceRef | None) -> list[SourceRef]:
    """A goal's sources: the stored list when several documents state it, else its one."""
    if sources_json:
        return _SOURCES.validate_python(json.loads(sources_json))
    return [] if source is None else [source]
