"""A new document and the figures a person confirmed from it (POST /api/v1/documents)."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictInt

from app.schemas.common import ErrorItem
from app.schemas.goal import PlanRead, TargetRead
from app.schemas.observation import ObservationRead
from app.schemas.reference import DocumentRead
from app.schemas.write import Basis, Comparator, FiniteDecimal, WriteModel

DocumentKind = Literal["action_plan", "plan_execution_report", "work_report_digest", "article"]

# A code is part of the document's address (/documents/{code}); ``new`` is the intake page.
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"
RESERVED_CODES = frozenset({"new", "extract"})


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def _iso_date(value: object) -> object:
    """A date is written as the JSON string YYYY-MM-DD, never a number (0 is no date)."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError("write the date as YYYY-MM-DD")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
# A year is a JSON integer: "2024", 2024.0 and true are refused rather than read as one.
Year = Annotated[StrictInt, Field(ge=1949, le=2100)]


class DocumentIn(WriteModel):
    """The document's own fields: everything of ``DocumentCreate`` but its ``items``."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(
        min_length=1,
        max_length=64,
        pattern=CODE_PATTERN,
        description="the document's key: letters, digits, `_`, `.` and `-`; not `new`",
        examples=["005_changshou_2024_h1"],
    )
    title: str = Field(min_length=1, max_length=500, examples=["长寿区2024年上半年经济运行情况"])
    title_en: str | None = Field(
        default=None, max_length=500, description="the English title; default: the title"
    )
    issuer: str | None = Field(default=None, max_length=200, examples=["长寿区统计局"])
    published_on: IsoDate = Field(description="the date the document was issued (YYYY-MM-DD)")
    date_note: str | None = Field(default=None, max_length=2000)
    region: str = Field(min_length=1, max_length=32, description="the region the document is about")
    kind: DocumentKind | None = Field(
        default=None, description="default: read from the title, as the extract endpoint does"
    )
    text: str | None = Field(
        default=None,
        max_length=2_000_000,
        description="the document's full text (optional). When given it is kept, "
        "`/documents/{code}` shows it with every figure marked, and every item's `quote` "
        "must be an exact substring of it",
    )


class IntakeItem(WriteModel):
    """One accepted figure: a proposal of ``POST /documents/extract``, possibly edited.

    ``indicator_phrase`` and ``confidence`` are what the extract endpoint answers and are
    not stored; fields of another kind (a ``period`` on a plan) are ignored.
    """

    model_config = ConfigDict(extra="forbid")

    kind: Literal["target", "plan", "observation"]
    indicator: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="an indicator code; null (no indicator matched) is refused by name",
    )
    region: str = Field(min_length=1, max_length=32)
    period: str | None = Field(default=None, description="an observation's period")
    year: Year | None = Field(default=None, description="a plan's year")
    start_year: Year | None = Field(default=None, description="a target's first year")
    end_year: Year | None = Field(default=None, description="a target's last year")
    basis: Basis | None = Field(default=None, description="a target's or plan's basis")
    comparator: Comparator | None = None
    value: FiniteDecimal | None = None
    unit: str | None = Field(default=None, max_length=32)
    yoy_growth: FiniteDecimal | None = None
    reported_completion_rate: FiniteDecimal | None = None
    baseline_year: Year | None = None
    baseline_value: FiniteDecimal | None = None
    baseline_unit: str | None = Field(default=None, max_length=32)
    stretch: StrictBool = False
    quote: str = Field(
        min_length=1,
        max_length=2000,
        description="the words of the document the figure is read from (its source quote)",
    )
    note: str | None = Field(default=None, max_length=2000)
    indicator_phrase: str | None = Field(default=None, max_length=2000)
    confidence: FiniteDecimal | None = None


class DocumentCreate(DocumentIn):
    """A new document and the figures to store from it, all or nothing."""

    items: list[IntakeItem] = Field(
        default_factory=list,
        description="the accepted proposals; each is stored citing the new document",
    )


class ItemOutcome(BaseModel):
    index: int = Field(description="the item's place in `items`, from 0")
    kind: Literal["target", "plan", "observation"]
    id: int = Field(description="the goal's or observation's id")
    action: Literal["created", "cited", "recorded"] = Field(
        description="`created`: a new goal; `cited`: a goal in force that another document "
        "states alike now lists this one among its `sources`; `recorded`: a new observation "
        "(or a new revision of one)"
    )
    state: Literal["published", "pending"] | None = Field(
        default=None, description="an observation's: `pending` in review mode"
    )


class IntakeCounts(BaseModel):
    targets: int = Field(description="targets created")
    plans: int = Field(description="plans created")
    cited: int = Field(description="goals in force that now also cite this document")
    observations: int = Field(description="observations recorded")
    pending: int = Field(description="of which wait for a reviewer")


class IntakeResult(BaseModel):
    """The answer to ``POST /documents``: the document, what was stored and the warnings;
    with ``dry_run=true`` what would be (nothing is kept; ids are not either)."""

    dry_run: bool = False
    valid: bool = Field(default=True, description="false only for a refused dry run")
    message: str | None = Field(default=None, description="why a dry run would be refused")
    errors: list[ErrorItem] = Field(
        default_factory=list, description="a refused dry run's errors (`items[i].field`)"
    )
    document: DocumentRead | None = None
    stored: IntakeCounts | None = None
    items: list[ItemOutcome] = Field(default_factory=list)
    targets: list[TargetRead] = Field(
        default_factory=list, description="the targets created or cited, with their progress"
    )
    plans: list[PlanRead] = Field(
        default_factory=list, description="the plans created or cited, with their progress"
    )
    observations: list[ObservationRead] = Field(default_factory=list)
    warnings: list[ErrorItem] = Field(
        default_factory=list,
        description="accepted but implausible figures, as `items[i].value` (outlier, "
        "ytd_inconsistent)",
    )
