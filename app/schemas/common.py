"""Shared pieces: exact decimals as JSON numbers, the paging envelope, references."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer


def _as_json_number(value: Decimal) -> int | float:
    """An integral value as an int (exactly), any other as the nearest float.

    Called for every number of every answer, so it avoids ``tidy``: trailing zeros do not
    change the value, and so neither the int nor the float.
    """
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def _display(value: Decimal) -> int | float:
    return _as_json_number(value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


# A stored figure: exact, sent as a JSON number (Pydantic would send a string).
Number = Annotated[
    Decimal, PlainSerializer(_as_json_number, return_type=int | float, when_used="json")
]
# A computed figure: exact inside, rounded to 4 decimals for display only.
Computed = Annotated[Decimal, PlainSerializer(_display, return_type=int | float, when_used="json")]

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
