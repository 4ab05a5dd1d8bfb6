"""Reporting periods: ``2023``, ``2023-Q1``..``Q4``, ``2023-H1``/``H2``, ``2023-M01``..``M12``.

Flows are year-to-date, so every period is described by its year and the last month it
covers: ``2023-H1`` covers January to June and ends with month 6.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Literal

PeriodKind = Literal["Y", "H", "Q", "M"]

MIN_YEAR = 1949
MAX_YEAR = 2100

# ``\Z``, not ``$``: ``$`` also matches before a trailing newline, so "2023\n" passed.
_PERIOD_RE = re.compile(r"^([0-9]{4})(?:-(?:(Q)([1-4])|(H)([12])|(M)(0[1-9]|1[0-2])))?\Z")
_MONTHS_PER_STEP = {"Y": 12, "H": 6, "Q": 3, "M": 1}
# When two periods end in the same month (2023-H1, 2023-Q2, 2023-M06) the coarser one
# is the more considered figure, so it sorts later and wins ties.
_KIND_RANK = {"M": 0, "Q": 1, "H": 2, "Y": 3}


class PeriodError(ValueError):
    """A period string that does not follow the grammar, or a year out of range."""


@dataclass(frozen=True)
class Period:
    year: int
    kind: PeriodKind
    index: int

    @property
    def end_month(self) -> int:
        """Last calendar month covered; equals the number of months of a year-to-date flow."""
        return self.index * _MONTHS_PER_STEP[self.kind]

    @property
    def start_month(self) -> int:
        """First calendar month of the period itself (2023-Q3 starts in July)."""
        return self.end_month - _MONTHS_PER_STEP[self.kind] + 1

    @property
    def is_full_year(self) -> bool:
        return self.kind == "Y"

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
        return f"{self.year:04d}-{self.kind}{self.index}"


@lru_cache(maxsize=65536)
def parse_period(text: str) -> Period:
    """Cached: periods repeat across every series, and ``Period`` is immutable."""
    match = _PERIOD_RE.match(text)
    if match is None:
        raise PeriodError(
            f"'{text}' is not a period: use 2023, 2023-Q1..Q4, 2023-H1..H2 or 2023-M01..M12"
        )
    year = int(match.group(1))
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PeriodError(f"year {year} is outside {MIN_YEAR}..{MAX_YEAR}")
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
