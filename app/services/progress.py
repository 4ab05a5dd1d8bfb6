"""Turns stored targets, plans and observations into their progress blocks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol, cast

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
from app.models import Indicator, Observation, Plan, Region, Target
from app.queries.observations import Figure, ObservationRow, latest_points
from app.schemas.common import IndicatorRef, RegionRef, SourceRef
from app.schemas.goal import PlanRead, TargetRead
from app.schemas.observation import ObservationRead
from app.schemas.progress import BaselineRead, PlanProgressRead, TargetProgressRead

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
        stated = convert(row.baseline_value, row.baseline_unit or row.unit, unit)
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
        "retired_at": row.retired_at,
    }


def _progress_fields(progress: Progress) -> dict[str, object]:
    return {
        "actual": progress.actual,
        "actual_period": None if progress.actual_period is None else str(progress.actual_period),
        "gap": progress.gap,
        "completion_rate": progress.completion_rate,
        "progress_from_baseline": progress.progress_from_baseline,
        "elapsed": progress.elapsed,
        "schedule_variance_pp": progress.schedule_variance_pp,
        "status": progress.status,
    }


def target_read(
    target: Target, indicator: Indicator, region: Region, rows: Sequence[ObservedFigure]
) -> TargetRead:
    goal = _goal(target, indicator, target.start_year, target.end_year)
    unit = level_unit(target.basis, target.unit, indicator.unit)
    progress = target_progress(goal, to_points(rows, indicator.unit, unit))
    return TargetRead(
        **_common_fields(target, indicator, region),
        start_year=target.start_year,
        end_year=target.end_year,
        baseline=_baseline_read(target, indicator, progress),
        progress=TargetProgressRead(
            **_progress_fields(progress),
            required_cagr=progress.required_cagr,
            actual_cagr=progress.actual_cagr,
            projected_end_value=progress.projected_end_value,
            anticipated_progress=progress.anticipated_progress,
        ),
    )


def plan_read(
    plan: Plan, indicator: Indicator, region: Region, rows: Sequence[ObservedFigure]
) -> PlanRead:
    goal = _goal(plan, indicator, plan.year, plan.year)
    unit = level_unit(plan.basis, plan.unit, indicator.unit)
    progress = plan_progress(goal, to_points(rows, indicator.unit, unit))
    return PlanRead(
        **_common_fields(plan, indicator, region),
        year=plan.year,
        baseline=_baseline_read(plan, indicator, progress),
        progress=PlanProgressRead(
            **_progress_fields(progress),
            reported_completion_rate=progress.reported_completion_rate,
            reported_gap_pp=progress.reported_gap_pp,
        ),
    )


Series = dict[tuple[str, str], list[Figure]]


def evaluate_targets(
    session: Session,
    rows: Sequence[Row[Target, Indicator, Region]],
    as_of: datetime,
    series: Series | None = None,
) -> list[TargetRead]:
    """Progress as of ``as_of``; ``series`` when the caller fetched them already."""
    if series is None:
        series = latest_points(
            session, as_of, ((t.indicator_code, t.region_code) for t, _, _ in rows)
        )
    return [
        target_read(t, ind, reg, series[(t.indicator_code, t.region_code)]) for t, ind, reg in rows
    ]


def evaluate_plans(
    session: Session,
    rows: Sequence[Row[Plan, Indicator, Region]],
    as_of: datetime,
    series: Series | None = None,
) -> list[PlanRead]:
    if series is None:
        series = latest_points(
            session, as_of, ((p.indicator_code, p.region_code) for p, _, _ in rows)
        )
    return [
        plan_read(p, ind, reg, series[(p.indicator_code, p.region_code)]) for p, ind, reg in rows
    ]


def _exact(node: Any) -> Any:
    if isinstance(node, Decimal):
        return format(node, "f")
    if isinstance(node, dict):
        return {k: _exact(v) for k, v in node.items()}
    return node


def computed_parts(read: TargetRead | PlanRead) -> dict[str, Any]:
    """What is stored of a read: its progress block and baseline, exact decimals as text."""
    return {
        "progress": _exact(read.progress.model_dump()),
        "baseline": None if read.baseline is None else _exact(read.baseline.model_dump()),
    }


def _stored_fields(
    goal: Target | Plan, indicator: Indicator, region: Region, parts: dict[str, Any]
) -> dict[str, Any]:
    return {
        "id": goal.id,
        "indicator": {"code": indicator.code, "name": indicator.name, "unit": indicator.unit},
        "region": {"code": region.code, "name": region.name},
        "basis": goal.basis,
        "comparator": goal.comparator,
        "value": goal.value,
        "unit": goal.unit,
        "stretch": goal.stretch,
        "note": goal.note,
        "source": None
        if goal.document_code is None
        else {"document": goal.document_code, "quote": goal.quote},
        "retired_at": goal.retired_at,
        "baseline": parts["baseline"],
        "progress": parts["progress"],
    }


def stored_target_read(
    target: Target, indicator: Indicator, region: Region, parts: dict[str, Any]
) -> TargetRead:
    """A target's read from its stored parts: validated in one pass, no arithmetic."""
    fields = _stored_fields(target, indicator, region, parts)
    fields |= {"start_year": target.start_year, "end_year": target.end_year}
    return TargetRead.model_validate(fields)


def stored_plan_read(
    plan: Plan, indicator: Indicator, region: Region, parts: dict[str, Any]
) -> PlanRead:
    fields = _stored_fields(plan, indicator, region, parts)
    fields["year"] = plan.year
    return PlanRead.model_validate(fields)


def observation_read(obs: Observation, indicator: Indicator, region: Region) -> ObservationRead:
    source = None
    if obs.document_code is not None:
        source = SourceRef(document=obs.document_code, quote=obs.quote)
    return ObservationRead(
        id=obs.id,
        indicator=IndicatorRef.model_validate(indicator),
        region=RegionRef.model_validate(region),
        period=obs.period,
        value=obs.value,
        unit=obs.unit if obs.value is not None else None,
        stated_value=obs.stated_value,
        stated_unit=obs.stated_unit,
        yoy_growth=obs.yoy_growth,
        reported_completion_rate=obs.reported_completion_rate,
        source=source,
        note=obs.note,
        revision=obs.revision,
        recorded_at=obs.recorded_at,
        recorded_by=obs.recorded_by,
    )


def history(rows: Sequence[ObservationRow]) -> list[ObservationRead]:
    ordered = sorted(rows, key=lambda r: parse_period(r[0].period).sort_key)
    return [observation_read(*row) for row in ordered]


__all__ = ["Decimal", "evaluate_plans", "evaluate_targets", "history", "observation_read"]
