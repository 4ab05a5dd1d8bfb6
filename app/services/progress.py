"""Turns stored targets, plans and observations into their progress blocks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Protocol, cast

from pydantic import TypeAdapter
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
from app.queries.observations import Figure, latest_points
from app.schemas.common import IndicatorRef, RegionRef, SourceRef, rate_for_display
from app.schemas.goal import PlanRead, TargetRead
from app.schemas.json_numbers import splice, splice_text
from app.schemas.observation import ObservationRead
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
    goal = _goal(plan, indicator, plan.year, plan.year)
    unit = level_unit(plan.basis, plan.unit, indicator.unit)
    progress = plan_progress(goal, to_points(rows, indicator.unit, unit))
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


# What a stored read leaves out: joined in at read time, so that renaming an indicator or a
# region never leaves a stale copy behind.
JOINED_FIELDS = {"id", "indicator", "region"}


def read_fragment(read: TargetRead | PlanRead) -> str:
    """The stored form of a read: the API's own JSON of it, less the joined fields."""
    return splice_text(read.model_dump_json(exclude=JOINED_FIELDS))


@lru_cache(maxsize=8192)
def _indicator_json(code: str, name: str, unit: str) -> str:
    return IndicatorRef(code=code, name=name, unit=unit).model_dump_json()


@lru_cache(maxsize=8192)
def _region_json(code: str, name: str) -> str:
    return RegionRef(code=code, name=name).model_dump_json()


def item_json(
    goal_id: int,
    indicator: tuple[str, str, str],
    region: tuple[str, str],
    fragment: str,
) -> str:
    """A goal's JSON as the API answers it, from its stored fragment: byte for byte what
    serialising the read would give (the joined fields come first in the model)."""
    return (
        f'{{"id":{goal_id},"indicator":{_indicator_json(*indicator)},'
        f'"region":{_region_json(*region)},{fragment[1:]}'
    )


def page_json(items: Sequence[str], total: int, limit: int, offset: int) -> bytes:
    """A ``Page`` of items already in JSON, as its model would serialise it."""
    return (
        f'{{"items":[{",".join(items)}],"total":{total},"limit":{limit},"offset":{offset}}}'
    ).encode()


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


def history_json(observations: Sequence[Observation], indicator: Indicator, region: Region) -> str:
    """The figures behind a goal as the API answers them (``list[ObservationRead]``)."""
    return splice(
        HISTORY.dump_json([observation_read(o, indicator, region) for o in observations])
    ).decode()


HISTORY = TypeAdapter(list[ObservationRead])


__all__ = ["Decimal", "evaluate_plans", "evaluate_targets", "history_json", "observation_read"]
