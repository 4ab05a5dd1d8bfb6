"""Is a new figure plausible? The outlier rule, in one place.

Like DHIS2's min-max check: a figure more than ``OUTLIER_FACTOR`` times, or less than
1/``OUTLIER_FACTOR`` of, its comparable earlier figure is stored all the same, with a
warning. Only positive figures are compared (a zero or negative figure has no ratio). The
comparable figure is the newest revision, recorded by the moment of the post, of:

- for a flow (year-to-date figures): the same period a year before (2023-H1 against
  2022-H1): a year-to-date sum only compares with the same stretch of another year;
- for a level: the latest earlier period whose figure is positive.

A year-to-date flow is also checked against the year so far (``ytd_inconsistent``): it is
a running sum, so it can neither be below the latest earlier year-to-date figure of the
same year, nor above ``OUTLIER_FACTOR`` times that figure scaled by months (3,900 亿元 by
October makes anything above 3 × 3,900 × 11/10 = 12,870 by November implausible).

Only figures recorded before the post count as earlier ones, never rows of the same batch.

Posting applies it in Python on SQLite (app/services/posting.py) and in SQL on Postgres
(app/queries/staging.py, ``_OUTLIERS`` and ``_YEAR_SO_FAR``), which follows this definition;
tests/api/test_plausibility.py runs both on the same rows and compares their answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from app.domain.periods import Period

OUTLIER_FACTOR = Decimal(3)


def comparable_flow_period(period: Period) -> Period:
    """The period a year-to-date flow is compared with: the same one a year before."""
    return Period(period.year - 1, period.kind, period.index)


def latest_earlier_positive(
    period: Period, earlier: Iterable[tuple[Period, Decimal | None]]
) -> tuple[Period, Decimal] | None:
    """The comparable figure of a level: among (period, newest value) pairs, the latest
    period before ``period`` whose value is positive."""
    candidates = [
        (p.sort_key, p, value)
        for p, value in earlier
        if value is not None and value > 0 and p.sort_key < period.sort_key
    ]
    if not candidates:
        return None
    _, found, value = max(candidates, key=lambda c: c[0])
    return found, value


def is_outlier(value: Decimal | None, previous: Decimal | None) -> bool:
    """Whether ``value`` is beyond ``OUTLIER_FACTOR`` of ``previous``, both positive."""
    if value is None or previous is None or value <= 0 or previous <= 0:
        return False
    return value > OUTLIER_FACTOR * previous or OUTLIER_FACTOR * value < previous


def year_so_far(
    period: Period, earlier: Iterable[tuple[Period, Decimal | None]]
) -> tuple[Period, Decimal] | None:
    """The year-to-date figure a flow's ``period`` continues: among (period, newest value)
    pairs, the latest positive one of the same year that ends in an earlier month."""
    same_year = (
        (p, value)
        for p, value in earlier
        if p.year == period.year and p.end_month < period.end_month
    )
    return latest_earlier_positive(period, same_year)


def ytd_inconsistent(
    value: Decimal | None, period: Period, previous: tuple[Period, Decimal]
) -> bool:
    """Whether a year-to-date ``value`` for ``period`` cannot follow ``previous``: below
    it, or above ``OUTLIER_FACTOR`` times it scaled to ``period``'s months."""
    before, previous_value = previous
    if value is None or previous_value <= 0:
        return False
    ceiling = OUTLIER_FACTOR * previous_value * period.end_month / before.end_month
    return value < previous_value or value > ceiling
