"""Progress figures as recorded, newest revision unless asked for all."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials

from app.api.auth import bearer, current_key
from app.api.deps import AsOfDep, PagingDep, SessionDep
from app.schemas.common import ERROR_RESPONSES, Page
from app.schemas.observation import ObservationRead
from app.services.observations import observation_page

router = APIRouter(responses=ERROR_RESPONSES)


@router.get("/observations", summary="Progress figures, newest revision per period")
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
) -> Page[ObservationRead]:
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
