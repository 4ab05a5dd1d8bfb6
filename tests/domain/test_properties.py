"""Properties of the progress arithmetic that hold for any figures (hypothesis)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.periods import Period, parse_period
from app.domain.progress import (
    COMPARATORS,
    MEASURES,
    Baseline,
    Comparator,
    Goal,
    Measure,
    Point,
    comparator_holds,
    completion_rate,
    depends_on_year,
    elapsed_pct,
    gap,
    plan_progress,
    target_progress,
)

EXAMPLES = settings(max_examples=200, deadline=None)

# Figures as an analyst would post them: up to 9 integer digits and 4 decimals.
values = st.decimals(
    min_value=Decimal("-999999999"),
    max_value=Decimal("999999999"),
    places=4,
    allow_nan=False,
    allow_infinity=False,
)
positive_values = st.decimals(
    min_value=Decimal("0.0001"),
    max_value=Decimal("999999999"),
    places=4,
    allow_nan=False,
    allow_infinity=False,
)
comparators = st.sampled_from(COMPARATORS)
measures = st.sampled_from(MEASURES)


PERIODS_PER_YEAR = {"Y": 1, "H": 2, "Q": 4, "M": 12}


@st.composite
def periods(draw: st.DrawFn) -> Period:
    year = draw(st.integers(2018, 2032))
    kind = draw(st.sampled_from(list(PERIODS_PER_YEAR)))
    index = draw(st.integers(1, PERIODS_PER_YEAR[kind]))
    return Period(year, kind, index)


baselines = st.none() | st.builds(Baseline, year=st.integers(2018, 2022), value=positive_values)


# --- status "achieved" is exactly the comparator on full-year data ----------------------


@EXAMPLES
@given(
    comparator=comparators,
    goal_value=values,
    measure=measures,
    baseline=baselines,
    yearly=st.dictionaries(st.integers(2020, 2027), values, min_size=1, max_size=8),
)
def test_target_achieved_iff_comparator_holds(
    comparator: Comparator,
    goal_value: Decimal,
    measure: Measure,
    baseline: Baseline | None,
    yearly: dict[int, Decimal],
) -> None:
    goal = Goal("value", comparator, goal_value, 2023, 2027, measure, baseline)
    points = [Point(Period(year, "Y", 1), value) for year, value in yearly.items()]
    progress = target_progress(goal, points)
    latest = yearly[max(yearly)]
    assert progress.actual == latest
    assert (progress.status == "achieved") == comparator_holds(latest, comparator, goal_value)


@EXAMPLES
@given(
    comparator=comparators,
    goal_value=values,
    measure=measures,
    baseline=baselines,
    plan_year_value=values,
    other_years=st.dictionaries(st.integers(2018, 2030).filter(lambda y: y != 2023), values),
)
def test_plan_achieved_iff_comparator_holds_on_the_full_year(
    comparator: Comparator,
    goal_value: Decimal,
    measure: Measure,
    baseline: Baseline | None,
    plan_year_value: Decimal,
    other_years: dict[int, Decimal],
) -> None:
    goal = Goal("value", comparator, goal_value, 2023, 2023, measure, baseline)
    points = [Point(Period(year, "Y", 1), value) for year, value in other_years.items()]
    points.append(Point(Period(2023, "Y", 1), plan_year_value))
    progress = plan_progress(goal, points)
    assert progress.actual == plan_year_value
    holds = comparator_holds(plan_year_value, comparator, goal_value)
    assert (progress.status == "achieved") == holds


# --- completion rate and gap agree with the comparator ----------------------------------


@EXAMPLES
@given(actual=positive_values, goal_value=positive_values, comparator=st.sampled_from([">=", "<="]))
def test_completion_reaches_100_exactly_when_the_comparator_holds(
    actual: Decimal, goal_value: Decimal, comparator: Comparator
) -> None:
    rate = completion_rate(actual, comparator, goal_value)
    assert rate is not None
    assert (rate >= 100) == comparator_holds(actual, comparator, goal_value)


@EXAMPLES
@given(actual=values, goal_value=values, comparator=st.sampled_from([">=", "<="]))
def test_gap_is_not_positive_exactly_when_the_comparator_holds(
    actual: Decimal, goal_value: Decimal, comparator: Comparator
) -> None:
    assert (gap(actual, comparator, goal_value) <= 0) == comparator_holds(
        actual, comparator, goal_value
    )


@EXAMPLES
@given(actual=values, goal_value=values, comparator=st.sampled_from([">", "<"]))
def test_gap_is_negative_exactly_when_a_strict_comparator_holds(
    actual: Decimal, goal_value: Decimal, comparator: Comparator
) -> None:
    assert (gap(actual, comparator, goal_value) < 0) == comparator_holds(
        actual, comparator, goal_value
    )


# --- 序时进度 is monotone in the period ----------------------------------------------------


@EXAMPLES
@given(
    first=periods(),
    second=periods(),
    start=st.integers(2020, 2027),
    length=st.integers(1, 6),
)
def test_elapsed_is_monotone_in_the_period(
    first: Period, second: Period, start: int, length: int
) -> None:
    end = start + length - 1
    early, late = sorted([first, second], key=lambda p: p.sort_key)
    assert early.end_time <= late.end_time
    before, after = elapsed_pct(early, start, end), elapsed_pct(late, start, end)
    assert 0 <= before <= after <= 100


# --- a figure after a goal's end year never changes its progress -------------------------


@st.composite
def points(draw: st.DrawFn) -> Point:
    value = draw(st.none() | positive_values)
    growth = draw(st.none() | values) if value is not None else draw(values)
    return Point(draw(periods()), value, growth, draw(st.none() | positive_values))


@EXAMPLES
@given(
    basis=st.sampled_from(["value", "yoy", "cagr", "cumulative", "change"]),
    comparator=comparators,
    goal_value=positive_values,
    measure=measures,
    baseline=baselines,
    start=st.integers(2021, 2025),
    length=st.integers(0, 4),
    series=st.lists(points(), max_size=12),
    later=st.lists(points(), min_size=1, max_size=4),
)
def test_figures_after_the_end_year_change_nothing(
    basis: str,
    comparator: Comparator,
    goal_value: Decimal,
    measure: Measure,
    baseline: Baseline | None,
    start: int,
    length: int,
    series: list[Point],
    later: list[Point],
) -> None:
    # what lets a post of 2026 figures skip recomputing the 2025 plans (depends_on_year)
    end = start + length
    goal = Goal(basis, comparator, goal_value, start, end, measure, baseline)  # type: ignore[arg-type]
    # one point per period, as the latest revisions are
    before = list({p.period: p for p in series if depends_on_year(end, p.period.year)}.values())
    by_period = {p.period: p for p in before}
    by_period.update({p.period: p for p in later if not depends_on_year(end, p.period.year)})
    assert target_progress(goal, list(by_period.values())) == target_progress(goal, before)
    if length == 0:
        assert plan_progress(goal, list(by_period.values())) == plan_progress(goal, before)


@EXAMPLES
@given(
    baseline=positive_values,
    above=positive_values,
    measure=measures,
    period=st.sampled_from(["2023", "2025", "2027"]),
)
def test_an_actual_of_zero_is_a_figure_that_projects_to_zero(
    baseline: Decimal, above: Decimal, measure: Measure, period: str
) -> None:
    """#14.9: a rising target whose figure fell to 0 is off track, never "no data"."""
    goal = Goal("value", ">=", baseline + above, 2023, 2027, measure, Baseline(2022, baseline))
    progress = target_progress(goal, [Point(parse_period(period), Decimal(0))])
    assert progress.actual == 0
    assert progress.projected_end_value == 0
    assert progress.actual_cagr == -100
    assert progress.anticipated_progress is not None and progress.anticipated_progress < 0
    assert progress.status == "off_track"


@EXAMPLES
@given(value=positive_values, target_value=positive_values, measure=measures)
def test_a_figure_that_is_the_baseline_itself_is_insufficient_data(
    value: Decimal, target_value: Decimal, measure: Measure
) -> None:
    """#17.3: an actual but no trend yet; ``no_data`` only without any figure."""
    goal = Goal("value", ">=", value + target_value, 2023, 2027, measure)
    progress = target_progress(goal, [Point(parse_period("2022"), value)])
    assert progress.actual == value
    assert progress.status == "insufficient_data"
    assert target_progress(goal, []).status == "no_data"


# --- spans of years are history: the arithmetic never reads them -----------------------


@st.composite
def spans(draw: st.DrawFn) -> Point:
    last = draw(st.integers(2016, 2032))
    years = draw(st.integers(2, 10))
    value = draw(st.none() | positive_values)
    growth = draw(st.none() | values) if value is not None else draw(values)
    return Point(Period(last, "S", years), value, growth, draw(st.none() | positive_values))


@EXAMPLES
@given(
    basis=st.sampled_from(["value", "yoy", "cagr", "cumulative", "change"]),
    comparator=comparators,
    goal_value=positive_values,
    measure=measures,
    baseline=baselines,
    start=st.integers(2019, 2025),
    length=st.integers(0, 4),
    series=st.lists(points(), max_size=12),
    history=st.lists(spans(), min_size=1, max_size=4),
)
def test_spans_of_years_change_no_progress(
    basis: str,
    comparator: Comparator,
    goal_value: Decimal,
    measure: Measure,
    baseline: Baseline | None,
    start: int,
    length: int,
    series: list[Point],
    history: list[Point],
) -> None:
    """DESIGN v1.1: a span's figure is never summed into an actual, never a baseline and
    never a trend, wherever it falls against the goal's years and whatever it holds."""
    end = start + length
    goal = Goal(basis, comparator, goal_value, start, end, measure, baseline)  # type: ignore[arg-type]
    dated = list({p.period: p for p in series}.values())
    mixed = list({p.period: p for p in [*dated, *history]}.values())
    assert target_progress(goal, mixed) == target_progress(goal, dated)
    if length == 0:
        assert plan_progress(goal, mixed) == plan_progress(goal, dated)


def test_a_span_alone_is_no_data_not_an_actual() -> None:
    # 362万 new jobs over 2018-2022 and 5.3 % a year: no 2023-2027 goal is judged on them
    span = Point(parse_period("2018-2022"), Decimal(362), Decimal("5.3"))
    for basis in ("value", "cumulative", "yoy", "cagr"):
        goal = Goal(basis, ">=", Decimal(300), 2023, 2027, "flow")  # type: ignore[arg-type]
        progress = target_progress(goal, [span])
        assert (progress.status, progress.actual, progress.baseline) == ("no_data", None, None)
    plan = Goal("value", ">=", Decimal(60), 2022, 2022, "flow")
    assert plan_progress(plan, [span]).status == "no_data"
