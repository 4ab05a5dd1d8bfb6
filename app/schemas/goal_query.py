"""The query of a list of targets or plans, as one model per route.

A route whose parameters come through sub-dependencies (paging, as-of, filters) has each
one solved by the framework on every request: for the scorecard, the list clients read
most, that was a fifth of its CPU (bench/RESULTS.md, #19). One model validates the whole
query in one call; OpenAPI lists its fields as the route's parameters, as before.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, Field

from app.domain.progress import PlanStatus, TargetStatus

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# A '+' in a query string that was not percent-encoded arrives as a space: '…00:00:00 08'.
_PLUS_AS_SPACE = re.compile(r"(\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}(?::?\d{2})?)$")


def iso_8601_only(value: object) -> object:
    """ISO 8601 and its RFC 3339 / SQL spellings ('2023-08-01 00:00:00+00', as Postgres
    prints it); Pydantic alone would also read '0.5' or '1690848000' as Unix seconds."""
    if not isinstance(value, str):
        return value
    text = _PLUS_AS_SPACE.sub(r"\1+\2", value.strip())
    if _ISO_DATE.match(text):
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            pass
    raise ValueError("give an ISO 8601 timestamp, such as 2023-08-01T00:00:00Z")


AS_OF_DESCRIPTION = "ISO 8601 timestamp: only figures recorded by then count (default: now)"
AsOfField = Annotated[
    datetime | None,
    Field(description=AS_OF_DESCRIPTION, examples=["2023-08-01T00:00:00Z"]),
    BeforeValidator(iso_8601_only),
]
Year = Annotated[int | None, Field(ge=1949, le=2100, examples=[2027])]
AnswerFormat = Literal["json", "csv", "xlsx"]
FORMAT_DESCRIPTION = (
    "`json` (a page); `csv` or `xlsx`: a file of every matching row, no paging, "
    "the progress block flattened into columns"
)
HeaderLang = Literal["en", "zh"]
LANG_DESCRIPTION = "the file's column headers: the JSON field names (`en`) or Chinese (`zh`)"


class GoalListQuery(BaseModel):
    """What every list of goals takes: paging, the moment, the filters, the file."""

    limit: int = Field(50, ge=1, le=1000, description="page size")
    offset: int = Field(0, ge=0, le=1_000_000_000, description="rows to skip")
    as_of: AsOfField = None
    region: str | None = Field(None, max_length=32, description="region code", examples=["500000"])
    indicator: str | None = Field(
        None, max_length=64, description="indicator code", examples=["hi_tech_enterprises"]
    )
    q: str | None = Field(
        None,
        max_length=200,
        description="indicator name, either script or English",
        examples=["高新技术企业"],
    )
    include_retired: bool = Field(False, description="also list retired rows")
    format: AnswerFormat = Field("json", description=FORMAT_DESCRIPTION)
    lang: HeaderLang = Field("en", description=LANG_DESCRIPTION)


class TargetListQuery(GoalListQuery):
    end_year: Year = None
    status: TargetStatus | None = None

    @property
    def year(self) -> int | None:
        return self.end_year


class PlanListQuery(GoalListQuery):
    year: Year = None
    status: PlanStatus | None = None
