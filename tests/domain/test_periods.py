"""Reporting periods: grammar, end of period, ordering and 序时进度 (elapsed share)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from app.domain.periods import (
    Period,
    PeriodError,
    canonical_period,
    months_into_span,
    parse_period,
    span_months,
)
from app.domain.progress import elapsed_pct


def close(actual: Decimal, expected: Fraction, tol: str = "1e-20") -> bool:
    """``actual`` equals the exact rational ``expected`` up to Decimal's 28-digit rounding."""
    return abs(Fraction(actual) - expected) <= Fraction(tol)


# --- parsing -------------------------------------------------------------------------


def test_full_year() -> None:
    period = parse_period("2023")
    assert period == Period(2023, "Y", 1)
    assert period.end_month == 12
    assert period.is_full_year
    assert str(period) == "2023"


@pytest.mark.parametrize(("index", "end_month"), [(1, 3), (2, 6), (3, 9), (4, 12)])
def test_quarters(index: int, end_month: int) -> None:
    period = parse_period(f"2023-Q{index}")
    assert period == Period(2023, "Q", index)
    assert period.end_month == end_month  # year-to-date: Q3 covers January..September
    assert not period.is_full_year
    assert str(period) == f"2023-Q{index}"


@pytest.mark.parametrize(("index", "end_month"), [(1, 6), (2, 12)])
def test_halves(index: int, end_month: int) -> None:
    period = parse_period(f"2023-H{index}")
    assert period == Period(2023, "H", index)
    assert period.end_month == end_month
    assert not period.is_full_year
    assert str(period) == f"2023-H{index}"


@pytest.mark.parametrize("month", range(1, 13))
def test_months(month: int) -> None:
    text = f"2023-M{month:02d}"
    period = parse_period(text)
    assert period == Period(2023, "M", month)
    assert period.end_month == month
    assert not period.is_full_year
    assert str(period) == text


def test_year_range_bounds_are_inclusive() -> None:
    assert parse_period("1949").year == 1949
    assert parse_period("2100-M12").year == 2100


@pytest.mark.parametrize(
    "text",
    [
        "2023-Q5",
        "2023-Q0",
        "2023-H3",
        "2023-H0",
        "2023-M13",
        "2023-M00",
        "2023-M1",  # months take two digits
        "23",
        "023",
        "20231",
        "2023-h1",  # lower-case kind
        "2023-q1",
        "2023-m01",
        "",
        "2023-",
        "2023Q1",
        "2023-Y",
        " 2023",
        "2023 ",
        "2023\n",  # accepted before the `$` -> `\Z` fix in periods.py
        "2023-Q1\n",
        "1948",  # year out of range (1949..2100)
        "2101",
        "0000",
        "9999-Q1",
    ],
)
def test_rejections(text: str) -> None:
    with pytest.raises(PeriodError):
        parse_period(text)


def test_period_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="not a period"):
        parse_period("2023-Q5")
    with pytest.raises(ValueError, match=r"outside 1949\.\.2100"):
        parse_period("2101")


# --- end of period -------------------------------------------------------------------


def test_end_time() -> None:
    assert parse_period("2022").end_time == Decimal("2023")  # 2022 + 12/12
    assert parse_period("2023-Q1").end_time == Decimal("2023.25")  # 2023 + 3/12
    assert parse_period("2023-H1").end_time == Decimal("2023.5")  # 2023 + 6/12
    assert parse_period("2023-Q3").end_time == Decimal("2023.75")  # 2023 + 9/12
    assert parse_period("2023-H2").end_time == Decimal("2024")
    assert parse_period("2023-M06").end_time == Decimal("2023.5")
    # 2023 + 7/12 = 2023.58333...
    assert close(parse_period("2023-M07").end_time, 2023 + Fraction(7, 12))


def test_sort_key_orders_by_end_month_and_prefers_the_coarser_period_on_ties() -> None:
    texts_in_order = [
        "2022-M12",
        "2022-Q4",
        "2022-H2",
        "2022",
        "2023-M01",
        "2023-Q1",
        "2023-M05",
        "2023-M06",
        "2023-Q2",
        "2023-H1",
        "2023-M07",
        "2023-Q4",
        "2023",
    ]
    periods = [parse_period(t) for t in texts_in_order]
    assert sorted(periods, key=lambda p: p.sort_key) == periods
    assert sorted(reversed(periods), key=lambda p: p.sort_key) == periods


# --- 序时进度 (elapsed share of the span) ----------------------------------------------


def test_span_months() -> None:
    assert span_months(2023, 2023) == 12
    assert span_months(2023, 2027) == 60


@pytest.mark.parametrize(
    ("text", "start", "end", "months", "expected"),
    [
        # DESIGN's table
        ("2023-Q1", 2023, 2023, 3, Fraction(25)),  # 3 / 12
        ("2023-H1", 2023, 2023, 6, Fraction(50)),  # 6 / 12
        ("2023-M07", 2023, 2023, 7, Fraction(175, 3)),  # 7 / 12 = 58.333...
        ("2023", 2023, 2023, 12, Fraction(100)),  # 12 / 12
        ("2023", 2023, 2027, 12, Fraction(20)),  # 12 / 60
        # more of the same rule
        ("2023-Q3", 2023, 2023, 9, Fraction(75)),
        ("2024-Q3", 2023, 2027, 21, Fraction(35)),  # (12 + 9) / 60
        ("2027", 2023, 2027, 60, Fraction(100)),
        ("2022", 2023, 2027, 0, Fraction(0)),  # before the span: clamped to 0
        ("2022-H1", 2023, 2023, 0, Fraction(0)),
        ("2028-Q1", 2023, 2027, 60, Fraction(100)),  # after the span: clamped to 100
        ("2024", 2023, 2023, 12, Fraction(100)),
    ],
)
def test_elapsed_table(text: str, start: int, end: int, months: int, expected: Fraction) -> None:
    period = parse_period(text)
    assert months_into_span(period, start, end) == months
    assert close(elapsed_pct(period, start, end), expected)


def test_elapsed_exact_values() -> None:
    plan_year = (2023, 2023)
    assert elapsed_pct(parse_period("2023-Q1"), *plan_year) == Decimal(25)
    assert elapsed_pct(parse_period("2023-H1"), *plan_year) == Decimal(50)
    assert elapsed_pct(parse_period("2023"), *plan_year) == Decimal(100)
    assert elapsed_pct(parse_period("2023"), 2023, 2027) == Decimal(20)
    # 7/12 × 100 to 28 significant digits
    assert elapsed_pct(parse_period("2023-M07"), *plan_year) == Decimal(
        "58.33333333333333333333333333"
    )


# --- spans of years (DESIGN v1.1) -------------------------------------------------------


def test_a_span_of_years_is_its_last_year_and_its_length() -> None:
    span = parse_period("2018-2022")
    assert (span.year, span.kind, span.index) == (2022, "S", 5)
    assert span.first_year == 2018
    assert span.is_span and not span.is_full_year
    assert (span.start_month, span.end_month) == (1, 12)
    assert span.end_time == Decimal(2023)  # the end of December 2022, like the year 2022
    assert str(span) == "2018-2022"
    assert canonical_period("2018-2022") == "2018-2022"
    assert str(parse_period("2022-2023")) == "2022-2023"


def test_a_span_sorts_before_every_period_of_its_last_december() -> None:
    texts = ["2022", "2018-2022", "2022-M12", "2022-M11", "2022-Q4", "2017-2021", "2023-Q1"]
    ordered = sorted(texts, key=lambda t: parse_period(t).sort_key)
    assert ordered == [
        "2017-2021",
        "2022-M11",
        "2018-2022",
        "2022-M12",
        "2022-Q4",
        "2022",
        "2023-Q1",
    ]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2022-2022", "last year must come after the first"),
        ("2022-2018", "last year must come after the first"),
        ("2018-2101", r"outside 1949\.\.2100"),
        ("1948-2022", r"outside 1949\.\.2100"),
        ("2018-22", "not a period"),
        ("2018-20222", "not a period"),
        ("2018–2022", "not a period"),  # an en dash: the spelling is ASCII
        ("2018-2022\n", "not a period"),
    ],
)
def test_span_rejections_say_why(text: str, reason: str) -> None:
    with pytest.raises(PeriodError, match=reason):
        parse_period(text)
