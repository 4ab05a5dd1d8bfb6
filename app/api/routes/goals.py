"""Targets and annual plans, each with its progress block."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response

from app.api.auth import AdminKey
from app.api.deps import (
    AsOfDep,
    AsOfGiven,
    IdPath,
    UnitOfWorkDep,
    as_of_moment,
    direct_reader_of,
    reading_session,
    unit_of_work,
)
from app.api.exact_json import ExactJSONRoute
from app.api.files import file_content, stream_file
from app.api.response_cache import depends_on
from app.api.threads import in_thread
from app.changes import list_tags, series_tag
from app.models import Plan, Target
from app.schemas.common import ERROR_RESPONSES, ErrorBody, Page
from app.schemas.goal import PlanDetail, PlanRead, TargetDetail, TargetRead
from app.schemas.goal_query import PlanListQuery, TargetListQuery
from app.schemas.write import PlanCreate, PlanUpdate, TargetCreate, TargetUpdate
from app.services import exports, goal_reads, goals
from app.services.exports import FileAnswer, FileFormat
from app.services.goal_reads import GoalFilter

router = APIRouter(responses=ERROR_RESPONSES, route_class=ExactJSONRoute)


class GoalList:
    """A list of goals' answer from its query (one model per route, app/schemas/goal_query.py)."""

    def __init__(self, request: Request, query: TargetListQuery | PlanListQuery) -> None:
        self.query = query
        self.as_of = as_of_moment(query.as_of)
        self.as_of_given = "as_of" in request.query_params
        self.filter = GoalFilter(
            query.region, query.indicator, query.q, query.year, query.include_retired
        )
        # A cached answer is dropped by a write to the region or indicator it lists.
        depends_on(request.scope, list_tags(query.region, query.indicator))

    async def answer(self, request: Request, model: type[Target] | type[Plan]) -> Response:
        """A page of JSON, its whole work, session included, in one lean trip to a thread
        (app/api/threads.py: the scorecard is the list clients read most); or a file
        streamed from a session that lives as long as the stream."""
        file_format = self.query.format
        if file_format == "json":
            body = await self._direct_page(request, model)
            if body is None:
                body = await in_thread(self._page, request, model)
            return Response(body, media_type="application/json")
        return await stream_file(
            request, partial(self._export, model=model, file_format=file_format)
        )

    async def _direct_page(
        self, request: Request, model: type[Target] | type[Plan]
    ) -> bytes | None:
        """The page read directly in the loop (app/direct_reads.py) when it can be."""
        if self.as_of_given or self.query.status is not None:
            return None
        reader = direct_reader_of(request)
        if reader is None:
            return None
        return await goal_reads.direct_page(
            reader, model, self.filter, limit=self.query.limit, offset=self.query.offset
        )

    def _page(self, request: Request, model: type[Target] | type[Plan]) -> bytes:
        """A page already serialised (from stored reads); its model is declared on the route."""
        with reading_session(request) as session:
            return goal_reads.page(
                unit_of_work(request, session),
                model,
                self.filter,
                status=self.query.status,
                as_of=self.as_of,
                as_of_given=self.as_of_given,
                limit=self.query.limit,
                offset=self.query.offset,
            )

    def _export(
        self, uow: UnitOfWorkDep, model: type[Target] | type[Plan], file_format: FileFormat
    ) -> FileAnswer:
        """Every goal matching the filters (the paging parameters do not apply)."""
        return exports.export_goals(
            uow,
            model,
            self.filter,
            status=self.query.status,
            as_of=self.as_of,
            as_of_given=self.as_of_given,
            file_format=file_format,
            lang=self.query.lang,
        )


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
async def list_targets(request: Request, query: Annotated[TargetListQuery, Query()]) -> Response:
    return await GoalList(request, query).answer(request, Target)


@router.get(
    "/targets/{target_id}",
    summary="One target, its progress and the figures behind it",
    response_model=TargetDetail,
    responses={200: _row_response("target")},
)
async def get_target(
    request: Request, target_id: IdPath, as_of: AsOfDep, as_of_given: AsOfGiven
) -> Response:
    return await read_detail(request, Target, target_id, as_of, as_of_given)


@router.get(
    "/plans",
    summary="Annual plans with their progress, filtered and paged; or all of them as CSV or XLSX",
    response_model=Page[PlanRead],
    responses=file_content("a page of plans; with `format=csv|xlsx`, a file of all of them"),
)
async def list_plans(request: Request, query: Annotated[PlanListQuery, Query()]) -> Response:
    return await GoalList(request, query).answer(request, Plan)


@router.get(
    "/plans/{plan_id}",
    summary="One plan, its progress and the figures behind it",
    response_model=PlanDetail,
    responses={200: _row_response("plan")},
)
async def get_plan(
    request: Request, plan_id: IdPath, as_of: AsOfDep, as_of_given: AsOfGiven
) -> Response:
    return await read_detail(request, Plan, plan_id, as_of, as_of_given)


async def read_detail(
    request: Request,
    model: type[Target] | type[Plan],
    goal_id: int,
    as_of: datetime,
    as_of_given: bool,
) -> Response:
    """A goal's detail: read directly in the loop when its stored read answers it
    (app/direct_reads.py), else its whole work, session included, in one lean trip to a
    thread."""
    answer = None
    reader = None if as_of_given else direct_reader_of(request)
    if reader is not None:
        answer = await goal_reads.direct_detail(reader, model, goal_id, as_of)
    if answer is None:
        answer = await in_thread(_read_detail, request, model, goal_id, as_of, as_of_given)
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
