"""Progress figures as recorded, newest revision unless asked for all."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials

from app.api.auth import bearer, current_key
from app.api.deps import AsOfDep, PagingDep, SessionDep
from app.api.files import FILE_CONTENT, FormatQuery, LangQuery, file_content, file_response
from app.api.response_cache import depends_on
from app.changes import list_tags
from app.errors import invalid
from app.schemas.common import ERROR_RESPONSES, Page
from app.schemas.observation import ObservationRead
from app.services import exports
from app.services.observations import observation_page

router = APIRouter(responses=ERROR_RESPONSES)


@router.get(
    "/observations",
    summary="Progress figures, newest revision per period; or all of them as CSV or XLSX",
    response_model=Page[ObservationRead],
    responses=file_content("a page of figures; with `format=csv|xlsx`, a file of all of them"),
)
def list_observations(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    session: SessionDep,
    paging: PagingDep,
    as_of: AsOfDep,
    indicator: Annotated[
        str | None, Query(max_length=64, examples=["key_project_investment"])
    ] = None,
    region: Annotated[str | None, Query(max_length=32, examples=["500000"])] = None,
    period: Annotated[str | None, Query(max_length=10, examples=["2023-H1"])] = None,
    include_revisions: Annotated[bool, Query(description="list every revision")] = False,
    state: Annotated[
        Literal["published", "pending", "rejected"],
        Query(
            description="`pending` or `rejected`: every such figure of the key's regions "
            "(needs an API key; `as_of` bounds when they were recorded)"
        ),
    ] = "published",
    format: FormatQuery = "json",
    lang: LangQuery = "en",
) -> Page[ObservationRead] | Response:
    depends_on(request.scope, list_tags(region, indicator))
    if format != "json":
        if state != "published":
            raise invalid("format", "files hold published figures only; read the others as JSON")
        return file_response(
            exports.export_observations(
                session,
                as_of,
                indicator=indicator,
                region=region,
                period=period,
                include_revisions=include_revisions,
                file_format=format,
                lang=lang,
            )
        )
    key = None if state == "published" else current_key(request, session, credentials)
    return observation_page(
        session,
        as_of,
        indicator=indicator,
        region=region,
        period=period,
        include_revisions=include_revisions,
        limit=paging.limit,
        offset=paging.offset,
        state=state,
        key=key,
    )


@router.get(
    "/observations/template",
    summary="The import's template: its columns and one example row, as CSV or XLSX",
    description=(
        "The XLSX also lists the valid indicator codes (with names and units) and region "
        "codes (with names) on its second sheet, `codes`, and offers them as drop-downs in "
        "the indicator and region columns."
    ),
    response_class=Response,
    responses={200: {"description": "the template file", "content": FILE_CONTENT}},
)
def observations_template(
    session: SessionDep,
    format: Annotated[Literal["csv", "xlsx"], Query(description="the file's format")] = "xlsx",
) -> Response:
    return file_response(exports.template(session, format))
