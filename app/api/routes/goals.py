"""Targets and annual plans, each with its progress block."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from app.api.deps import AsOfDep, PagingDep, SessionDep, require_indicator, require_region
from app.errors import NotFound
from app.models import Plan, Target
from app.queries import goals as q
from app.queries.observations import series_for
from app.schemas.common import ERROR_RESPONSES, Page
from app.schemas.goal import PlanDetail, PlanRead, TargetDetail, TargetRead
from app.services.progress import (
    evaluate_plans,
    evaluate_targets,
    history,
    plan_read,
    target_read,
)

router = APIRouter(responses=ERROR_RESPONSES)

RegionQuery = Annotated[
    str | None, Query(max_length=32, description="region code", examples=["500000"])
]
IndicatorQuery = Annotated[
    str | None, Query(max_length=64, description="indicator code", examples=["hi_tech_enterprises"])
]
NameQuery = Annotated[
    str | None,
    Query(
        alias="q",
        max_length=200,
        description="indicator name, either script or English",
        examples=["高新技术企业"],
    ),
]
IncludeRetired = Annotated[bool, Query(description="also list retired rows")]
TargetStatusQuery = Literal["achieved", "on_track", "needs_acceleration", "off_track", "no_data"]
PlanStatusQuery = Literal["achieved", "on_schedule", "behind_schedule", "no_data"]
IdPath = Annotated[int, Path(ge=1, le=2**31 - 1, description="numeric id")]
YearQuery = Annotated[int | None, Query(ge=1949, le=2100, examples=[2027])]


@router.get("/targets", summary="Targets with their progress, filtered and paged")
def list_targets(
    session: SessionDep,
    paging: PagingDep,
    as_of: AsOfDep,
    region: RegionQuery = None,
    indicator: IndicatorQuery = None,
    q_: NameQuery = None,
    end_year: YearQuery = None,
    status: Annotated[TargetStatusQuery | None, Query()] = None,
    include_retired: IncludeRetired = False,
) -> Page[TargetRead]:
    require_region(session, region)
    require_indicator(session, indicator)
    stmt = q.goals_query(
        Target, region=region, indicator=indicator, q=q_, include_retired=include_retired
    )
    if end_year is not None:
        stmt = stmt.where(Target.end_year == end_year)
    items = evaluate_targets(session, q.fetch(session, stmt), as_of)
    if status is not None:
        items = [t for t in items if t.progress.status == status]
    return Page(
        items=items[paging.offset : paging.offset + paging.limit],
        total=len(items),
        limit=paging.limit,
        offset=paging.offset,
    )


@router.get("/targets/{target_id}", summary="One target, its progress and the figures behind it")
def get_target(target_id: IdPath, session: SessionDep, as_of: AsOfDep) -> TargetDetail:
    rows = q.fetch(
        session, q.goals_query(Target, include_retired=True).where(Target.id == target_id)
    )
    if not rows:
        raise NotFound("target", target_id)
    target, indicator, region = rows[0]
    series = series_for(session, as_of, [(target.indicator_code, target.region_code)])[
        (target.indicator_code, target.region_code)
    ]
    read = target_read(target, indicator, region, series)
    return TargetDetail(**read.model_dump(), history=history(series))


@router.get("/plans", summary="Annual plans with their progress, filtered and paged")
def list_plans(
    session: SessionDep,
    paging: PagingDep,
    as_of: AsOfDep,
    region: RegionQuery = None,
    indicator: IndicatorQuery = None,
    year: YearQuery = None,
    q_: NameQuery = None,
    status: Annotated[PlanStatusQuery | None, Query()] = None,
    include_retired: IncludeRetired = False,
) -> Page[PlanRead]:
    require_region(session, region)
    require_indicator(session, indicator)
    stmt = q.goals_query(
        Plan, region=region, indicator=indicator, q=q_, include_retired=include_retired
    )
    if year is not None:
        stmt = stmt.where(Plan.year == year)
    items = evaluate_plans(session, q.fetch(session, stmt), as_of)
    if status is not None:
        items = [p for p in items if p.progress.status == status]
    return Page(
        items=items[paging.offset : paging.offset + paging.limit],
        total=len(items),
        limit=paging.limit,
        offset=paging.offset,
    )


@router.get("/plans/{plan_id}", summary="One plan, its progress and the figures behind it")
def get_plan(plan_id: IdPath, session: SessionDep, as_of: AsOfDep) -> PlanDetail:
    rows = q.fetch(session, q.goals_query(Plan, include_retired=True).where(Plan.id == plan_id))
    if not rows:
        raise NotFound("plan", plan_id)
    plan, indicator, region = rows[0]
    series = series_for(session, as_of, [(plan.indicator_code, plan.region_code)])[
        (plan.indicator_code, plan.region_code)
    ]
    read = plan_read(plan, indicator, region, series)
    return PlanDetail(**read.model_dump(), history=history(series))
