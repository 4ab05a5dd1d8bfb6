"""Counts of targets and plans by status: the dashboard's first line."""

from __future__ import annotations

from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Query

from app.api.deps import AsOfDep, AsOfGiven, SessionDep, require_region
from app.domain.progress import PLAN_STATUSES, TARGET_STATUSES
from app.models import Plan, Target
from app.queries import goals as q
from app.schemas.common import ERROR_RESPONSES
from app.schemas.summary import StatusCounts, SummaryRead
from app.services.status import current_status_counts, status_counts_as_of

router = APIRouter(responses=ERROR_RESPONSES)


def _counts(counter: Counter[str], known: tuple[str, ...]) -> StatusCounts:
    return StatusCounts(
        total=sum(counter.values()), by_status={s: counter.get(s, 0) for s in known}
    )


@router.get("/summary", summary="How many targets and plans are in each status")
def summary(
    session: SessionDep,
    as_of: AsOfDep,
    as_of_given: AsOfGiven,
    region: Annotated[str | None, Query(max_length=32, examples=["500115"])] = None,
) -> SummaryRead:
    require_region(session, region)
    targets_stmt = q.goals_query(Target, region=region)
    plans_stmt = q.goals_query(Plan, region=region)
    if as_of_given:
        target_counts = Counter(status_counts_as_of(session, Target, targets_stmt, as_of))
        plan_counts = Counter(status_counts_as_of(session, Plan, plans_stmt, as_of))
    else:
        target_counts, plan_counts = current_status_counts(
            session, region, targets_stmt, plans_stmt
        )
    return SummaryRead(
        region=region,
        as_of=as_of,
        targets=_counts(target_counts, TARGET_STATUSES),
        plans=_counts(plan_counts, PLAN_STATUSES),
    )
