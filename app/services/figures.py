"""Checks a figure against the reference data and turns it into a row.

Shared by the seed loader and the API so that a seed that drifts from the contract fails
the same way a client's post would.
"""

from __future__ import annotations

from collections.abc import Collection
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from app.domain.bounds import Bounds, bounds_of, out_of_bounds
from app.domain.periods import parse_period
from app.domain.units import UnitError, convert
from app.errors import FieldError
from app.models import Indicator, Observation, Plan, Region, Target
from app.queries import reference as q
from app.schemas.write import GoalCreate, ObservationCreate, PlanCreate, TargetCreate

GROWTH_BASES = {"yoy", "cagr", "change"}


@dataclass
class ReferenceData:
    indicators: dict[str, Indicator]
    regions: dict[str, Region]
    documents: set[str]


def load_reference(
    session: Session,
    *,
    indicators: Collection[str] | None = None,
    regions: Collection[str] | None = None,
) -> ReferenceData:
    """The reference data, or only the given indicator and region codes of it (a batch
    names about a hundred of the 3,000 regions; a code not found is unknown all the same)."""
    return ReferenceData(
        indicators=q.indicators_by_code(session, indicators),
        regions=q.regions_by_code(session, regions),
        documents=q.document_codes(session),
    )


def _check_refs(
    indicator: str, region: str, document: str | None, ref: ReferenceData, row: int | None
) -> list[FieldError]:
    errors = []
    if indicator not in ref.indicators:
        errors.append(FieldError("indicator", f"unknown indicator '{indicator}'", row))
    if region not in ref.regions:
        errors.append(FieldError("region", f"unknown region '{region}'", row))
    if document is not None and document not in ref.documents:
        errors.append(FieldError("source.document", f"unknown document '{document}'", row))
    return errors


def _unit_error(field: str, unit: str, expected: str, row: int | None) -> FieldError | None:
    try:
        convert(Decimal(1), unit, expected)
    except UnitError as exc:
        return FieldError(field, f"{exc} (the indicator is measured in '{expected}')", row)
    return None


def check_goal(payload: GoalCreate, ref: ReferenceData, row: int | None = None) -> list[FieldError]:
    document = payload.source.document if payload.source else None
    errors = _check_refs(payload.indicator, payload.region, document, ref, row)
    indicator = ref.indicators.get(payload.indicator)
    if indicator is None:
        return errors
    if payload.basis in GROWTH_BASES:
        if payload.unit != "%":
            errors.append(
                FieldError("unit", f"a '{payload.basis}' goal is a rate: its unit is '%'", row)
            )
        level_unit = indicator.unit
    else:
        level_unit = indicator.unit
        error = _unit_error("unit", payload.unit, indicator.unit, row)
        if error:
            errors.append(error)
    if payload.baseline_value is not None:
        baseline_unit = payload.baseline_unit or (
            payload.unit if payload.basis not in GROWTH_BASES else indicator.unit
        )
        error = _unit_error("baseline_unit", baseline_unit, level_unit, row)
        if error:
            errors.append(error)
        else:
            errors += _bounds(
                "baseline_value", payload.baseline_value, baseline_unit, indicator, row
            )
    if payload.basis in ("value", "cumulative") and not any(e.field == "unit" for e in errors):
        # a cumulative goal is a sum over years: a share's bound is for one year's figure
        share = payload.basis == "value"
        errors += _bounds("value", payload.value, payload.unit, indicator, row, share=share)
    if payload.basis == "cumulative" and indicator.measure != "flow":
        errors.append(
            FieldError(
                "basis",
                f"'cumulative' sums a flow over the years; {indicator.code} is a level "
                "(a value at a moment): use 'value' or 'change'",
                row,
            )
        )
    first_year = payload.start_year if isinstance(payload, TargetCreate) else None
    if isinstance(payload, PlanCreate):
        first_year = payload.year
    baseline_year = payload.baseline_year
    if baseline_year is not None and first_year is not None and baseline_year >= first_year:
        errors.append(
            FieldError(
                "baseline_year",
                f"the baseline comes before the goal's first year {first_year}; "
                f"{baseline_year} does not",
                row,
            )
        )
    return errors


def _bounds_of(indicator: Indicator) -> Bounds:
    return bounds_of(indicator.unit, indicator.measure, indicator.name)


def _bounds(
    field: str,
    value: Decimal,
    unit: str,
    indicator: Indicator,
    row: int | None,
    *,
    share: bool = True,
) -> list[FieldError]:
    """``value`` in ``unit`` checked, in the indicator's unit, against its bounds."""
    try:
        converted = convert(value, unit, indicator.unit)
    except UnitError:
        return []  # reported as a unit error
    bounds = _bounds_of(indicator)
    if not share:
        bounds = Bounds(whole=bounds.whole)
    problem = out_of_bounds(converted, indicator.unit, bounds)
    return [] if problem is None else [FieldError(field, problem, row)]


def goal_columns(payload: GoalCreate) -> dict[str, object]:
    return {
        "indicator_code": payload.indicator,
        "region_code": payload.region,
        "basis": payload.basis,
        "comparator": payload.comparator,
        "value": payload.value,
        "unit": payload.unit,
        "baseline_year": payload.baseline_year,
        "baseline_value": payload.baseline_value,
        "baseline_unit": payload.baseline_unit
        if payload.baseline_value is None or payload.baseline_unit
        else None,
        "stretch": payload.stretch,
        "document_code": payload.source.document if payload.source else None,
        "quote": payload.source.quote if payload.source else None,
        "note": payload.note,
    }


GoalIdentity = tuple[Any, ...]


def goal_identity(
    kind: str, goal: TargetCreate | PlanCreate | Target | Plan, ref: ReferenceData
) -> GoalIdentity:
    """What makes two documents' goals one goal (DESIGN v1.1): kind, indicator, region,
    basis, comparator, value after unit conversion, years, and whether it is a stretch
    value; for a goal as stated (``TargetCreate``, ``PlanCreate``) or as stored."""
    if isinstance(goal, TargetCreate | PlanCreate):
        indicator_code, region_code = goal.indicator, goal.region
    else:
        indicator_code, region_code = goal.indicator_code, goal.region_code
    value: Decimal = goal.value
    indicator = ref.indicators.get(indicator_code)
    if goal.basis in ("value", "cumulative") and indicator is not None:
        with suppress(UnitError):  # reported by check_goal
            value = convert(value, goal.unit, indicator.unit)
    if isinstance(goal, TargetCreate | Target):
        span: tuple[int, ...] = (goal.start_year, goal.end_year)
    else:
        span = (goal.year,)
    what = (indicator_code, region_code, goal.basis, goal.comparator, value)
    return (kind, *what, span, goal.stretch)


def new_target(payload: TargetCreate) -> Target:
    return Target(**goal_columns(payload), start_year=payload.start_year, end_year=payload.end_year)


def new_plan(payload: PlanCreate) -> Plan:
    return Plan(**goal_columns(payload), year=payload.year)


def observation_values(
    payload: ObservationCreate,
    ref: ReferenceData,
    *,
    recorded_at: datetime,
    recorded_by: str,
    row: int | None = None,
) -> tuple[dict[str, Any] | None, list[FieldError]]:
    """The columns of a new (revision-less) observation in the indicator's unit, or the errors."""
    source = payload.source
    document = source.document if source else None
    errors = _check_refs(payload.indicator, payload.region, document, ref, row)
    indicator = ref.indicators.get(payload.indicator)
    value = None
    if indicator is not None and payload.value is not None:
        stated_unit = payload.unit or indicator.unit
        try:
            value = convert(payload.value, stated_unit, indicator.unit)
        except UnitError as exc:
            errors.append(
                FieldError("unit", f"{exc} (the indicator is measured in '{indicator.unit}')", row)
            )
        else:
            problem = out_of_bounds(value, indicator.unit, _bounds_of(indicator))
            if problem:
                errors.append(FieldError("value", problem, row))
    if errors:
        return None, errors
    period = parse_period(payload.period)
    return {
        "indicator_code": payload.indicator,
        "region_code": payload.region,
        "period": payload.period,  # already in its canonical spelling (ObservationCreate)
        "period_year": period.year,
        "period_end_month": period.end_month,
        "value": value,
        "unit": indicator.unit if indicator is not None and value is not None else None,
        "stated_value": payload.value,
        "stated_unit": (payload.unit or (indicator.unit if indicator else None))
        if payload.value is not None
        else None,
        "yoy_growth": payload.yoy_growth,
        "reported_completion_rate": payload.reported_completion_rate,
        "document_code": document,
        "quote": source.quote if source else None,
        "note": payload.note,
        "recorded_at": recorded_at,
        "recorded_by": recorded_by,
        "state": "published",  # a post in review mode makes it pending (services/posting.py)
        "published_at": recorded_at,
    }, []


def build_observation(
    payload: ObservationCreate,
    ref: ReferenceData,
    *,
    recorded_at: datetime,
    recorded_by: str,
    row: int | None = None,
) -> tuple[Observation | None, list[FieldError]]:
    """A new (unsaved, revision-less) observation in the indicator's unit, or the errors."""
    values, errors = observation_values(
        payload, ref, recorded_at=recorded_at, recorded_by=recorded_by, row=row
    )
    if values is None:
        return None, errors
    return Observation(**values), []
