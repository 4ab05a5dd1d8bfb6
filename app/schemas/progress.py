from __future__ import annotations

from pydantic import BaseModel, Field

from app.schemas.common import Computed, Number, Projected


class BaselineRead(BaseModel):
    year: int = Field(examples=[2022])
    value: Number = Field(examples=[3.3])
    unit: str = Field(examples=["万家"])
    period: str | None = Field(default=None, examples=["2022"])
    stated: bool = Field(
        description="true when the source states it; false when taken from the observations"
    )


class ProgressRead(BaseModel):
    actual: Number | None = Field(
        default=None,
        description="in the goal's unit (% for growth bases), every digit of the figures; "
        "a rate computed from them (cagr, change bases) to 4 decimals",
    )
    actual_period: str | None = Field(default=None, examples=["2023-H1"])
    gap: Number | None = Field(default=None, description="goal's unit; ≤ 0 means reached")
    completion_rate: Computed | None = Field(default=None, examples=[56.0698])
    progress_from_baseline: Computed | None = None
    elapsed: Computed | None = Field(default=None, description="序时进度 in %", examples=[50])
    schedule_variance_pp: Computed | None = Field(default=None, examples=[6.0698])
    status: str = Field(examples=["on_schedule"])


class TargetProgressRead(ProgressRead):
    required_cagr: Computed | None = Field(default=None, description="% a year")
    actual_cagr: Computed | None = Field(default=None, description="% a year")
    projected_end_value: Projected | None = Field(default=None, description="8 significant digits")
    anticipated_progress: Computed | None = None


class PlanProgressRead(ProgressRead):
    reported_completion_rate: Number | None = Field(default=None, examples=[54.7])
    reported_gap_pp: Computed | None = Field(
        default=None, description="reported minus computed completion", examples=[-1.3698]
    )
