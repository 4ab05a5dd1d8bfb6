"""Progress figures as recorded, newest revision unless asked for all."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.api.deps import AsOfDep, PagingDep, SessionDep
from app.schemas.common import ERROR_RESPONSES, Page
from app.schemas.observation import ObservationRead
from app.services.observations import observation_page

router = APIRouter(responses=ERROR_RESPONSES)


@router.get("/observations", summary="Progress figures, newest revision per period")
def list_observations(
    session: SessionDep,
    paging: PagingDep,
    as_of: AsOfDep,
    indicator: Annotated[
        str | None, Query(max_length=64, examples=["key_project_investment"])
    ] = None,
    region: Annotated[str | None, Query(max_length=32, examples=["500000"])] = None,
    period: Annotated[str | None, Query(max_length=10, examples=["2023-H1"])] = None,
    include_revisions: Annotated[bool, Query(description="list every revision")] = False,
) -> Page[ObservationRead]:
    return observation_page(
        session,
        as_of,
        indicator=indicator,
        region=region,
        period=period,
        include_revisions=include_revisions,
        limit=paging.limit,
        offset=paging.offset,
    )
