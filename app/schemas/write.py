"""Shapes that create figures: used by the API and by the seed loader alike."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    field_validator,
    model_validator,
)
from pydantic.config import JsonDict

from app.domain.periods import PeriodError, canonical_period

Basis = Literal["value", "yoy", "cagr", "cumulative", "change"]
Comparator = Literal[">=", ">", "<=", "<", "~"]

# A number sent as a string is read only in plain ASCII notation: " 5 ", "1_000" and
# "１２３" are refused rather than read as 5, 1000 and 123 (Python's Decimal would).
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)


def _plain_number(value: object) -> object:
    if isinstance(value, str) and not _PLAIN_NUMBER.fullmatch(value):
        raise ValueError(
            "write a number in plain digits (1234.5, -3, 1.2e3): no spaces, underscores, "
            "full-width digits or thousands separators"
        )
    return value


FiniteDecimal = Annotated[
    Decimal,
    BeforeValidator(_plain_number),
    Field(allow_inf_nan=False, max_digits=30, decimal_places=12),
]


# Unicode category Cc is exactly U+0000-U+001F and U+007F-U+009F; tab, LF and CR are allowed.
_CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class WriteModel(BaseModel):
    """Refuses control characters (NUL, …) in every string: Postgres cannot store NUL."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_control_characters(cls, value: object) -> object:
        if isinstance(value, str) and _CONTROL_CHARACTER.search(value):
            raise ValueError("control characters are not allowed")
        return value


class SourceIn(WriteModel):
    model_config = ConfigDict(extra="forbid")

    document: str = Field(min_length=1, max_length=64, examples=["001_8bd53d08bbbd03ea"])
    quote: str | None = Field(default=None, max_length=2000)


OBSERVATION_EXAMPLE: JsonDict = {
    "indicator": "key_project_investment",
    "region": "500000",
    "period": "2023-Q3",
    "value": 3480,
    "unit": "亿元",
    "yoy_growth": 12.1,
    "reported_completion_rate": 79.1,
    "source": None,
    "note": "市发展改革委季度通报",
}


class ObservationCreate(WriteModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [OBSERVATION_EXAMPLE]})

    indicator: str = Field(min_length=1, max_length=64)
    region: str = Field(min_length=1, max_length=32)
    period: str = Field(
        min_length=4,
        max_length=10,
        description="2023, 2023-Q1, 2023-H1, 2023-M07, or a span of years 2018-2022 (history: "
        "value is the total over the span for a flow, the level at its end for a level; "
        "yoy_growth the average annual growth)",
    )
    value: FiniteDecimal | None = Field(default=None, description="in `unit`")
    unit: str | None = Field(
        default=None, max_length=32, description="any unit of the indicator's dimension"
    )
    yoy_growth: FiniteDecimal | None = Field(
        default=None, ge=-100, le=1000, description="% year on year"
    )
    reported_completion_rate: FiniteDecimal | None = Field(default=None, ge=0, le=10000)
    source: SourceIn | None = None
    note: str | None = Field(default=None, max_length=2000)

    @field_validator("period")
    @classmethod
    def _period(cls, value: str) -> str:
        try:
            return canonical_period(value)
        except PeriodError as exc:
            raise ValueError(str(exc)) from exc

    @model_validator(mode="after")
    def _has_figure(self) -> ObservationCreate:
        if self.value is None and self.yoy_growth is None:
            raise ValueError("give a value, a yoy_growth, or both")
        return self


class GoalCreate(WriteModel):
    model_config = ConfigDict(extra="forbid")

    indicator: str = Field(min_length=1, max_length=64, examples=["hi_tech_enterprises"])
    region: str = Field(min_length=1, max_length=32, examples=["500000"])
    basis: Basis
    comparator: Comparator
    value: FiniteDecimal = Field(examples=[1.27])
    unit: str = Field(min_length=1, max_length=32, examples=["万家"])
    baseline_year: int | None = Field(default=None, ge=1949, le=2100)
    baseline_value: FiniteDecimal | None = None
    baseline_unit: str | None = Field(default=None, max_length=32)
    # JSON true/false only: 0, 1 or "yes" are refused rather than read as booleans.
    stretch: StrictBool = False
    source: SourceIn | None = None
    note: str | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _baseline_pair(self) -> GoalCreate:
        if (self.baseline_year is None) != (self.baseline_value is None):
            raise ValueError("baseline_year and baseline_value go together")
        return self


class TargetCreate(GoalCreate):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "indicator": "hi_tech_enterprises",
                    "region": "500115",
                    "basis": "value",
                    "comparator": ">=",
                    "value": 300,
                    "unit": "家",
                    "start_year": 2023,
                    "end_year": 2027,
                    "source": None,
                    "note": "district goal",
                }
            ]
        }
    )

    start_year: int = Field(ge=1949, le=2100, examples=[2023])
    end_year: int = Field(ge=1949, le=2100, examples=[2027])

    @model_validator(mode="after")
    def _span(self) -> TargetCreate:
        if self.end_year < self.start_year:
            raise ValueError("end_year must not be before start_year")
        return self


class PlanCreate(GoalCreate):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "indicator": "key_project_investment",
                    "region": "500000",
                    "basis": "value",
                    "comparator": ">=",
                    "value": 4300,
                    "unit": "亿元",
                    "year": 2024,
                    "source": None,
                    "note": "municipal key projects",
                }
            ]
        }
    )

    year: int = Field(ge=1949, le=2100, examples=[2023])


class GoalUpdate(WriteModel):
    """Fields to change; absent fields stay. ``retired: true`` needs a ``retired_reason``."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"note": "revised at mid-term review"}]}
    )

    basis: Basis | None = None
    comparator: Comparator | None = None
    value: FiniteDecimal | None = None
    unit: str | None = Field(default=None, min_length=1, max_length=32)
    baseline_year: int | None = Field(default=None, ge=1949, le=2100)
    baseline_value: FiniteDecimal | None = None
    baseline_unit: str | None = Field(default=None, max_length=32)
    stretch: StrictBool | None = None
    source: SourceIn | None = None
    note: str | None = Field(default=None, max_length=2000)
    retired: StrictBool | None = None
    retired_reason: str | None = Field(default=None, min_length=3, max_length=2000)

    @model_validator(mode="after")
    def _retire_needs_reason(self) -> GoalUpdate:
        if self.retired and not self.retired_reason:
            raise ValueError("retiring needs a retired_reason")
        return self


class TargetUpdate(GoalUpdate):
    start_year: int | None = Field(default=None, ge=1949, le=2100)
    end_year: int | None = Field(default=None, ge=1949, le=2100)


class PlanUpdate(GoalUpdate):
    year: int | None = Field(default=None, ge=1949, le=2100)
