"""Progress arithmetic against DESIGN.md "Arithmetic", with every figure checked by hand.

Conventions: a target runs 2023–2027 (60 months, ends at T = 2028.0) unless stated; a plan
is the year 2023 (12 months). A baseline for 2022 sits at t_b = 2023.0; the full year
2023 ends at t = 2024.0. Rates (actual_cagr, required_cagr) are in %.

Exact values are compared exactly; a repeating decimal (Decimal keeps 28 digits) is
compared with its exact fraction to 1e-20; anything through a fractional power to 1e-9.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from app.domain.periods import parse_period
from app.domain.progress import (
    Baseline,
    Comparator,
    Goal,
    Point,
    Progress,
    comparator_holds,
    completion_rate,
    elapsed_pct,
    fallback_baseline,
    gap,
    geometric_mean_growth,
    growth_rate,
    plan_progress,
    progress_from_baseline,
    target_progress,
)

REPEATING = Fraction("1e-20")
POWER = Fraction("1e-9")


def close(
    actual: Decimal | None, expected: Fraction | int | str, tol: Fraction = REPEATING
) -> bool:
    assert actual is not None
    return abs(Fraction(actual) - Fraction(expected)) <= tol


def pt(
    period: str,
    value: str | int | None = None,
    *,
    yoy: str | int | None = None,
    reported: str | None = None,
) -> Point:
    return Point(
        parse_period(period),
        None if value is None else Decimal(value),
        None if yoy is None else Decimal(yoy),
        None if reported is None else Decimal(reported),
    )


def target(
    basis: str,
    comparator: str,
    value: str | int,
    *,
    measure: str = "level",
    baseline: Baseline | None = None,
    start: int = 2023,
    end: int = 2027,
) -> Goal:
    return Goal(basis, comparator, Decimal(value), start, end, measure, baseline)  # type: ignore[arg-type]


def plan(
    basis: str,
    comparator: str,
    value: str | int,
    *,
    measure: str = "flow",
    baseline: Baseline | None = None,
    year: int = 2023,
) -> Goal:
    return Goal(basis, comparator, Decimal(value), year, year, measure, baseline)  # type: ignore[arg-type]


def stated(year: int, value: str | int) -> Baseline:
    return Baseline(year, Decimal(value))


def assert_no_projection(progress: Progress) -> None:
    assert progress.required_cagr is None
    assert progress.actual_cagr is None
    assert progress.projected_end_value is None
    assert progress.anticipated_progress is None


# =====================================================================================
# small functions
# =====================================================================================


@pytest.mark.parametrize(
    ("actual", "comparator", "goal_value", "holds"),
    [
        ("150", ">=", "150", True),
        ("149.99", ">=", "150", False),
        ("150", ">", "150", False),
        ("150.01", ">", "150", True),
        ("2", "<=", "2", True),
        ("2.01", "<=", "2", False),
        ("2", "<", "2", False),
        ("1.99", "<", "2", True),
        # ~: within 2 % of the target value; 2 % of 50 is 1
        ("49", "~", "50", True),
        ("51", "~", "50", True),
        ("48.99", "~", "50", False),
        ("51.01", "~", "50", False),
        # 2 % of |-15| is 0.3
        ("-14.7", "~", "-15", True),
        ("-15.3", "~", "-15", True),
        ("-14.69", "~", "-15", False),
        # 2 % of 0 is 0
        ("0", "~", "0", True),
        ("0.001", "~", "0", False),
    ],
)
def test_comparator_holds(
    actual: str, comparator: Comparator, goal_value: str, holds: bool
) -> None:
    assert comparator_holds(Decimal(actual), comparator, Decimal(goal_value)) is holds


@pytest.mark.parametrize(
    ("actual", "comparator", "goal_value", "expected"),
    [
        # more wanted: target - actual
        ("110", ">=", "150", "40"),
        ("160", ">=", "150", "-10"),
        ("150", ">=", "150", "0"),
        ("110", ">", "150", "40"),
        ("160", ">", "150", "-10"),
        # less wanted: actual - target
        ("3.2", "<=", "2", "1.2"),
        ("1.5", "<=", "2", "-0.5"),
        ("2.5", "<", "2", "0.5"),
        ("1.5", "<", "2", "-0.5"),
        # a fall (change <= -20): actual -10 is 10 pp short, -25 is 5 pp past
        ("-10", "<=", "-20", "10"),
        ("-25", "<=", "-20", "-5"),
        # ~: target - actual, whichever side
        ("49", "~", "50", "1"),
        ("51", "~", "50", "-1"),
        ("-5", "~", "-20", "-15"),
    ],
)
def test_gap_sign_conventions(
    actual: str, comparator: Comparator, goal_value: str, expected: str
) -> None:
    assert gap(Decimal(actual), comparator, Decimal(goal_value)) == Decimal(expected)


@pytest.mark.parametrize(
    ("actual", "comparator", "goal_value", "expected"),
    [
        # more wanted: actual / target × 100
        ("121", ">=", "200", Fraction("60.5")),
        ("110", ">=", "150", Fraction(220, 3)),  # 73.333...
        ("160", ">", "150", Fraction(320, 3)),  # 106.666...
        ("49.5", "~", "50", Fraction(99)),  # ~ is judged like a floor
        ("55", "~", "50", Fraction(110)),
        # less wanted: target / actual × 100
        ("3.2", "<=", "2", Fraction("62.5")),
        ("1.6", "<", "2", Fraction(125)),
        ("9500", "<=", "9000", Fraction(1800, 19)),  # 94.7368...
        # rates: the ratio of the rates
        ("8.8", ">=", "11", Fraction(80)),
        ("2.4", "<=", "3", Fraction(125)),
        ("-5", "~", "-20", Fraction(25)),
    ],
)
def test_completion_rate(
    actual: str, comparator: Comparator, goal_value: str, expected: Fraction
) -> None:
    assert close(completion_rate(Decimal(actual), comparator, Decimal(goal_value)), expected)


def test_completion_rate_is_none_when_the_divisor_is_zero() -> None:
    assert completion_rate(Decimal(5), ">=", Decimal(0)) is None  # 5 / 0
    assert completion_rate(Decimal(5), "~", Decimal(0)) is None
    assert completion_rate(Decimal(0), "<=", Decimal(2)) is None  # 2 / 0
    assert completion_rate(Decimal(0), "<", Decimal(2)) is None
    # a zero numerator is fine
    assert completion_rate(Decimal(0), ">=", Decimal(2)) == Decimal(0)
    assert completion_rate(Decimal(5), "<=", Decimal(0)) == Decimal(0)


@pytest.mark.parametrize(
    ("actual", "baseline", "goal_value", "expected"),
    [
        ("110", "100", "150", "20"),  # 10 / 50
        ("90", "100", "150", "-20"),  # going backwards
        ("160", "100", "150", "120"),  # past the target
        ("3.2", "4", "2", "40"),  # a falling target: -0.8 / -2
        ("100", "100", "150", "0"),
        ("55.6", "55", "56", "60"),  # 0.6 / 1
    ],
)
def test_progress_from_baseline(actual: str, baseline: str, goal_value: str, expected: str) -> None:
    result = progress_from_baseline(Decimal(actual), Decimal(baseline), Decimal(goal_value))
    assert result == Decimal(expected)


def test_progress_from_baseline_is_none_when_target_equals_baseline() -> None:
    assert progress_from_baseline(Decimal(120), Decimal(100), Decimal(100)) is None


def test_growth_rate_is_a_fraction() -> None:
    # 100 -> 110 in one year: 0.1; 100 -> 121 in two years: 1.21^(1/2) - 1 = 0.1
    assert growth_rate(Decimal(100), Decimal(110), Decimal(1)) == Decimal("0.1")
    assert close(growth_rate(Decimal(100), Decimal(121), Decimal(2)), Fraction(1, 10), POWER)
    # 4 -> 3.2 in one year: -0.2
    assert growth_rate(Decimal(4), Decimal("3.2"), Decimal(1)) == Decimal("-0.2")


@pytest.mark.parametrize(
    ("start", "end", "years"),
    [
        ("100", "110", "0"),
        ("100", "110", "-1"),
        ("0", "110", "1"),
        ("100", "0", "1"),
        ("-5", "10", "1"),
    ],
)
def test_growth_rate_undefined(start: str, end: str, years: str) -> None:
    assert growth_rate(Decimal(start), Decimal(end), Decimal(years)) is None


def test_geometric_mean_growth() -> None:
    # (1.21 × 1.00)^(1/2) - 1 = 0.1 -> 10 %
    assert close(geometric_mean_growth([Decimal(21), Decimal(0)]), 10, POWER)
    # (1.1 × 1.1 × 1.1)^(1/3) - 1 = 0.1 -> 10 %
    assert close(geometric_mean_growth([Decimal(10)] * 3), 10, POWER)
    # one rate is its own mean
    assert close(geometric_mean_growth([Decimal("6.5")]), Fraction("6.5"), POWER)
    # (1.44 × 0.64)^(1/2) = 0.96 -> -4 %
    assert close(geometric_mean_growth([Decimal(44), Decimal(-36)]), -4, POWER)
    assert geometric_mean_growth([]) is None
    assert geometric_mean_growth([Decimal(-100)]) is None  # product 0: no mean


def test_baseline_time() -> None:
    assert Baseline(2022, Decimal(1)).time == Decimal(2023)  # a stated year ends at 2023.0
    assert Baseline(2022, Decimal(1), parse_period("2022-Q3")).time == Decimal("2022.75")
    assert Baseline(2022, Decimal(1), parse_period("2022")).time == Decimal(2023)


# =====================================================================================
# baseline fallback
# =====================================================================================


def test_fallback_level_takes_the_latest_observation_of_the_year_before_start() -> None:
    points = [
        pt("2021", 1),
        pt("2022-Q3", 5),
        pt("2022-M11", 6),
        pt("2022-M12", yoy=3),  # no value: not a baseline
        pt("2023", 9),
    ]
    found = fallback_baseline(points, 2023, "level")
    assert found == Baseline(2022, Decimal(6), parse_period("2022-M11"))
    assert found is not None
    assert close(found.time, 2022 + Fraction(11, 12))


def test_fallback_prefers_the_coarser_period_ending_in_the_same_month() -> None:
    tied = [pt("2022-M12", 8), pt("2022-Q4", 7), pt("2022-H2", 6)]
    assert fallback_baseline([*tied, pt("2022", 9)], 2023, "level") == Baseline(
        2022, Decimal(9), parse_period("2022")
    )
    assert fallback_baseline(tied, 2023, "level") == Baseline(
        2022, Decimal(6), parse_period("2022-H2")
    )
    assert fallback_baseline(tied[:2], 2023, "level") == Baseline(
        2022, Decimal(7), parse_period("2022-Q4")
    )


def test_fallback_flow_needs_a_full_year_value() -> None:
    ytd = [pt("2022-H1", 10), pt("2022-Q3", 20), pt("2022-M11", 25)]
    assert fallback_baseline(ytd, 2023, "flow") is None
    assert fallback_baseline([*ytd, pt("2022", 40)], 2023, "flow") == Baseline(
        2022, Decimal(40), parse_period("2022")
    )


def test_fallback_only_looks_at_the_year_before_start() -> None:
    assert fallback_baseline([pt("2021", 5), pt("2023", 7)], 2023, "level") is None
    assert fallback_baseline([pt("2022", 5), pt("2023", 7)], 2024, "level") == Baseline(
        2023, Decimal(7), parse_period("2023")
    )
    assert fallback_baseline([], 2023, "level") is None


def test_a_stated_baseline_wins_over_the_fallback() -> None:
    goal = target("value", ">=", 150, baseline=stated(2022, 100))
    progress = target_progress(goal, [pt("2022", 90), pt("2023", 110)])
    assert progress.baseline == stated(2022, 100)
    assert progress.progress_from_baseline == Decimal(20)  # (110 - 100) / (150 - 100)


def test_a_target_uses_the_fallback_baseline() -> None:
    progress = target_progress(target("value", ">=", 150), [pt("2022", 100), pt("2023", 110)])
    assert progress.baseline == Baseline(2022, Decimal(100), parse_period("2022"))
    assert progress.progress_from_baseline == Decimal(20)


# =====================================================================================
# projection: DESIGN's example
# =====================================================================================


def test_design_projection_example() -> None:
    # b = 100 at t_b = 2023.0, a = 110 at t = 2024.0, target 150 at T = 2028.0
    goal = target("value", ">=", 150, baseline=stated(2022, 100))
    progress = target_progress(goal, [pt("2023", 110)])
    # actual_cagr = (110/100)^(1/1) - 1 = 10 %
    assert progress.actual_cagr == Decimal(10)
    # required_cagr = (150/100)^(1/5) - 1 = 1.0844717711976986... - 1 -> 8.4471771197698613 %
    assert close(progress.required_cagr, "8.447177119769861374560992241", POWER)
    # projected = 110 × 1.1^(2028 - 2024) = 110 × 1.4641 = 161.051
    assert close(progress.projected_end_value, "161.051", POWER)
    # anticipated = (161.051 - 100) / (150 - 100) × 100 = 122.102
    assert close(progress.anticipated_progress, "122.102", POWER)
    assert progress.status == "on_track"
    # and the rest: gap 150 - 110; completion 110/150 = 73.33...; from baseline 10/50
    assert progress.actual == Decimal(110)
    assert progress.actual_period == parse_period("2023")
    assert progress.gap == Decimal(40)
    assert close(progress.completion_rate, Fraction(220, 3))
    assert progress.progress_from_baseline == Decimal(20)
    assert progress.elapsed == Decimal(20)  # 12 of 60 months
    assert progress.schedule_variance_pp == Decimal(0)  # level with baseline: 20 - 20


# =====================================================================================
# value basis, level indicator
# =====================================================================================


def test_value_level_more_wanted() -> None:
    # fallback baseline: the latest 2022 figure is the full year, 100 (2022-Q2's 95 is older)
    goal = target("value", ">=", 200)
    points = [pt("2021", 90), pt("2022-Q2", 95), pt("2022", 100), pt("2024", 121)]
    progress = target_progress(goal, points)
    assert progress.baseline == Baseline(2022, Decimal(100), parse_period("2022"))
    assert progress.actual == Decimal(121)
    assert progress.actual_period == parse_period("2024")
    assert progress.gap == Decimal(79)  # 200 - 121
    assert progress.completion_rate == Decimal("60.5")  # 121 / 200
    assert progress.progress_from_baseline == Decimal(21)  # (121 - 100) / (200 - 100)
    assert progress.elapsed == Decimal(40)  # 24 of 60 months
    assert progress.schedule_variance_pp == Decimal(-19)  # 21 - 40
    # actual_cagr = (121/100)^(1/2) - 1 = 10 %
    assert close(progress.actual_cagr, 10, POWER)
    # required_cagr = 2^(1/5) - 1 = 0.148698354997035... -> 14.8698354997035 %
    assert close(progress.required_cagr, "14.86983549970350067986269468", POWER)
    # projected = 121 × 1.1^(2028 - 2025) = 121 × 1.331 = 161.051
    assert close(progress.projected_end_value, "161.051", POWER)
    # anticipated = (161.051 - 100) / (200 - 100) × 100 = 61.051
    assert close(progress.anticipated_progress, "61.051", POWER)
    assert progress.status == "needs_acceleration"


def test_value_level_less_wanted() -> None:
    # 新生儿死亡率 <= 2 ‰; 2022: 4, 2023: 3.2
    goal = target("value", "<=", 2)
    progress = target_progress(goal, [pt("2022", 4), pt("2023", "3.2")])
    assert progress.baseline == Baseline(2022, Decimal(4), parse_period("2022"))
    assert progress.gap == Decimal("1.2")  # 3.2 - 2
    assert progress.completion_rate == Decimal("62.5")  # 2 / 3.2
    assert progress.progress_from_baseline == Decimal(40)  # (3.2 - 4) / (2 - 4)
    assert progress.elapsed == Decimal(20)
    assert progress.schedule_variance_pp == Decimal(20)  # 40 - 20
    assert progress.actual_cagr == Decimal(-20)  # 3.2 / 4 - 1 = -0.2
    # required = 0.5^(1/5) - 1 = 0.8705505632961241 - 1 -> -12.944943670387588 %
    assert close(progress.required_cagr, "-12.94494367038758608637299825", POWER)
    # projected = 3.2 × 0.8^4 = 3.2 × 0.4096 = 1.31072
    assert close(progress.projected_end_value, "1.31072", POWER)
    # anticipated = (1.31072 - 4) / (2 - 4) × 100 = 134.464
    assert close(progress.anticipated_progress, "134.464", POWER)
    assert progress.status == "on_track"


def test_value_level_approximately_achieved() -> None:
    # ~ 50: |49.5 - 50| = 0.5 <= 2 % × 50 = 1
    goal = target("value", "~", 50, baseline=stated(2022, 40))
    progress = target_progress(goal, [pt("2023", "49.5")])
    assert progress.status == "achieved"
    assert progress.gap == Decimal("0.5")  # ~: target - actual
    assert progress.completion_rate == Decimal(99)  # 49.5 / 50
    assert progress.progress_from_baseline == Decimal(95)  # 9.5 / 10
    assert progress.schedule_variance_pp == Decimal(75)  # 95 - 20
    assert progress.actual_cagr == Decimal("23.75")  # 49.5 / 40 = 1.2375
    # projected = 49.5 × 1.2375^4 = 49.5 × 2.34520510253906... = 116.08765257568359375
    assert close(progress.projected_end_value, "116.08765257568359375", POWER)
    # anticipated = (116.0876525756836 - 40) / (50 - 40) × 100 = 760.876525756836
    assert close(progress.anticipated_progress, "760.8765257568359375", POWER)


def test_value_level_approximately_not_yet() -> None:
    # ~ 50: |48 - 50| = 2 > 1
    goal = target("value", "~", 50, baseline=stated(2022, 40))
    progress = target_progress(goal, [pt("2023", 48)])
    assert progress.gap == Decimal(2)
    assert progress.completion_rate == Decimal(96)
    # projected = 48 × 1.2^4 = 48 × 2.0736 = 99.5328; anticipated = 59.5328 / 10 × 100
    assert close(progress.projected_end_value, "99.5328", POWER)
    assert close(progress.anticipated_progress, "595.328", POWER)
    assert progress.status == "on_track"


def test_value_level_without_baseline_cannot_be_projected() -> None:
    goal = target("value", ">=", 75)
    progress = target_progress(goal, [pt("2021", 70), pt("2023", 72)])  # nothing for 2022
    assert progress.baseline is None
    assert progress.actual == Decimal(72)
    assert progress.gap == Decimal(3)
    assert progress.completion_rate == Decimal(96)  # 72 / 75
    assert progress.progress_from_baseline is None
    # a level without a baseline: expected share is 100 at any moment -> 96 - 100
    assert progress.schedule_variance_pp == Decimal(-4)
    assert_no_projection(progress)
    assert progress.status == "insufficient_data"
    # but a level already past the target is achieved
    assert target_progress(goal, [pt("2023", 76)]).status == "achieved"


# =====================================================================================
# value basis, flow indicator
# =====================================================================================


def test_value_flow_more_wanted_uses_full_years_only() -> None:
    # GDP >= 40 000 亿元; fallback baseline is the full-year 2022 (the 2022-H1 value is not)
    goal = target("value", ">=", 40000, measure="flow")
    points = [pt("2022-H1", 15000), pt("2022", 32000), pt("2023", 34000), pt("2024-H1", 18000)]
    progress = target_progress(goal, points)
    assert progress.baseline == Baseline(2022, Decimal(32000), parse_period("2022"))
    assert progress.actual == Decimal(34000)  # 2024-H1 is year-to-date: not for a target
    assert progress.actual_period == parse_period("2023")
    assert progress.gap == Decimal(6000)
    assert progress.completion_rate == Decimal(85)  # 34000 / 40000
    assert progress.progress_from_baseline == Decimal(25)  # 2000 / 8000
    assert progress.elapsed == Decimal(20)
    assert progress.schedule_variance_pp == Decimal(5)  # 25 - 20
    assert progress.actual_cagr == Decimal("6.25")  # 34000 / 32000 = 1.0625
    # required = 1.25^(1/5) - 1 = 1.0456395525912732 - 1 -> 4.5639552591273 %
    assert close(progress.required_cagr, "4.563955259127323065298529122", POWER)
    # projected = 34000 × 1.0625^4 = 34000 × 1.2744293212890625 = 43330.596923828125
    assert progress.projected_end_value == Decimal("43330.596923828125")
    # anticipated = 11330.596923828125 / 8000 × 100 = 141.6324615478515625
    assert progress.anticipated_progress == Decimal("141.6324615478515625")
    assert progress.status == "on_track"


def test_value_flow_less_wanted() -> None:
    # <= 9000; 2022: 10 000, 2023: 9500
    goal = target("value", "<=", 9000, measure="flow")
    progress = target_progress(goal, [pt("2022", 10000), pt("2023", 9500)])
    assert progress.gap == Decimal(500)  # 9500 - 9000
    assert close(progress.completion_rate, Fraction(1800, 19))  # 9000 / 9500 = 94.7368...
    assert progress.progress_from_baseline == Decimal(50)  # -500 / -1000
    assert progress.schedule_variance_pp == Decimal(30)  # with a baseline: 50 - 20
    assert progress.actual_cagr == Decimal(-5)  # 0.95 - 1
    # required = 0.9^(1/5) - 1 = 0.97914836236097... - 1 -> -2.0851637639023 %
    assert close(progress.required_cagr, "-2.085163763902321035703895480", POWER)
    # projected = 9500 × 0.95^4 = 9500 × 0.81450625 = 7737.809375
    assert progress.projected_end_value == Decimal("7737.809375")
    # anticipated = (7737.809375 - 10000) / (9000 - 10000) × 100 = 226.2190625
    assert progress.anticipated_progress == Decimal("226.2190625")
    assert progress.status == "on_track"


def test_value_flow_approximately() -> None:
    # ~ 5000; 2022: 4000, 2023: 4500; |4500 - 5000| = 500 > 100: not yet
    goal = target("value", "~", 5000, measure="flow")
    progress = target_progress(goal, [pt("2022", 4000), pt("2023", 4500)])
    assert progress.gap == Decimal(500)
    assert progress.completion_rate == Decimal(90)
    assert progress.progress_from_baseline == Decimal(50)
    assert progress.schedule_variance_pp == Decimal(30)
    assert progress.actual_cagr == Decimal("12.5")
    # projected = 4500 × 1.125^4 = 4500 × 1.601806640625 = 7208.1298828125
    assert progress.projected_end_value == Decimal("7208.1298828125")
    # anticipated = 3208.1298828125 / 1000 × 100 = 320.81298828125
    assert progress.anticipated_progress == Decimal("320.81298828125")
    assert progress.status == "on_track"
    # |4950 - 5000| = 50 <= 100
    assert target_progress(goal, [pt("2022", 4000), pt("2023", 4950)]).status == "achieved"


def test_value_flow_ceiling_without_baseline_is_a_budget() -> None:
    # <= 9000, no 2022 figure; 2023: 9450 -> used 105 % of the ceiling, 20 % of time
    goal = target("value", "<=", 9000, measure="flow")
    progress = target_progress(goal, [pt("2023", 9450)])
    assert progress.baseline is None
    assert close(progress.completion_rate, Fraction(2000, 21))  # 9000 / 9450 = 95.238...
    assert progress.schedule_variance_pp == Decimal(-85)  # elapsed 20 - used 105
    assert progress.status == "insufficient_data"  # cannot be projected without a baseline
    # used 8100 / 9000 = 90 % -> 20 - 90; the ceiling holds
    progress = target_progress(goal, [pt("2023", 8100)])
    assert progress.schedule_variance_pp == Decimal(-70)
    assert progress.status == "achieved"


# =====================================================================================
# yoy
# =====================================================================================


def test_yoy_more_wanted() -> None:
    # 基础设施投资增长 >= 11 %; the latest observation with a growth rate is 2023-Q3
    goal = target("yoy", ">=", 11)
    progress = target_progress(goal, [pt("2023-Q1", yoy=12), pt("2023-Q3", 1000, yoy="8.8")])
    assert progress.baseline is None
    assert progress.actual == Decimal("8.8")
    assert progress.actual_period == parse_period("2023-Q3")
    assert progress.gap == Decimal("2.2")  # 11 - 8.8
    assert progress.completion_rate == Decimal(80)  # 8.8 / 11
    assert progress.progress_from_baseline is None
    assert progress.elapsed == Decimal(15)  # 9 of 60 months
    assert progress.schedule_variance_pp == Decimal(-20)  # rates: 80 - 100
    assert progress.anticipated_progress == Decimal(80)  # = completion rate
    assert progress.required_cagr is None
    assert progress.actual_cagr is None
    assert progress.projected_end_value is None
    assert progress.status == "needs_acceleration"


def test_yoy_less_wanted() -> None:
    goal = target("yoy", "<=", 3)  # CPI <= 3 %
    progress = target_progress(goal, [pt("2023", yoy="2.4")])
    assert progress.gap == Decimal("-0.6")  # 2.4 - 3
    assert progress.completion_rate == Decimal(125)  # 3 / 2.4
    assert progress.schedule_variance_pp == Decimal(25)
    assert progress.anticipated_progress == Decimal(125)
    assert progress.status == "achieved"
    progress = target_progress(goal, [pt("2023", yoy=4)])
    assert progress.gap == Decimal(1)
    assert progress.completion_rate == Decimal(75)  # 3 / 4
    assert progress.anticipated_progress == Decimal(75)
    assert progress.status == "needs_acceleration"


def test_yoy_approximately() -> None:
    goal = target("yoy", "~", 6)  # 2 % of 6 is 0.12
    progress = target_progress(goal, [pt("2024-H1", yoy="5.9")])
    assert progress.status == "achieved"  # |5.9 - 6| = 0.1
    assert progress.gap == Decimal("0.1")
    assert close(progress.completion_rate, Fraction(295, 3))  # 5.9 / 6 = 98.333...
    assert progress.elapsed == Decimal(30)  # 18 of 60 months
    progress = target_progress(goal, [pt("2024-H1", yoy="5.5")])  # |5.5 - 6| = 0.5
    assert close(progress.anticipated_progress, Fraction(275, 3))  # 91.666...
    assert progress.status == "needs_acceleration"


# =====================================================================================
# cagr
# =====================================================================================


def test_cagr_via_baseline_more_wanted() -> None:
    # 研发投入年均增长 >= 12 %; baseline 100 (2022, t_b = 2023.0); latest full year 2024: 121
    goal = target("cagr", ">=", 12, measure="flow", baseline=stated(2022, 100))
    points = [pt("2023", 108), pt("2024", 121), pt("2025-Q1", 30)]
    progress = target_progress(goal, points)
    # (121 / 100)^(1 / (2025 - 2023)) - 1 = 1.1 - 1 -> 10 %
    assert close(progress.actual, 10, POWER)
    assert progress.actual_period == parse_period("2024")
    assert close(progress.gap, 2, POWER)  # 12 - 10
    assert close(progress.completion_rate, Fraction(250, 3), POWER)  # 10 / 12 = 83.33...
    assert progress.elapsed == Decimal(40)
    assert close(progress.schedule_variance_pp, Fraction(-50, 3), POWER)  # 83.33 - 100
    assert progress.required_cagr == Decimal(12)  # the target rate itself
    assert progress.actual_cagr == progress.actual
    assert progress.anticipated_progress == progress.completion_rate
    assert progress.projected_end_value is None
    assert progress.progress_from_baseline is None
    assert progress.status == "needs_acceleration"


def test_cagr_via_baseline_less_wanted() -> None:
    goal = target("cagr", "<=", 8, measure="flow", baseline=stated(2022, 100))
    progress = target_progress(goal, [pt("2024", 121)])
    assert close(progress.actual, 10, POWER)
    assert close(progress.gap, 2, POWER)  # 10 - 8
    assert close(progress.completion_rate, 80, POWER)  # 8 / 10
    assert close(progress.schedule_variance_pp, -20, POWER)
    assert progress.status == "needs_acceleration"


def test_cagr_via_fallback_baseline_approximately() -> None:
    # baseline from the 2022 observation; ~ 10 and the actual is 10
    goal = target("cagr", "~", 10)
    progress = target_progress(goal, [pt("2022", 100), pt("2024", 121)])
    assert progress.baseline == Baseline(2022, Decimal(100), parse_period("2022"))
    assert close(progress.actual, 10, POWER)
    assert close(progress.gap, 0, POWER)
    assert close(progress.completion_rate, 100, POWER)
    assert progress.status == "achieved"


def test_cagr_via_growth_rates_only_more_wanted() -> None:
    # no baseline, no 2022 figure: geometric mean of the full-year growth rates
    # ((1 + 0.21) × (1 + 0.00))^(1/2) - 1 = 1.1 - 1 -> 10 %; 2025-H1 is year-to-date
    goal = target("cagr", ">=", 9)
    points = [pt("2023", yoy=21), pt("2024", yoy=0), pt("2025-H1", yoy=30)]
    progress = target_progress(goal, points)
    assert progress.baseline is None
    assert close(progress.actual, 10, POWER)
    assert progress.actual_period == parse_period("2024")
    assert close(progress.gap, -1, POWER)  # 9 - 10
    assert close(progress.completion_rate, Fraction(1000, 9), POWER)  # 10 / 9 = 111.1...
    assert progress.status == "achieved"


def test_cagr_via_growth_rates_only_less_wanted() -> None:
    goal = target("cagr", "<=", 5)
    progress = target_progress(goal, [pt("2023", yoy=21), pt("2024", yoy=0)])
    assert close(progress.actual, 10, POWER)
    assert close(progress.gap, 5, POWER)  # 10 - 5
    assert close(progress.completion_rate, 50, POWER)  # 5 / 10
    assert close(progress.anticipated_progress, 50, POWER)
    assert close(progress.schedule_variance_pp, -50, POWER)
    assert progress.status == "needs_acceleration"


def test_cagr_via_growth_rates_only_approximately() -> None:
    # (1.1 × 1.1 × 1.1)^(1/3) - 1 -> 10 %, ~ 10.1: |10 - 10.1| = 0.1 <= 0.202
    goal = target("cagr", "~", "10.1")
    points = [pt("2023", yoy=10), pt("2024", yoy=10), pt("2025", yoy=10)]
    progress = target_progress(goal, points)
    assert close(progress.actual, 10, POWER)
    assert close(progress.gap, Fraction("0.1"), POWER)
    assert progress.status == "achieved"


def test_cagr_with_a_baseline_but_only_growth_rates_after_it() -> None:
    goal = target("cagr", ">=", 12, baseline=stated(2022, 100))
    progress = target_progress(goal, [pt("2023", yoy=21), pt("2024", yoy=0)])
    assert close(progress.actual, 10, POWER)
    assert progress.status == "needs_acceleration"  # 10 / 12 = 83.3 %


# =====================================================================================
# cumulative
# =====================================================================================

# 2023 full year 70 (its H1 30 is superseded); 2024 not complete: latest YTD 2024-Q3 45.
# 2022 is before the start. Sum 115 at 2024-Q3 = 12 + 9 = 21 of 60 months -> elapsed 35.
CUMULATIVE_POINTS = [
    pt("2022", 60),
    pt("2023-H1", 30),
    pt("2023", 70),
    pt("2024-H1", 30),
    pt("2024-Q3", 45),
]


def test_cumulative_more_wanted() -> None:
    # 城镇新增就业累计 >= 300 万人
    goal = target("cumulative", ">=", 300, measure="flow")
    progress = target_progress(goal, CUMULATIVE_POINTS)
    assert progress.baseline is None
    assert progress.actual == Decimal(115)
    assert progress.actual_period == parse_period("2024-Q3")
    assert progress.gap == Decimal(185)
    assert close(progress.completion_rate, Fraction(115, 3))  # 115 / 300 = 38.333...
    assert progress.elapsed == Decimal(35)
    assert close(progress.schedule_variance_pp, Fraction(10, 3))  # 38.333 - 35
    assert progress.progress_from_baseline is None
    # linear: 115 × 60 / 21 = 328.571428...; anticipated 328.57 / 300 = 109.5238...
    assert close(progress.projected_end_value, Fraction(2300, 7))
    assert close(progress.anticipated_progress, Fraction(2300, 21))
    assert progress.required_cagr is None
    assert progress.actual_cagr is None
    assert progress.status == "on_track"


def test_cumulative_less_wanted() -> None:
    goal = target("cumulative", "<=", 300, measure="flow")
    progress = target_progress(goal, CUMULATIVE_POINTS)
    assert progress.gap == Decimal(-185)  # 115 - 300
    assert close(progress.completion_rate, Fraction(6000, 23))  # 300 / 115 = 260.87
    # a ceiling without baseline is a budget: elapsed 35 - used 38.333
    assert close(progress.schedule_variance_pp, Fraction(-10, 3))
    assert close(progress.projected_end_value, Fraction(2300, 7))
    # direction-aware: 300 / 328.5714 = 91.304...
    assert close(progress.anticipated_progress, Fraction(2100, 23))
    # 115 <= 300, but a cumulative ceiling is only met when its span is over:
    # judged on the projection instead, 91.30 → needs_acceleration
    assert progress.status == "needs_acceleration"


def test_cumulative_approximately() -> None:
    goal = target("cumulative", "~", 120, measure="flow")  # |115 - 120| = 5 > 2.4
    progress = target_progress(goal, CUMULATIVE_POINTS)
    assert progress.gap == Decimal(5)
    assert close(progress.completion_rate, Fraction(575, 6))  # 95.8333...
    assert close(progress.schedule_variance_pp, Fraction(365, 6))  # 95.8333 - 35
    assert close(progress.anticipated_progress, Fraction(5750, 21))  # 328.57 / 120
    assert progress.status == "on_track"


def test_cumulative_counts_a_year_to_date_of_an_unfinished_year() -> None:
    goal = target("cumulative", ">=", 300, measure="flow")
    progress = target_progress(goal, [pt("2023-H1", 30)])
    assert progress.actual == Decimal(30)
    assert progress.elapsed == Decimal(10)  # 6 of 60
    assert progress.projected_end_value == Decimal(300)  # 30 × 60 / 6
    assert progress.anticipated_progress == Decimal(100)
    assert progress.status == "on_track"


# =====================================================================================
# change
# =====================================================================================


def test_change_more_wanted() -> None:
    # change >= +80 % against the 2022 level 50 (fallback); 2023: 60 -> +20 %
    goal = target("change", ">=", 80)
    progress = target_progress(goal, [pt("2022", 50), pt("2023", 60)])
    assert progress.baseline == Baseline(2022, Decimal(50), parse_period("2022"))
    assert progress.actual == Decimal(20)  # (60 - 50) / 50 × 100
    assert progress.gap == Decimal(60)  # 80 - 20
    assert progress.completion_rate == Decimal(25)  # 20 / 80
    assert progress.progress_from_baseline is None
    assert progress.schedule_variance_pp == Decimal(-75)  # not time-proportional: 25 - 100
    assert progress.actual_cagr == Decimal(20)  # 60 / 50 - 1
    # target level 50 × 1.8 = 90; required = 1.8^(1/5) - 1 -> 12.4746113142094786 %
    assert close(progress.required_cagr, "12.47461131420947862185145350", POWER)
    # projected level 60 × 1.2^4 = 124.416 -> change (124.416 - 50) / 50 = 148.832 %
    assert close(progress.projected_end_value, "148.832", POWER)
    # anticipated = (124.416 - 50) / (90 - 50) × 100 = 186.04
    assert close(progress.anticipated_progress, "186.04", POWER)
    assert progress.status == "on_track"


def test_change_less_wanted() -> None:
    # change <= -20 % against a stated 100; 2023: 90 -> -10 %
    goal = target("change", "<=", -20, baseline=stated(2022, 100))
    progress = target_progress(goal, [pt("2023", 90)])
    assert progress.actual == Decimal(-10)
    assert progress.gap == Decimal(10)  # -10 - (-20): 10 pp short
    # DESIGN's formula for less wanted, target / actual: -20 / -10 = 200 (see the report:
    # for negative rates this ratio exceeds 100 while the target is not met)
    assert progress.completion_rate == Decimal(200)
    assert progress.schedule_variance_pp == Decimal(100)
    assert progress.actual_cagr == Decimal(-10)
    # target level 80; required = 0.8^(1/5) - 1 -> -4.3647500209963 %
    assert close(progress.required_cagr, "-4.364750020996301428536016773", POWER)
    # projected level 90 × 0.9^4 = 59.049 -> change -40.951 %
    assert close(progress.projected_end_value, "-40.951", POWER)
    # anticipated = (59.049 - 100) / (80 - 100) × 100 = 204.755
    assert close(progress.anticipated_progress, "204.755", POWER)
    assert progress.status == "on_track"


def test_change_approximately() -> None:
    # 单位GDP二氧化碳排放降低20%左右: change ~ -20 against 100; 2023: 95 -> -5 %
    goal = target("change", "~", -20, baseline=stated(2022, 100))
    progress = target_progress(goal, [pt("2023", 95)])
    assert progress.actual == Decimal(-5)
    assert progress.gap == Decimal(-15)  # ~: target - actual = -20 - (-5)
    assert progress.completion_rate == Decimal(25)  # -5 / -20
    assert progress.schedule_variance_pp == Decimal(-75)
    # projected level 95 × 0.95^4 = 77.37809375 -> change -22.62190625 %
    assert close(progress.projected_end_value, "-22.62190625", POWER)
    # anticipated = (77.37809375 - 100) / (80 - 100) × 100 = 113.10953125
    assert close(progress.anticipated_progress, "113.10953125", POWER)
    assert progress.status == "on_track"
    # 80.2 -> -19.8 %: |-19.8 - (-20)| = 0.2 <= 0.4
    assert target_progress(goal, [pt("2023", "80.2")]).status == "achieved"


def test_change_of_a_flow_uses_full_years_and_needs_a_baseline() -> None:
    goal = target("change", ">=", 80, measure="flow")
    points = [pt("2022", 50), pt("2023", 60), pt("2024-H1", 40)]
    assert target_progress(goal, points).actual == Decimal(20)  # 2023 against 2022
    progress = target_progress(goal, [pt("2023", 60)])  # no baseline at all
    assert progress.actual is None
    assert progress.status == "insufficient_data"


# =====================================================================================
# target status thresholds (decided on exact values)
# =====================================================================================


@pytest.mark.parametrize(
    ("growth", "status"),
    [
        ("100", "achieved"),
        ("120", "achieved"),
        ("99.99999", "on_track"),
        ("95", "on_track"),
        ("94.99999", "needs_acceleration"),
        ("10", "needs_acceleration"),
        ("9.99999", "off_track"),
        ("0", "off_track"),
        ("-5", "off_track"),  # going backwards
    ],
)
def test_target_status_thresholds(growth: str, status: str) -> None:
    # yoy >= 100: anticipated_progress = growth / 100 × 100 = growth, exactly
    progress = target_progress(target("yoy", ">=", 100), [pt("2023", yoy=growth)])
    assert progress.anticipated_progress == Decimal(growth)
    assert progress.status == status


def test_strict_comparator_at_the_target_is_not_achieved() -> None:
    progress = target_progress(target("yoy", ">", 100), [pt("2023", yoy=100)])
    assert progress.anticipated_progress == Decimal(100)
    assert progress.status == "on_track"


@pytest.mark.parametrize(
    ("first_year", "anticipated", "status"),
    [
        # linear: value × 60 / 12; anticipated = that / 300 × 100
        ("57", "95", "on_track"),  # 285 / 300
        ("56.99997", "94.99995", "needs_acceleration"),  # 284.99985 / 300
        ("6", "10", "needs_acceleration"),  # 30 / 300
        ("5.99997", "9.99995", "off_track"),  # 29.99985 / 300
    ],
)
def test_target_status_thresholds_on_a_projection(
    first_year: str, anticipated: str, status: str
) -> None:
    goal = target("cumulative", ">=", 300, measure="flow")
    progress = target_progress(goal, [pt("2023", first_year)])
    assert progress.anticipated_progress == Decimal(anticipated)
    assert progress.status == status


def test_target_no_data() -> None:
    for goal in (
        target("value", ">=", 150),
        target("yoy", ">=", 6),
        target("cagr", ">=", 6),
        target("cumulative", ">=", 300, measure="flow"),
        target("change", ">=", 80),
    ):
        progress = target_progress(goal, [])
        assert progress == Progress(status="no_data")
    # a growth rate only is no actual for the value basis
    assert target_progress(target("value", ">=", 150), [pt("2023", yoy=5)]).status == "no_data"
    # a year-to-date flow is no actual for a value target
    flow = target("value", ">=", 150, measure="flow")
    assert target_progress(flow, [pt("2023-Q3", 140)]).actual is None


def test_target_with_the_baseline_as_latest_actual_cannot_be_projected() -> None:
    # the only figure is the 2022 baseline itself: t - t_b = 0
    progress = target_progress(target("value", ">=", 150), [pt("2022", 100)])
    assert progress.actual == Decimal(100)
    assert progress.elapsed == Decimal(0)
    assert progress.actual_cagr is None
    assert progress.status == "insufficient_data"


# =====================================================================================
# plans
# =====================================================================================


def investment_plan() -> Goal:
    # 2023 市级重点建设项目 investment >= 4300 亿元, flow, value basis
    return plan("value", ">=", 4300)


def test_design_plan_example() -> None:
    points = [
        pt("2022", 4000),  # no fallback baseline for a flow plan on the value basis
        pt("2023-Q1", 1000),
        pt("2023-H1", 2411, yoy="17.3", reported="54.7"),
        pt("2024-Q1", 1200),  # outside the plan year
    ]
    progress = plan_progress(investment_plan(), points)
    assert progress.baseline is None
    assert progress.actual == Decimal(2411)
    assert progress.actual_period == parse_period("2023-H1")
    assert progress.gap == Decimal(1889)  # 4300 - 2411
    # 2411 / 4300 × 100 = 2411 / 43 = 56.0697674418604651162790697674...
    assert close(progress.completion_rate, Fraction(2411, 43))
    assert close(progress.completion_rate, "56.0697674418604651162790697674")
    assert progress.progress_from_baseline is None
    assert progress.elapsed == Decimal(50)  # 6 of 12 months
    # 56.0697674... - 50 = 261 / 43 = 6.0697674...
    assert close(progress.schedule_variance_pp, Fraction(261, 43))
    assert progress.status == "on_schedule"
    assert progress.reported_completion_rate == Decimal("54.7")
    # 54.7 - 56.0697674... = -1.3697674418604651162790697674...
    assert close(progress.reported_gap_pp, Fraction("54.7") - Fraction(2411, 43))
    assert close(progress.reported_gap_pp, "-1.3697674418604651162790697674")
    assert_no_projection(progress)


def test_plan_year_to_date_flow_that_reached_the_plan_is_achieved() -> None:
    progress = plan_progress(investment_plan(), [pt("2023-Q3", 4400)])
    assert progress.gap == Decimal(-100)
    assert close(progress.completion_rate, Fraction(4400, 43))  # 102.3255...
    assert progress.status == "achieved"


def test_plan_behind_schedule() -> None:
    progress = plan_progress(investment_plan(), [pt("2023-Q3", 3000)])
    assert close(progress.completion_rate, Fraction(3000, 43))  # 69.767...
    assert progress.elapsed == Decimal(75)
    assert close(progress.schedule_variance_pp, Fraction(-225, 43))  # 69.767 - 75 = -5.23
    assert progress.status == "behind_schedule"
    assert progress.reported_completion_rate is None
    assert progress.reported_gap_pp is None


def test_plan_schedule_boundary_is_on_schedule() -> None:
    # 2150 / 4300 = 50 % at 2023-H1: variance exactly 0
    progress = plan_progress(investment_plan(), [pt("2023-H1", 2150)])
    assert progress.schedule_variance_pp == Decimal(0)
    assert progress.status == "on_schedule"
    progress = plan_progress(investment_plan(), [pt("2023-H1", "2149.99")])
    assert progress.status == "behind_schedule"


def test_plan_full_year_below_the_plan() -> None:
    progress = plan_progress(investment_plan(), [pt("2023-Q3", 4400), pt("2023", 4200)])
    assert progress.actual == Decimal(4200)  # the full year supersedes the year to date
    assert close(progress.schedule_variance_pp, Fraction(-100, 43))  # 4200/43 - 100
    assert progress.status == "behind_schedule"


def test_plan_ceiling_on_a_flow_is_a_budget() -> None:
    goal = plan("value", "<=", 1000)
    progress = plan_progress(goal, [pt("2023-H1", 450)])
    assert progress.gap == Decimal(-550)
    assert close(progress.completion_rate, Fraction(2000, 9))  # 1000 / 450
    assert progress.schedule_variance_pp == Decimal(5)  # elapsed 50 - used 45
    assert progress.status == "on_schedule"  # a year-to-date ceiling is not yet achieved
    progress = plan_progress(goal, [pt("2023-H1", 500)])
    assert progress.schedule_variance_pp == Decimal(0)
    assert progress.status == "on_schedule"
    progress = plan_progress(goal, [pt("2023-H1", 600)])
    assert progress.schedule_variance_pp == Decimal(-10)  # 50 - 60
    assert progress.status == "behind_schedule"
    assert plan_progress(goal, [pt("2023", 980)]).status == "achieved"
    progress = plan_progress(goal, [pt("2023", 1100)])
    assert progress.schedule_variance_pp == Decimal(-10)  # 100 - 110
    assert progress.status == "behind_schedule"


def test_plan_level_with_fallback_baseline() -> None:
    # forest cover >= 56 in 2023; 2022: 55; 2023-H1: 55.6
    goal = plan("value", ">=", 56, measure="level")
    progress = plan_progress(goal, [pt("2022", 55), pt("2023-H1", "55.6")])
    assert progress.baseline == Baseline(2022, Decimal(55), parse_period("2022"))
    assert progress.gap == Decimal("0.4")
    assert close(progress.completion_rate, Fraction(695, 7))  # 55.6 / 56 = 99.2857...
    assert progress.progress_from_baseline == Decimal(60)  # 0.6 / 1
    assert progress.schedule_variance_pp == Decimal(10)  # 60 - 50
    assert progress.status == "on_schedule"


def test_plan_level_with_stated_baseline() -> None:
    goal = plan("value", ">=", 56, measure="level", baseline=stated(2022, 54))
    progress = plan_progress(goal, [pt("2022", 55), pt("2023-H1", "55.6")])
    assert progress.progress_from_baseline == Decimal(80)  # 1.6 / 2
    assert progress.schedule_variance_pp == Decimal(30)


def test_plan_level_without_baseline() -> None:
    goal = plan("value", ">=", 56, measure="level")
    progress = plan_progress(goal, [pt("2023-H1", "55.6")])
    assert progress.baseline is None
    assert close(progress.schedule_variance_pp, Fraction(-5, 7))  # 99.2857 - 100
    assert progress.status == "behind_schedule"
    # reaching a level mid-year is not achieving the plan: 56.28 / 56 = 100.5 -> +0.5
    progress = plan_progress(goal, [pt("2023-H1", "56.28")])
    assert progress.schedule_variance_pp == Decimal("0.5")
    assert progress.status == "on_schedule"
    assert plan_progress(goal, [pt("2023", 56)]).status == "achieved"


def test_yoy_plan_is_only_achieved_on_a_full_year_figure() -> None:
    goal = plan("yoy", ">=", 6)
    progress = plan_progress(goal, [pt("2023-H1", yoy=7)])
    assert progress.elapsed == Decimal(50)
    assert close(progress.completion_rate, Fraction(350, 3))  # 7 / 6 = 116.67
    assert close(progress.schedule_variance_pp, Fraction(50, 3))  # 116.67 - 100
    assert progress.status == "on_schedule"
    progress = plan_progress(goal, [pt("2023-H1", yoy=7), pt("2023", yoy="6.5")])
    assert progress.actual == Decimal("6.5")
    assert progress.status == "achieved"
    progress = plan_progress(goal, [pt("2023", yoy="5.4")])
    assert progress.schedule_variance_pp == Decimal(-10)  # 5.4 / 6 = 90
    assert progress.status == "behind_schedule"


def test_yoy_plan_approximately() -> None:
    goal = plan("yoy", "~", 6)  # GDP增长6%左右
    progress = plan_progress(goal, [pt("2023-H1", yoy=5)])
    assert progress.gap == Decimal(1)
    assert close(progress.completion_rate, Fraction(250, 3))  # 83.33
    assert close(progress.schedule_variance_pp, Fraction(-50, 3))
    assert progress.status == "behind_schedule"
    assert plan_progress(goal, [pt("2023", yoy="5.9")]).status == "achieved"  # |-0.1| <= 0.12


def test_plan_uses_only_its_own_year() -> None:
    goal = plan("yoy", ">=", 6)
    assert plan_progress(goal, [pt("2022", yoy=9), pt("2024-Q1", yoy=9)]) == Progress(
        status="no_data"
    )
    progress = plan_progress(investment_plan(), [pt("2023-Q1", 1000), pt("2024", 5000)])
    assert progress.actual == Decimal(1000)


def test_plan_no_data() -> None:
    assert plan_progress(investment_plan(), []) == Progress(status="no_data")
    level = plan("value", ">=", 56, measure="level")
    assert plan_progress(level, [pt("2022", 55)]) == Progress(
        baseline=Baseline(2022, Decimal(55), parse_period("2022")), status="no_data"
    )


def test_elapsed_pct_matches_progress_elapsed() -> None:
    assert elapsed_pct(parse_period("2023-H1"), 2023, 2023) == Decimal(50)
    assert elapsed_pct(parse_period("2024-Q3"), 2023, 2027) == Decimal(35)


def test_cumulative_ceiling_is_achieved_once_the_span_is_over() -> None:
    goal = target("cumulative", "<=", 300, measure="flow")
    # five full years summing to 250 ≤ 300: the span is complete, the ceiling held
    points = [Point(parse_period(str(y)), Decimal(50)) for y in range(2023, 2028)]
    progress = target_progress(goal, points)
    assert progress.actual == Decimal(250)
    assert progress.elapsed == Decimal(100)
    assert progress.status == "achieved"


def test_an_actual_of_zero_is_off_track() -> None:
    # #14.9: >= 300 家 from a stated baseline of 100 in 2022; 2023 reads 0.
    # No growth rate reaches 0, but the projection does: 0 at the end,
    # anticipated (0 - 100) / (300 - 100) = -50 % -> off_track (was no_data).
    goal = target("value", ">=", 300, baseline=Baseline(2022, Decimal(100)))
    progress = target_progress(goal, [pt("2023", 0)])
    assert progress.actual == 0 and progress.gap == 300
    assert progress.projected_end_value == 0
    assert progress.actual_cagr == -100
    assert progress.anticipated_progress == -50
    assert progress.status == "off_track"
