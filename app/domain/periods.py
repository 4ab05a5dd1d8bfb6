"""Reporting periods: ``2023``, ``2023-Q1``..``Q4``, ``2023-H1``/``H2``, ``2023-M01``..``M12``,
and spans of whole years, ``2018-2022``.

Flows are year-to-date, so every period is described by its year and the last month it
covers: ``2023-H1`` covers January to June and ends with month 6.

A span (DESIGN v1.1 "Spans of years") is history: its value is the total over the span for
a flow and the level at its end for a level, its growth the average annual growth (年均增长).
It is described by its last year (``year``, ending in December) and its number of years
(``index``); it is shown and exported, but never summed into an actual, never a baseline
and never a comparable figure (``is_span``: the arithmetic leaves such points out).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Literal

PeriodKind = Literal["Y", "H", "Q", "M", "S"]

MIN_YEAR = 1949
MAX_YEAR = 2100

# ``\Z``, not ``$``: ``$`` also matches before a trailing newline, so "2023\n" passed.
_PERIOD_RE = re.compile(
    r"^([0-9]{4})(?:-(?:(Q)([1-4])|(H)([12])|(M)(0[1-9]|1[0-2])|([0-9]{4})))?\Z"
)
_MONTHS_PER_STEP = {"Y": 12, "H": 6, "Q": 3, "M": 1}
# When two periods end in the same month (2023-H1, 2023-Q2, 2023-M06) the coarser one
# is the more considered figure, so it sorts later and wins ties. A span of years sorts
# before every period of its last December: it never wins a tie.
_KIND_RANK = {"S": -1, "M": 0, "Q": 1, "H": 2, "Y": 3}
# How a span is written in the ``period`` column, as a SQL LIKE pattern: the only periods
# of nine characters with a dash in the fifth ("2018-2022").
SPAN_LIKE = "____-____"
GRAMMAR = "2023, 2023-Q1..Q4, 2023-H1..H2, 2023-M01..M12 or a span of years 2018-2022"


class PeriodError(ValueError):
    """A period string that does not follow the grammar, or a year out of range."""


@dataclass(frozen=True)
class Period:
    year: int
    kind: PeriodKind
    index: int

    @property
    def end_month(self) -> int:
        """Last calendar month covered; equals the number of months of a year-to-date flow
        (a span ends in the December of its last year)."""
        if self.kind == "S":
            return 12
        return self.index * _MONTHS_PER_STEP[self.kind]

    @property
    def start_month(self) -> int:
        """First calendar month of the period itself (2023-Q3 starts in July; a span in the
        January of its first year)."""
        if self.kind == "S":
            return 1
        return self.end_month - _MONTHS_PER_STEP[self.kind] + 1

    @property
    def first_year(self) -> int:
        """The first year the period covers: its own year, or a span's first."""
        return self.year - self.index + 1 if self.kind == "S" else self.year

    @property
    def is_full_year(self) -> bool:
        return self.kind == "Y"

    @property
    def is_span(self) -> bool:
        """A span of whole years (``2018-2022``): history, never part of the arithmetic."""
        return self.kind == "S"

    @property
    def end_time(self) -> Decimal:
        """Time in years at the period's end: ``2022`` ends at 2023.0, ``2023-H1`` at 2023.5."""
        return Decimal(self.year) + Decimal(self.end_month) / Decimal(12)

    @property
    def sort_key(self) -> tuple[int, int, int]:
        return (self.year, self.end_month, _KIND_RANK[self.kind])

    def __str__(self) -> str:
        if self.kind == "Y":
            return f"{self.year:04d}"
        if self.kind == "M":
            return f"{self.year:04d}-M{self.index:02d}"
        if self.kind == "S":
            return f"{self.first_year:04d}-{self.year:04d}"
        return f"{self.year:04d}-{self.kind}{self.index}"


@lru_cache(maxsize=65536)
def parse_period(text: str) -> Period:
    """Cached: periods repeat across every series, and ``Period`` is immutable."""
    match = _PERIOD_RE.match(text)
    if match is None:
        raise PeriodError(f"'{text}' is not a period: use {GRAMMAR}")
    year = int(match.group(1))
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PeriodError(f"year {year} is outside {MIN_YEAR}..{MAX_YEAR}")
    if match.group(8):
        last = int(match.group(8))
        if not MIN_YEAR <= last <= MAX_YEAR:
            raise PeriodError(f"year {last} is outside {MIN_YEAR}..{MAX_YEAR}")
        if last <= year:
            raise PeriodError(
                f"'{text}' is not a span of years: the last year must come after the first "
                f"(a single year is written {year:04d})"
            )
        return Period(last, "S", last - year + 1)
    if match.group(2):
        return Period(year, "Q", int(match.group(3)))
    if match.group(4):
        return Period(year, "H", int(match.group(5)))
    if match.group(6):
        return Period(year, "M", int(match.group(7)))
    return Period(year, "Y", 1)


def months_into_span(period: Period, start_year: int, end_year: int) -> int:
    """Whole months of the span ``start_year``..``end_year`` that ``period`` has covered."""
    span = span_months(start_year, end_year)
    covered = (period.year - start_year) * 12 + period.end_month
    return max(0, min(span, covered))


def span_months(start_year: int, end_year: int) -> int:
    return (end_year - start_year + 1) * 12


@lru_cache(maxsize=65536)
def canonical_period(text: str) -> str:
    """The period's own spelling (``2023-m7`` → ``2023-M07``); raises PeriodError."""
    return str(parse_period(text))
