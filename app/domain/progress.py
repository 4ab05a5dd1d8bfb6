"""How far a target or plan is from being met, and whether it is on course.

Every rule of DESIGN.md's arithmetic lives here, on ``Decimal``: the actual per basis,
gap, completion rate, progress from the baseline, 序时进度 (elapsed share of the span),
schedule variance, the baseline fallback, the UNSD progress-chart projection and status.
Callers hand in observations already reduced to the latest revision per period and
converted into the goal's unit (see ``Goal.level_unit`` in the services layer).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from functools import lru_cache
from typing import Literal, NamedTuple

from app.domain.periods import Period, months_into_span, span_months

Basis = Literal["value", "yoy", "cagr", "cumulative", "change"]
Comparator = Literal[">=", ">", "<=", "<", "~"]
Measure = Literal["flow", "level"]
TargetStatus = Literal[
    "achieved", "on_track", "needs_acceleration", "off_track", "insufficient_data", "no_data"
]
PlanStatus = Literal["achieved", "on_schedule", "behind_schedule", "no_data"]

BASES: tuple[Basis, ...] = ("value", "yoy", "cagr", "cumulative", "change")
COMPARATORS: tuple[Comparator, ...] = (">=", ">", "<=", "<", "~")
MEASURES: tuple[Measure, ...] = ("flow", "level")
TARGET_STATUSES: tuple[TargetStatus, ...] = (
    "achieved",
    "on_track",
    "needs_acceleration",
    "off_track",
    "insufficient_data",
    "no_data",
)
PLAN_STATUSES: tuple[PlanStatus, ...] = ("achieved", "on_schedule", "behind_schedule", "no_data")

APPROX_TOLERANCE = Decimal("0.02")
ON_TRACK_THRESHOLD = Decimal(95)
OFF_TRACK_THRESHOLD = Decimal(10)
HUNDRED = Decimal(100)
ONE = Decimal(1)


class Point(NamedTuple):
    """One observation (latest revision) of the goal's indicator and region.

    A named tuple, not a dataclass: hundreds of thousands are built when many goals are
    recomputed, and a tuple is several times cheaper to make.
    """

    period: Period
    value: Decimal | None
    yoy_growth: Decimal | None = None
    reported_completion_rate: Decimal | None = None


@dataclass(frozen=True)
class Baseline:
    year: int
    value: Decimal
    period: Period | None = None

    @property
    def time(self) -> Decimal:
        """Moment the baseline describes: the end of its period, or of its year."""
        if self.period is not None:
            return self.period.end_time
        return Decimal(self.year + 1)


@dataclass(frozen=True)
class Goal:
    """A target (``start_year``..``end_year``) or a plan (one year: start == end)."""

    basis: Basis
    comparator: Comparator
    value: Decimal
    start_year: int
    end_year: int
    measure: Measure
    baseline: Baseline | None = None


@dataclass(frozen=True)
class Progress:
    actual: Decimal | None = None
    actual_period: Period | None = None
    gap: Decimal | None = None
    completion_rate: Decimal | None = None
    progress_from_baseline: Decimal | None = None
    elapsed: Decimal | None = None
    schedule_variance_pp: Decimal | None = None
    baseline: Baseline | None = None
    # targets
    required_cagr: Decimal | None = None
    actual_cagr: Decimal | None = None
    projected_end_value: Decimal | None = None
    anticipated_progress: Decimal | None = None
    # plans
    reported_completion_rate: Decimal | None = None
    reported_gap_pp: Decimal | None = None
    status: str = "no_data"


# --- comparators -------------------------------------------------------------------


def wants_more(comparator: Comparator) -> bool:
    """``>=``/``>`` (and ``~``, judged like a floor for rates) want more; ``<=``/``<`` want less."""
    return comparator in (">=", ">", "~")


def comparator_holds(actual: Decimal, comparator: Comparator, target: Decimal) -> bool:
    if comparator == ">=":
        return actual >= target
    if comparator == ">":
        return actual > target
    if comparator == "<=":
        return actual <= target
    if comparator == "<":
        return actual < target
    return abs(actual - target) <= abs(target) * APPROX_TOLERANCE


def gap(actual: Decimal, comparator: Comparator, target: Decimal) -> Decimal:
    """Distance still to go, in the goal's unit; ≤ 0 means reached (except for ``~``)."""
    if comparator in ("<=", "<"):
        return actual - target
    return target - actual


def completion_rate(actual: Decimal, comparator: Comparator, target: Decimal) -> Decimal | None:
    if wants_more(comparator):
        return _ratio_pct(actual, target)
    return _ratio_pct(target, actual)


def _ratio_pct(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    if denominator == 0:
        return None
    return numerator / denominator * HUNDRED


def progress_from_baseline(actual: Decimal, baseline: Decimal, target: Decimal) -> Decimal | None:
    if target == baseline:
        return None
    return (actual - baseline) / (target - baseline) * HUNDRED


def elapsed_pct(period: Period, start_year: int, end_year: int) -> Decimal:
    """序时进度: share of the span's months that ``period`` has covered."""
    return (
        Decimal(months_into_span(period, start_year, end_year))
        / Decimal(span_months(start_year, end_year))
        * HUNDRED
    )


def _power(base: Decimal, exponent: Decimal) -> Decimal | None:
    """``base ** exponent`` for a positive base; None where it is undefined."""
    if base <= 0:
        return None
    # Remembered by exact text (1.0 and 1.00 stay apart, as ``Decimal(str(d))`` is ``d``):
    # a goal's required growth is the same at every moment of its timeline.
    return _power_of(str(base), str(exponent))


@lru_cache(maxsize=65_536)
def _power_of(base: str, exponent: str) -> Decimal | None:
    try:
        with localcontext() as ctx:
            ctx.prec = 34
            return +(Decimal(base) ** Decimal(exponent))
    except (ArithmeticError, OverflowError):  # decimal.Overflow is an ArithmeticError
        return None


def growth_rate(start: Decimal, end: Decimal, years: Decimal) -> Decimal | None:
    """Compound annual growth from ``start`` to ``end`` over ``years``, as a fraction."""
    if years <= 0 or start <= 0 or end <= 0:
        return None
    factor = _power(end / start, ONE / years)
    return None if factor is None else factor - ONE


def geometric_mean_growth(rates_pct: Sequence[Decimal]) -> Decimal | None:
    """Average annual growth in % from yearly growth rates: geometric mean of (1 + g)."""
    if not rates_pct:
        return None
    product = ONE
    for rate in rates_pct:
        product *= ONE + rate / HUNDRED
    mean = _power(product, ONE / Decimal(len(rates_pct)))
    return None if mean is None else (mean - ONE) * HUNDRED


# --- choosing points ----------------------------------------------------------------


def arithmetic_points(points: Sequence[Point]) -> Sequence[Point]:
    """The points the arithmetic reads: spans of years (``2018-2022``) are history, shown
    beside the goal but never summed into an actual, a baseline or a trend."""
    if not any(p.period.is_span for p in points):
        return points
    return [p for p in points if not p.period.is_span]


def _latest(points: Iterable[Point]) -> Point | None:
    return max(points, key=lambda p: p.period.sort_key, default=None)


def fallback_baseline(
    points: Sequence[Point], start_year: int, measure: Measure
) -> Baseline | None:
    """Latest observation for a period ending in the year before ``start_year``.

    For a flow only a full-year figure is a baseline: a year-to-date value is not
    comparable with a year's total.
    """
    candidates = [
        p
        for p in arithmetic_points(points)
        if p.value is not None
        and p.period.year == start_year - 1
        and (measure == "level" or p.period.is_full_year)
    ]
    latest = _latest(candidates)
    if latest is None or latest.value is None:
        return None
    return Baseline(latest.period.year, latest.value, latest.period)


@dataclass(frozen=True)
class _Actual:
    value: Decimal
    period: Period
    point: Point


def _latest_value(points: Sequence[Point], goal: Goal, *, full_year_only: bool) -> _Actual | None:
    candidates = [
        p
        for p in points
        if p.value is not None
        and p.period.year <= goal.end_year
        and (p.period.is_full_year or not full_year_only)
    ]
    latest = _latest(candidates)
    if latest is None or latest.value is None:
        return None
    return _Actual(latest.value, latest.period, latest)


def actual_for(goal: Goal, points: Sequence[Point], *, is_plan: bool) -> _Actual | None:
    """The figure the goal is judged on, per its basis (DESIGN: **actual**)."""
    points = arithmetic_points(points)
    if is_plan:
        points = [p for p in points if p.period.year == goal.end_year]

    if goal.basis == "value":
        full_year_only = goal.measure == "flow" and not is_plan
        return _latest_value(points, goal, full_year_only=full_year_only)

    if goal.basis == "yoy":
        latest = _latest(
            p for p in points if p.yoy_growth is not None and p.period.year <= goal.end_year
        )
        if latest is None or latest.yoy_growth is None:
            return None
        return _Actual(latest.yoy_growth, latest.period, latest)

    if goal.basis == "cumulative":
        return _cumulative_actual(goal, points)

    if goal.basis == "cagr":
        return _cagr_actual(goal, points)

    return _change_actual(goal, points)


def _cumulative_actual(goal: Goal, points: Sequence[Point]) -> _Actual | None:
    """Full-year values from the start year on, plus the year-to-date of an unfinished year."""
    total = Decimal(0)
    last: Point | None = None
    for year in range(goal.start_year, goal.end_year + 1):
        in_year = [p for p in points if p.period.year == year and p.value is not None]
        full = [p for p in in_year if p.period.is_full_year]
        chosen = _latest(full) or _latest(in_year)
        if chosen is None or chosen.value is None:
            continue
        total += chosen.value
        last = chosen
    if last is None:
        return None
    return _Actual(total, last.period, last)


def _cagr_actual(goal: Goal, points: Sequence[Point]) -> _Actual | None:
    baseline = goal.baseline
    if baseline is not None:
        full_years = [
            p
            for p in points
            if p.period.is_full_year
            and p.value is not None
            and baseline.year < p.period.year <= goal.end_year
        ]
        latest = _latest(full_years)
        if latest is not None and latest.value is not None:
            rate = growth_rate(baseline.value, latest.value, latest.period.end_time - baseline.time)
            if rate is not None:
                return _Actual(rate * HUNDRED, latest.period, latest)
    with_growth = sorted(
        (
            p
            for p in points
            if p.period.is_full_year
            and p.yoy_growth is not None
            and goal.start_year <= p.period.year <= goal.end_year
        ),
        key=lambda p: p.period.sort_key,
    )
    rates = [p.yoy_growth for p in with_growth if p.yoy_growth is not None]
    mean = geometric_mean_growth(rates)
    if mean is None:
        return None
    return _Actual(mean, with_growth[-1].period, with_growth[-1])


def _change_actual(goal: Goal, points: Sequence[Point]) -> _Actual | None:
    baseline = goal.baseline
    if baseline is None or baseline.value == 0:
        return None
    latest = _latest_value(points, goal, full_year_only=goal.measure == "flow")
    if latest is None or latest.period.end_time <= baseline.time:
        return None
    change = (latest.value - baseline.value) / baseline.value * HUNDRED
    return _Actual(change, latest.period, latest.point)


def _is_time_proportional(goal: Goal) -> bool:
    if goal.basis == "cumulative":
        return True
    if goal.basis != "value":
        return False
    return goal.measure == "flow" or goal.baseline is not None


def _schedule_variance(
    goal: Goal,
    actual: Decimal,
    completion: Decimal | None,
    from_baseline: Decimal | None,
    elapsed: Decimal,
) -> Decimal | None:
    if not _is_time_proportional(goal):
        return None if completion is None else completion - HUNDRED
    if from_baseline is not None:
        return from_baseline - elapsed
    if not wants_more(goal.comparator):
        # A ceiling on a flow is a budget: on schedule while the share used trails time.
        used = _ratio_pct(actual, goal.value)
        return None if used is None else elapsed - used
    return None if completion is None else completion - elapsed


def _with_baseline(goal: Goal, points: Sequence[Point], *, is_plan: bool) -> Goal:
    if goal.baseline is not None:
        return goal
    if is_plan and goal.measure == "flow" and goal.basis == "value":
        # A year-to-date flow is judged against the annual plan, not last year's total.
        return goal
    if goal.basis not in ("value", "change", "cagr"):
        return goal
    found = fallback_baseline(points, goal.start_year, goal.measure)
    if found is None:
        return goal
    return Goal(
        goal.basis,
        goal.comparator,
        goal.value,
        goal.start_year,
        goal.end_year,
        goal.measure,
        found,
    )


@dataclass(frozen=True)
class _Common:
    goal: Goal
    actual: _Actual
    gap: Decimal
    completion: Decimal | None
    from_baseline: Decimal | None
    elapsed: Decimal
    variance: Decimal | None


def _common(goal: Goal, actual: _Actual) -> _Common:
    completion = completion_rate(actual.value, goal.comparator, goal.value)
    from_baseline = None
    if goal.basis == "value" and goal.baseline is not None:
        from_baseline = progress_from_baseline(actual.value, goal.baseline.value, goal.value)
    elapsed = elapsed_pct(actual.period, goal.start_year, goal.end_year)
    return _Common(
        goal=goal,
        actual=actual,
        gap=gap(actual.value, goal.comparator, goal.value),
        completion=completion,
        from_baseline=from_baseline,
        elapsed=elapsed,
        variance=_schedule_variance(goal, actual.value, completion, from_baseline, elapsed),
    )


# --- projection ---------------------------------------------------------------------


@dataclass(frozen=True)
class Projection:
    required_cagr: Decimal | None = None
    actual_cagr: Decimal | None = None
    projected_end_value: Decimal | None = None
    anticipated_progress: Decimal | None = None


def project(goal: Goal, actual: _Actual, completion: Decimal | None) -> Projection:
    """UNSD progress-chart projection to the end of ``goal.end_year`` (rates in %)."""
    end_time = Decimal(goal.end_year + 1)
    if goal.basis in ("yoy", "cagr"):
        is_cagr = goal.basis == "cagr"
        return Projection(
            required_cagr=goal.value if is_cagr else None,
            actual_cagr=actual.value if is_cagr else None,
            anticipated_progress=completion,
        )
    if goal.basis == "cumulative":
        months = months_into_span(actual.period, goal.start_year, goal.end_year)
        if months == 0:
            return Projection()
        projected = actual.value * Decimal(span_months(goal.start_year, goal.end_year)) / months
        if wants_more(goal.comparator):
            anticipated = _ratio_pct(projected, goal.value)
        else:
            anticipated = _ratio_pct(goal.value, projected)
        return Projection(projected_end_value=projected, anticipated_progress=anticipated)

    baseline = goal.baseline
    if baseline is None:
        return Projection()
    b = baseline.value
    if goal.basis == "change":
        level = actual.point.value
        target_level = b * (ONE + goal.value / HUNDRED)
    else:
        level = actual.value
        target_level = goal.value
    required = growth_rate(b, target_level, end_time - baseline.time)
    if level is None:
        return Projection(required_cagr=_pct(required))
    t = actual.period.end_time
    if level == 0 and b > 0 and t > baseline.time:
        # Down to nothing: no growth rate reaches 0, but the projection does (it stays 0).
        return _projection_to_zero(goal, b, target_level, required)
    rate = growth_rate(b, level, t - baseline.time)
    if rate is None:
        return Projection(required_cagr=_pct(required))
    factor = _power(ONE + rate, end_time - t)
    if factor is None:
        return Projection(required_cagr=_pct(required), actual_cagr=_pct(rate))
    projected_level = level * factor
    anticipated = progress_from_baseline(projected_level, b, target_level)
    projected = projected_level
    if goal.basis == "change":
        projected = (projected_level - b) / b * HUNDRED
    return Projection(
        required_cagr=_pct(required),
        actual_cagr=_pct(rate),
        projected_end_value=projected,
        anticipated_progress=anticipated,
    )


def _projection_to_zero(
    goal: Goal, b: Decimal, target_level: Decimal, required: Decimal | None
) -> Projection:
    """An actual of 0 is a figure: it has fallen by 100 % and projects to 0 at the end."""
    projected = -HUNDRED if goal.basis == "change" else Decimal(0)
    return Projection(
        required_cagr=_pct(required),
        actual_cagr=-HUNDRED,
        projected_end_value=projected,
        anticipated_progress=progress_from_baseline(Decimal(0), b, target_level),
    )


def _pct(fraction: Decimal | None) -> Decimal | None:
    return None if fraction is None else fraction * HUNDRED


# --- entry points -------------------------------------------------------------------


def _ceiling_still_open(goal: Goal, elapsed: Decimal) -> bool:
    """A cumulative ceiling is only met once its span is over: the sum can still grow."""
    return goal.basis == "cumulative" and not wants_more(goal.comparator) and elapsed < HUNDRED


def target_progress(goal: Goal, points: Sequence[Point]) -> Progress:
    points = arithmetic_points(points)
    goal = _with_baseline(goal, points, is_plan=False)
    actual = actual_for(goal, points, is_plan=False)
    if actual is None:
        status: TargetStatus = "no_data"
        if _figures_without_baseline(goal, points):
            status = "insufficient_data"
        return Progress(baseline=goal.baseline, status=status)
    common = _common(goal, actual)
    projection = project(goal, actual, common.completion)
    anticipated = projection.anticipated_progress
    if comparator_holds(actual.value, goal.comparator, goal.value) and not _ceiling_still_open(
        goal, common.elapsed
    ):
        status = "achieved"
    elif anticipated is None:
        # An actual, but no trend yet: it is the baseline itself (or earlier), or the basis
        # needs a baseline there is not.
        status = "insufficient_data"
    elif anticipated >= ON_TRACK_THRESHOLD:
        status = "on_track"
    elif anticipated >= OFF_TRACK_THRESHOLD:
        status = "needs_acceleration"
    else:
        status = "off_track"
    return _measured(
        goal,
        actual,
        common,
        status,
        required_cagr=projection.required_cagr,
        actual_cagr=projection.actual_cagr,
        projected_end_value=projection.projected_end_value,
        anticipated_progress=anticipated,
    )


def _measured(
    goal: Goal, actual: _Actual, common: _Common, status: str, **specific: Decimal | None
) -> Progress:
    """The progress block of a goal with an actual: what targets and plans share, and the
    fields only one of them has (``specific``)."""
    return Progress(
        actual=actual.value,
        actual_period=actual.period,
        gap=common.gap,
        completion_rate=common.completion,
        progress_from_baseline=common.from_baseline,
        elapsed=common.elapsed,
        schedule_variance_pp=common.variance,
        baseline=goal.baseline,
        status=status,
        **specific,
    )


def _figures_without_baseline(goal: Goal, points: Sequence[Point]) -> bool:
    """A ``change`` or ``cagr`` goal with figures of its span but no baseline to measure
    them from: there is data, only no trend can be judged."""
    return (
        goal.basis in ("change", "cagr")
        and goal.baseline is None
        and any(p.value is not None and p.period.year <= goal.end_year for p in points)
    )


def depends_on_year(end_year: int, figure_year: int) -> bool:
    """Whether a figure of ``figure_year`` can change the progress of a goal ending in
    ``end_year`` (a plan's year): every basis reads figures up to the end year only, and the
    fallback baseline is the year before the start. A post of 2026 figures therefore
    leaves the 2025 plans as they were, which spares recomputing them.
    """
    return figure_year <= end_year


def plan_progress(goal: Goal, points: Sequence[Point]) -> Progress:
    points = arithmetic_points(points)
    goal = _with_baseline(goal, points, is_plan=True)
    actual = actual_for(goal, points, is_plan=True)
    if actual is None:
        return Progress(baseline=goal.baseline, status="no_data")
    common = _common(goal, actual)
    holds = comparator_holds(actual.value, goal.comparator, goal.value)
    reached_early = goal.basis == "value" and goal.measure == "flow" and wants_more(goal.comparator)
    status: PlanStatus
    if holds and (actual.period.is_full_year or reached_early):
        status = "achieved"
    elif common.variance is None:
        status = "no_data"
    elif common.variance >= 0:
        status = "on_schedule"
    else:
        status = "behind_schedule"
    reported = actual.point.reported_completion_rate
    reported_gap = None
    if reported is not None and common.completion is not None:
        reported_gap = reported - common.completion
    return _measured(
        goal,
        actual,
        common,
        status,
        reported_completion_rate=reported,
        reported_gap_pp=reported_gap,
    )
