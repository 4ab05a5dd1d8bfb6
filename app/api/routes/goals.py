"""Targets and annual plans, each with its progress block."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, overload

from fastapi import APIRouter, Header, Path, Query, Response
from sqlalchemy import Select
from sqlalchemy.orm import Session

from app.api.auth import AdminKey
from app.api.deps import (
    AsOfDep,
    AsOfGiven,
    Paging,
    PagingDep,
    SessionDep,
    WriteSessionDep,
    require_indicator,
    require_region,
)
from app.api.exact_json import ExactJSONRoute
from app.domain.progress import PlanStatus, TargetStatus
from app.errors import NotFound
from app.models import Indicator, Plan, Region, Target
from app.models.types import utc_now
from app.queries import backlog
from app.queries import goals as q
from app.queries.goals import GoalModel
from app.queries.observations import series_history
from app.schemas.common import ERROR_RESPONSES, ErrorBody, Page
from app.schemas.goal import PlanDetail, PlanRead, TargetDetail, TargetRead
from app.schemas.json_numbers import splice_text
from app.schemas.write import PlanCreate, PlanUpdate, TargetCreate, TargetUpdate
from app.services import goals as goal_service
from app.services import status as status_service
from app.services.listing import page_of_goals
from app.services.progress import (
    evaluate_plans,
    evaluate_targets,
    history_json,
    item_json,
    plan_read,
    target_read,
)

router = APIRouter(responses=ERROR_RESPONSES, route_class=ExactJSONRoute)

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
TargetStatusQuery = TargetStatus  # the domain's statuses, each one a filter value
PlanStatusQuery = PlanStatus
IdPath = Annotated[int, Path(ge=1, le=2**31 - 1, description="numeric id", examples=[1])]
YearQuery = Annotated[int | None, Query(ge=1949, le=2100, examples=[2027])]


def _row_response(kind: str) -> dict[str, object]:
    """OpenAPI for an answer holding one target or plan: its ETag, and links to read it
    again and to PATCH it with that ETag in If-Match (clients and the fuzzer follow them)."""
    ref = f"#/paths/~1api~1v1~1{kind}s~1%7B{kind}_id%7D"
    row_id = {f"{kind}_id": "$response.body#/id"}
    return {
        "headers": {
            "ETag": {
                "description": "the row's version; send it back in If-Match to change it",
                "schema": {"type": "string"},
            }
        },
        "links": {
            f"get_{kind}": {"operationRef": f"{ref}/get", "parameters": row_id},
            f"patch_{kind}": {
                "operationRef": f"{ref}/patch",
                "parameters": {**row_id, "header.if-match": "$response.header.ETag"},
            },
        },
    }


def _page(
    session: Session,
    model: type[Target] | type[Plan],
    stmt: Select[Any, Indicator, Region],
    paging: Paging,
    as_of: datetime,
    as_of_given: bool,
    status: str | None,
) -> Response:
    """A page already serialised (from stored reads); its model is declared on the route."""
    body = page_of_goals(
        session,
        model,
        stmt,
        status=status,
        as_of=as_of,
        as_of_given=as_of_given,
        limit=paging.limit,
        offset=paging.offset,
    )
    return Response(body, media_type="application/json")


@router.get(
    "/targets",
    summary="Targets with their progress, filtered and paged",
    response_model=Page[TargetRead],
)
def list_targets(
    session: SessionDep,
    paging: PagingDep,
    as_of: AsOfDep,
    as_of_given: AsOfGiven,
    region: RegionQuery = None,
    indicator: IndicatorQuery = None,
    q_: NameQuery = None,
    end_year: YearQuery = None,
    status: Annotated[TargetStatusQuery | None, Query()] = None,
    include_retired: IncludeRetired = False,
) -> Response:
    require_region(session, region)
    require_indicator(session, indicator)
    stmt = q.goals_query(
        Target, region=region, indicator=indicator, q=q_, include_retired=include_retired
    )
    if end_year is not None:
        stmt = stmt.where(Target.end_year == end_year)
    return _page(session, Target, stmt, paging, as_of, as_of_given, status)


def _detail(
    session: Session, model: type[GoalModel], goal_id: int, as_of: datetime, as_of_given: bool
) -> Response:
    """One goal with the figures behind it. As of now its read is the stored one; as of
    another moment it is computed from the figures recorded by then."""
    rows = q.fetch(session, q.goals_query(model, include_retired=True).where(model.id == goal_id))
    if not rows:
        raise NotFound(model.__tablename__, goal_id)
    goal, indicator, region = rows[0]
    series = series_history(session, as_of, goal.indicator_code, goal.region_code)
    stored = None if as_of_given else goal.read_json
    if stored is not None and not backlog.goal_is_stale(session, model, goal_id):
        item = item_json(
            goal.id,
            (indicator.code, indicator.name, indicator.unit),
            (region.code, region.name),
            stored,
        )
    else:
        computed = (
            target_read(goal, indicator, region, series)
            if isinstance(goal, Target)
            else plan_read(goal, indicator, region, series)
        )
        item = splice_text(computed.model_dump_json())
    figures_json = history_json(series, indicator, region)
    return Response(
        f'{item[:-1]},"history":{figures_json}}}',
        media_type="application/json",
        headers={"ETag": goal_service.etag(goal)},
    )


@router.get(
    "/targets/{target_id}",
    summary="One target, its progress and the figures behind it",
    response_model=TargetDetail,
    responses={200: _row_response("target")},
)
def get_target(
    target_id: IdPath, session: SessionDep, as_of: AsOfDep, as_of_given: AsOfGiven
) -> Response:
    return _detail(session, Target, target_id, as_of, as_of_given)


@router.get(
    "/plans",
    summary="Annual plans with their progress, filtered and paged",
    response_model=Page[PlanRead],
)
def list_plans(
    session: SessionDep,
    paging: PagingDep,
    as_of: AsOfDep,
    as_of_given: AsOfGiven,
    region: RegionQuery = None,
    indicator: IndicatorQuery = None,
    year: YearQuery = None,
    q_: NameQuery = None,
    status: Annotated[PlanStatusQuery | None, Query()] = None,
    include_retired: IncludeRetired = False,
) -> Response:
    require_region(session, region)
    require_indicator(session, indicator)
    stmt = q.goals_query(
        Plan, region=region, indicator=indicator, q=q_, include_retired=include_retired
    )
    if year is not None:
        stmt = stmt.where(Plan.year == year)
    return _page(session, Plan, stmt, paging, as_of, as_of_given, status)


@router.get(
    "/plans/{plan_id}",
    summary="One plan, its progress and the figures behind it",
    response_model=PlanDetail,
    responses={200: _row_response("plan")},
)
def get_plan(
    plan_id: IdPath, session: SessionDep, as_of: AsOfDep, as_of_given: AsOfGiven
) -> Response:
    return _detail(session, Plan, plan_id, as_of, as_of_given)


WRITE_RESPONSES: dict[int | str, dict[str, object]] = {
    400: {"model": ErrorBody, "description": "the body could not be read (not UTF-8 JSON)"},
    401: {"model": ErrorBody, "description": "no key, or an unknown or revoked key"},
    403: {"model": ErrorBody, "description": "only an admin key may edit targets and plans"},
}
PATCH_RESPONSES: dict[int | str, dict[str, object]] = {
    **WRITE_RESPONSES,
    412: {"model": ErrorBody, "description": "If-Match does not match: it changed meanwhile"},
    428: {"model": ErrorBody, "description": "If-Match is missing"},
}
IfMatch = Annotated[
    str | None,
    Header(max_length=100, description="the ETag from your last read", examples=['"1-1"']),
]


@overload
def _answer(session: Session, goal: Target, response: Response) -> TargetRead: ...
@overload
def _answer(session: Session, goal: Plan, response: Response) -> PlanRead: ...
def _answer(session: Session, goal: Target | Plan, response: Response) -> TargetRead | PlanRead:
    """The written goal with its progress now; its status stored; one commit; its ETag."""
    read: TargetRead | PlanRead
    if isinstance(goal, Target):
        read = evaluate_targets(session, q.fetch(session, _one(Target, goal.id)), utc_now())[0]
    else:
        read = evaluate_plans(session, q.fetch(session, _one(Plan, goal.id)), utc_now())[0]
    status_service.store(session, type(goal), [read])
    session.commit()
    response.headers["ETag"] = goal_service.etag(goal)
    return read


def _one(model: type[GoalModel], goal_id: int) -> Select[GoalModel, Indicator, Region]:
    return q.goals_query(model, include_retired=True).where(model.id == goal_id)


def _patched(
    session: Session,
    model: type[GoalModel],
    goal_id: int,
    changes: TargetUpdate | PlanUpdate,
    if_match: str | None,
    actor: str,
) -> GoalModel:
    goal = session.get(model, goal_id)
    if goal is None:
        raise NotFound(model.__tablename__, goal_id)
    return goal_service.update_goal(session, goal, changes, if_match, actor)


@router.post(
    "/targets",
    status_code=201,
    summary="Create a target (admin)",
    responses={**WRITE_RESPONSES, 201: _row_response("target")},
)
def create_target(
    payload: TargetCreate, session: WriteSessionDep, key: AdminKey, response: Response
) -> TargetRead:
    return _answer(session, goal_service.create_goal(session, payload, key.name), response)


@router.patch(
    "/targets/{target_id}",
    summary="Change or retire a target (admin); needs If-Match",
    responses={**PATCH_RESPONSES, 200: _row_response("target")},
)
def patch_target(
    target_id: IdPath,
    changes: TargetUpdate,
    session: WriteSessionDep,
    key: AdminKey,
    response: Response,
    if_match: IfMatch = None,
) -> TargetRead:
    target = _patched(session, Target, target_id, changes, if_match, key.name)
    return _answer(session, target, response)


@router.post(
    "/plans",
    status_code=201,
    summary="Create an annual plan (admin)",
    responses={**WRITE_RESPONSES, 201: _row_response("plan")},
)
def create_plan(
    payload: PlanCreate, session: WriteSessionDep, key: AdminKey, response: Response
) -> PlanRead:
    return _answer(session, goal_service.create_goal(session, payload, key.name), response)


@router.patch(
    "/plans/{plan_id}",
    summary="Change or retire an annual plan (admin); needs If-Match",
    responses={**PATCH_RESPONSES, 200: _row_response("plan")},
)
def patch_plan(
    plan_id: IdPath,
    changes: PlanUpdate,
    session: WriteSessionDep,
    key: AdminKey,
    response: Response,
    if_match: IfMatch = None,
) -> PlanRead:
    plan = _patched(session, Plan, plan_id, changes, if_match, key.name)
    return _answer(session, plan, response)
