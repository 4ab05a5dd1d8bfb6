"""Counts of targets and plans by status: the dashboard's first line."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.api.deps import AsOfDep, AsOfGiven, UnitOfWorkDep
from app.schemas.common import ERROR_RESPONSES
from app.schemas.summary import SummaryRead
from app.services import goal_reads

router = APIRouter(responses=ERROR_RESPONSES)


@router.get("/summary", summary="How many targets and plans are in each status")
def summary(
    uow: UnitOfWorkDep,
    as_of: AsOfDep,
    as_of_given: AsOfGiven,
    region: Annotated[str | None, Query(max_length=32, examples=["500115"])] = None,
) -> SummaryRead:
    return goal_reads.summary(uow, region, as_of, as_of_given)
