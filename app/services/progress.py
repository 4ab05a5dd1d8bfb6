"""Turns stored targets, plans and observations into their progress blocks."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol, cast, overload

from sqlalchemy import Row
from sqlalchemy.orm import Session

from app.domain.periods import parse_period
from app.domain.progress import (
    Baseline,
    Basis,
    Comparator,
    Goal,
    Measure,
    Point,
    Progress,
    plan_progress,
    target_progress,
)
from app.domain.units import UnitError, convert
from app.models import Indicator, Plan, Region, Target
from app.models.types import utc_now
from app.queries.observations import Figure, latest_points
from app.schemas.common import IndicatorRef, RegionRef, SourceRef, rate_for_display
from app.schemas.goal import PlanRead, TargetRead, goal_sources
from app.schemas.progress import BaselineRead, PlanProgressRead, TargetProgressRead

# Bases whose actual is a rate computed from the figures (shown to 4 decimals, like every
# computed rate); on the others it is a posted figure or their sum, shown with every digit.
COMPUTED_RATE_BASES = ("cagr", "change")

GoalRow = tuple[Target, Indicator, Region] | tuple[Plan, Indicator, Region]


def level_unit(basis: str, goal_unit: str, indicator_unit: str) -> str:
    """Unit in which baseline and observations are compared with the goal.

    On the ``value`` and ``cumulative`` bases the goal's own unit; on the growth bases
    (``yoy``, ``cagr``, ``change``) the goal is a % and levels stay in the indicator's unit.
    """
    return goal_unit if basis in ("value", "cumulative") else indicator_unit


class ObservedFigure(Protocol):
    """What the arithmetic reads of an observation: an entity or a plain row alike."""

    @property
    def period(self) -> str: ...
    @property
    def value(self) -> Decimal | None: ...
    @property
    def unit(self) -> str | None: ...
    @property
    def yoy_growth(self) -> Decimal | None: ...
    @property
    def reported_completion_rate(self) -> Decimal | None: ...


def to_points(rows: Sequence[ObservedFigure], indicator_unit: str, unit: str) -> list[Point]:
    points = []
    for obs in rows:
        value = obs.value
        if value is not None:
            try:
                value = convert(value, obs.unit or indicator_unit, unit)
            except UnitError:
                value = None
        points.append(
            Point(parse_period(obs.period), value, obs.yoy_growth, obs.reported_completion_rate)
        )
    return points


def _goal(row: Target | Plan, indicator: Indicator, start: int, end: int) -> Goal:
    unit = level_unit(row.basis, row.unit, indicator.unit)
    baseline = None
    if row.baseline_value is not None and row.baseline_year is not None:
        # No unit stated: the baseline is in the unit its level is compared in (the goal's
        # for value/cumulative, the indicator's for the growth bases). Checked on write; a
        # row stored otherwise has no stated baseline rather than a 500.
        try:
            stated = convert(row.baseline_value, row.baseline_unit or unit, unit)
        except UnitError:
            stated = None
        if stated is not None:
            baseline = Baseline(row.baseline_year, stated)
    return Goal(
        basis=cast(Basis, row.basis),
        comparator=cast(Comparator, row.comparator),
        value=row.value,
        start_year=start,
        end_year=end,
        measure=cast(Measure, indicator.measure),
        baseline=baseline,
    )


def _baseline_read(
    row: Target | Plan, indicator: Indicator, progress: Progress
) -> BaselineRead | None:
    if progress.baseline is None:
        return None
    b = progress.baseline
    return BaselineRead(
        year=b.year,
        value=b.value,
        unit=level_unit(row.basis, row.unit, indicator.unit),
        period=None if b.period is None else str(b.period),
        stated=row.baseline_value is not None,
    )


def _common_fields(row: Target | Plan, indicator: Indicator, region: Region) -> dict[str, object]:
    source = None
    if row.document_code is not None:
        source = SourceRef(document=row.document_code, quote=row.quote)
    sources = goal_sources(row.sources_json, source)
    return {
        "id": row.id,
        "indicator": IndicatorRef.model_validate(indicator),
        "region": RegionRef.model_validate(region),
        "basis": row.basis,
        "comparator": row.comparator,
        "value": row.value,
        "unit": row.unit,
        "stretch": row.stretch,
        "note": row.note,
        "source": source,
        "sources": sources,
        "retired_at": row.retired_at,
    }


def _progress_fields(progress: Progress, basis: str) -> dict[str, object]:
    actual, gap = progress.actual, progress.gap
    if basis in COMPUTED_RATE_BASES:
        actual = None if actual is None else rate_for_display(actual)
        gap = None if gap is None else rate_for_display(gap)
    return {
        "actual": actual,
        "actual_period": None if progress.actual_period is None else str(progress.actual_period),
        "gap": gap,
        "completion_rate": progress.completion_rate,
        "progress_from_baseline": progress.progress_from_baseline,
        "elapsed": progress.elapsed,
        "schedule_variance_pp": progress.schedule_variance_pp,
        "status": progress.status,
    }


def _progress(
    row: Target | Plan,
    indicator: Indicator,
    rows: Sequence[ObservedFigure],
    span: tuple[int, int],
    judge: Callable[[Goal, Sequence[Point]], Progress],
) -> Progress:
    goal = _goal(row, indicator, *span)
    return judge(
        goal, to_points(rows, indicator.unit, level_unit(row.basis, row.unit, indicator.unit))
    )


def status_judge(
    row: Target | Plan, indicator: Indicator
) -> tuple[str, Callable[[Sequence[Point]], str]]:
    """The unit a goal's figures are converted to (``to_points``) and the function from
    its points to its status alone, by the same arithmetic as a full read; the goal is
    prepared once for the many moments of a timeline."""
    unit = level_unit(row.basis, row.unit, indicator.unit)
    if isinstance(row, Target):
        target = _goal(row, indicator, row.start_year, row.end_year)
        return unit, lambda points: target_progress(target, points).status
    plan = _goal(row, indicator, row.year, row.year)
    return unit, lambda points: plan_progress(plan, points).status


def target_read(
    target: Target, indicator: Indicator, region: Region, rows: Sequence[ObservedFigure]
) -> TargetRead:
    span = (target.start_year, target.end_year)
    progress = _progress(target, indicator, rows, span, target_progress)
    return TargetRead(
        **_common_fields(target, indicator, region),
        start_year=target.start_year,
        end_year=target.end_year,
        baseline=_baseline_read(target, indicator, progress),
        progress=TargetProgressRead(
            **_progress_fields(progress, target.basis),
            required_cagr=progress.required_cagr,
            actual_cagr=progress.actual_cagr,
            projected_end_value=progress.projected_end_value,
            anticipated_progress=progress.anticipated_progress,
        ),
    )


def plan_read(
    plan: Plan, indicator: Indicator, region: Region, rows: Sequence[ObservedFigure]
) -> PlanRead:
    progress = _progress(plan, indicator, rows, (plan.year, plan.year), plan_progress)
    return PlanRead(
        **_common_fields(plan, indicator, region),
        year=plan.year,
        baseline=_baseline_read(plan, indicator, progress),
        progress=PlanProgressRead(
            **_progress_fields(progress, plan.basis),
            reported_completion_rate=progress.reported_completion_rate,
            reported_gap_pp=progress.reported_gap_pp,
        ),
    )


Series = dict[tuple[str, str], list[Figure]]


@overload
def evaluate(
    session: Session,
    model: type[Target],
    rows: Sequence[Row[Target, Indicator, Region]],
    as_of: datetime | None = None,
    series: Series | None = None,
) -> list[TargetRead]: ...
@overload
def evaluate(
    session: Session,
    model: type[Plan],
    rows: Sequence[Row[Plan, Indicator, Region]],
    as_of: datetime | None = None,
    series: Series | None = None,
) -> list[PlanRead]: ...
def evaluate(
    session: Session,
    model: type[Target] | type[Plan],
    rows: Sequence[Row[Any, Indicator, Region]],
    as_of: datetime | None = None,
    series: Series | None = None,
) -> list[TargetRead] | list[PlanRead]:
    """Progress of these goals as of ``as_of`` (now by default), from the figures recorded
    by then; ``series`` when the caller fetched them already."""
    if series is None:
        pairs = ((goal.indicator_code, goal.region_code) for goal, _, _ in rows)
        series = latest_points(session, as_of or utc_now(), pairs)
    if model is Target:
        return [target_read(t, i, r, series[(t.indicator_code, t.region_code)]) for t, i, r in rows]
    return [plan_read(p, i, r, series[(p.indicator_code, p.region_code)]) for p, i, r in rows]
