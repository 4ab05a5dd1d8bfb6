"""Targets and annual plans, each with its progress block."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response

from app.api.auth import AdminKey
from app.api.deps import (
    AsOfDep,
    AsOfGiven,
    IdPath,
    Paging,
    PagingDep,
    UnitOfWorkDep,
    reading_session,
)
from app.api.exact_json import ExactJSONRoute
from app.api.files import FormatQuery, LangQuery, file_content, file_response
from app.api.response_cache import depends_on
from app.api.threads import in_thread
from app.changes import list_tags, series_tag
from app.domain.progress import PlanStatus, TargetStatus
from app.labels import Lang
from app.models import Plan, Target
from app.schemas.common import ERROR_RESPONSES, ErrorBody, Page
from app.schemas.goal import PlanDetail, PlanRead, TargetDetail, TargetRead
from app.schemas.write import PlanCreate, PlanUpdate, TargetCreate, TargetUpdate
from app.services import exports, goal_reads, goals
from app.services.exports import FileAnswer, FileFormat
from app.services.goal_reads import GoalFilter

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
YearQuery = Annotated[int | None, Query(ge=1949, le=2100, examples=[2027])]


class GoalList:
    """The query parameters every list of goals takes."""

    def __init__(
        self,
        paging: Paging,
        as_of: datetime,
        as_of_given: bool,
        region: str | None = None,
        indicator: str | None = None,
        q_: str | None = None,
        include_retired: bool = False,
    ) -> None:
        self.paging = paging
        self.as_of: datetime = as_of
        self.as_of_given = as_of_given
        self.filter = GoalFilter(region, indicator, q_, None, include_retired)

    def page(
        self,
        uow: UnitOfWorkDep,
        model: type[Target] | type[Plan],
        year: int | None,
        status: str | None,
    ) -> Response:
        """A page already serialised (from stored reads); its model is declared on the route."""
        body = goal_reads.page(
            uow,
            model,
            replace(self.filter, year=year),
            status=status,
            as_of=self.as_of,
            as_of_given=self.as_of_given,
            limit=self.paging.limit,
            offset=self.paging.offset,
        )
        return Response(body, media_type="application/json")

    def export(
        self,
        uow: UnitOfWorkDep,
        model: type[Target] | type[Plan],
        year: int | None,
        status: str | None,
        file_format: FileFormat,
        lang: Lang,
    ) -> FileAnswer:
        """Every goal matching the filters (the paging parameters do not apply)."""
        return exports.export_goals(
            uow,
            model,
            replace(self.filter, year=year),
            status=status,
            as_of=self.as_of,
            as_of_given=self.as_of_given,
            file_format=file_format,
            lang=lang,
        )


async def get_goal_list(
    request: Request,
    paging: PagingDep,
    as_of: AsOfDep,
    as_of_given: AsOfGiven,
    region: RegionQuery = None,
    indicator: IndicatorQuery = None,
    q_: NameQuery = None,
    include_retired: IncludeRetired = False,
) -> GoalList:
    """``GoalList`` from the query; async, as the class itself would go to the threadpool."""
    # A cached answer is dropped by a write to the region or indicator it lists.
    depends_on(request.scope, list_tags(region, indicator))
    return GoalList(paging, as_of, as_of_given, region, indicator, q_, include_retired)


GoalListDep = Annotated[GoalList, Depends(get_goal_list)]


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


@router.get(
    "/targets",
    summary="Targets with their progress, filtered and paged; or all of them as CSV or XLSX",
    response_model=Page[TargetRead],
    responses=file_content("a page of targets; with `format=csv|xlsx`, a file of all of them"),
)
def list_targets(
    uow: UnitOfWorkDep,
    goals: GoalListDep,
    end_year: YearQuery = None,
    status: Annotated[TargetStatusQuery | None, Query()] = None,
    format: FormatQuery = "json",
    lang: LangQuery = "en",
) -> Response:
    if format != "json":
        return file_response(goals.export(uow, Target, end_year, status, format, lang))
    return goals.page(uow, Target, end_year, status)


@router.get(
    "/targets/{target_id}",
    summary="One target, its progress and the figures behind it",
    response_model=TargetDetail,
    responses={200: _row_response("target")},
)
async def get_target(
    request: Request, target_id: IdPath, as_of: AsOfDep, as_of_given: AsOfGiven
) -> Response:
    answer = await in_thread(_read_detail, request, Target, target_id, as_of, as_of_given)
    return _detail(request, answer)


@router.get(
    "/plans",
    summary="Annual plans with their progress, filtered and paged; or all of them as CSV or XLSX",
    response_model=Page[PlanRead],
    responses=file_content("a page of plans; with `format=csv|xlsx`, a file of all of them"),
)
def list_plans(
    uow: UnitOfWorkDep,
    goals: GoalListDep,
    year: YearQuery = None,
    status: Annotated[PlanStatusQuery | None, Query()] = None,
    format: FormatQuery = "json",
    lang: LangQuery = "en",
) -> Response:
    if format != "json":
        return file_response(goals.export(uow, Plan, year, status, format, lang))
    return goals.page(uow, Plan, year, status)


@router.get(
    "/plans/{plan_id}",
    summary="One plan, its progress and the figures behind it",
    response_model=PlanDetail,
    responses={200: _row_response("plan")},
)
async def get_plan(
    request: Request, plan_id: IdPath, as_of: AsOfDep, as_of_given: AsOfGiven
) -> Response:
    answer = await in_thread(_read_detail, request, Plan, plan_id, as_of, as_of_given)
    return _detail(request, answer)


def _read_detail(
    request: Request,
    model: type[Target] | type[Plan],
    goal_id: int,
    as_of: datetime,
    as_of_given: bool,
) -> goal_reads.DetailAnswer:
    """A goal's detail, its session's whole life in the one worker thread it runs in
    (app/api/threads.py): the stored read when current, else computed."""
    with reading_session(request) as session:
        current = goal_reads.current_detail(session, model, goal_id, as_of, as_of_given)
        if current is None:
            current = goal_reads.computed_detail(
                session, goal_reads.load(session, model, goal_id), as_of, as_of_given
            )
        return current


def _detail(request: Request, answer: goal_reads.DetailAnswer) -> Response:
    # A goal's detail is its series: a write to another series leaves it cached.
    depends_on(request.scope, [series_tag(*answer.series)])
    return Response(answer.body, media_type="application/json", headers={"ETag": answer.etag})


WRITE_RESPONSES: dict[int | str, dict[str, object]] = {
    400: {"model": ErrorBody, "description": "the body could not be read (not UTF-8 JSON)"},
    401: {"model": ErrorBody, "description": "no key, or an unknown or revoked key"},
    403: {"model": ErrorBody, "description": "only an admin key may edit targets and plans"},
    413: {"model": ErrorBody, "description": "a body over 5 MB"},
    429: {"model": ErrorBody, "description": "too many failed authentications; retry later"},
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


def _answer(response: Response, written: goals.Written) -> TargetRead | PlanRead:
    response.headers["ETag"] = written.etag
    return written.read


@router.post(
    "/targets",
    status_code=201,
    summary="Create a target (admin)",
    response_model=TargetRead,
    responses={**WRITE_RESPONSES, 201: _row_response("target")},
)
def create_target(
    payload: TargetCreate, uow: UnitOfWorkDep, key: AdminKey, response: Response
) -> TargetRead | PlanRead:
    return _answer(response, goals.create(uow, payload, key))


@router.patch(
    "/targets/{target_id}",
    summary="Change or retire a target (admin); needs If-Match",
    response_model=TargetRead,
    responses={**PATCH_RESPONSES, 200: _row_response("target")},
)
def patch_target(
    target_id: IdPath,
    changes: TargetUpdate,
    uow: UnitOfWorkDep,
    key: AdminKey,
    response: Response,
    if_match: IfMatch = None,
) -> TargetRead | PlanRead:
    return _answer(
        response, goals.update(uow, goals.Edit(Target, target_id, changes, if_match), key)
    )


@router.post(
    "/plans",
    status_code=201,
    summary="Create an annual plan (admin)",
    response_model=PlanRead,
    responses={**WRITE_RESPONSES, 201: _row_response("plan")},
)
def create_plan(
    payload: PlanCreate, uow: UnitOfWorkDep, key: AdminKey, response: Response
) -> TargetRead | PlanRead:
    return _answer(response, goals.create(uow, payload, key))


@router.patch(
    "/plans/{plan_id}",
    summary="Change or retire an annual plan (admin); needs If-Match",
    response_model=PlanRead,
    responses={**PATCH_RESPONSES, 200: _row_response("plan")},
)
def patch_plan(
    plan_id: IdPath,
    changes: PlanUpdate,
    uow: UnitOfWorkDep,
    key: AdminKey,
    response: Response,
    if_match: IfMatch = None,
) -> TargetRead | PlanRead:
    return _answer(response, goals.update(uow, goals.Edit(Plan, plan_id, changes, if_match), key))
