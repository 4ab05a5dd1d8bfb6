"""Shared pieces: exact decimals as JSON numbers (``json_numbers``), paging, references."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema

from app.schemas.json_numbers import marked

_FOUR_PLACES = Decimal("0.0001")
_SIGNIFICANT = 8


def _as_json_number(value: Decimal) -> str:
    """The exact digits, marked for ``json_numbers.splice`` to write as a bare JSON number."""
    return marked(value)


def rate_for_display(value: Decimal) -> Decimal:
    """A computed rate or share as shown: 4 decimals (statuses are decided before this)."""
    return value.quantize(_FOUR_PLACES, rounding=ROUND_HALF_UP)


def _display(value: Decimal) -> str:
    return marked(rate_for_display(value))


def _significant(value: Decimal) -> str:
    """A projection: 8 significant digits (no more are meaningful, none fewer are lost)."""
    if not value:
        return marked(value)
    places = Decimal(1).scaleb(value.adjusted() - _SIGNIFICANT + 1)
    return marked(value.quantize(places, rounding=ROUND_HALF_UP))


_AS_NUMBER = WithJsonSchema({"type": "number"}, mode="serialization")

# A stored figure or a quantity: exact, all its digits, sent as a JSON number.
Number = Annotated[
    Decimal, PlainSerializer(_as_json_number, return_type=str, when_used="json"), _AS_NUMBER
]
# A computed rate or share: exact inside, rounded to 4 decimals for display only.
Computed = Annotated[
    Decimal, PlainSerializer(_display, return_type=str, when_used="json"), _AS_NUMBER
]
# A projected value: exact inside, 8 significant digits for display.
Projected = Annotated[
    Decimal, PlainSerializer(_significant, return_type=str, when_used="json"), _AS_NUMBER
]

T = TypeVar("T")


class ReadModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int = Field(description="rows matching the filters, before paging")
    limit: int
    offset: int


class ErrorItem(BaseModel):
    field: str
    message: str
    row: int | None = None
    code: str | None = Field(
        default=None,
        description="a warning's kind: `outlier` or `ytd_inconsistent`",
        examples=["outlier"],
    )


class ErrorBody(BaseModel):
    error: str = Field(examples=["validation_error"])
    message: str = Field(examples=["region: unknown region '999999'"])
    errors: list[ErrorItem] = Field(default_factory=list)


class RegionRef(ReadModel):
    code: str = Field(examples=["500000"])
    name: str = Field(examples=["重庆市"])


class IndicatorRef(ReadModel):
    code: str = Field(examples=["hi_tech_enterprises"])
    name: str = Field(examples=["高新技术企业数量"])
    unit: str = Field(examples=["家"])


class SourceRef(BaseModel):
    document: str = Field(examples=["003_43741abbd79f158f"])
    quote: str | None = Field(default=None, examples=["高新技术企业数量达到1.27万家"])


ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    404: {"model": ErrorBody, "description": "unknown code or id"},
    422: {"model": ErrorBody, "description": "a parameter or field is invalid; `errors` names it"},
    503: {
        "model": ErrorBody,
        "description": "the database is unavailable; retry after Retry-After",
    },
}
