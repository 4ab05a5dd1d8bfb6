"""Counts of targets and plans by status: the dashboard's first line."""

from __future__ import annotations

from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Query

from app.api.deps import AsOfDep, SessionDep, require_region
from app.domain.progress import PLAN_STATUSES, TARGET_STATUSES
from app.models import Plan, Target
from app.queries import goals as q
from app.schemas.common import ERROR_RESPONSES
from app.schemas.summary import StatusCounts, SummaryRead
from app.services.progress import evaluate_plans, evaluate_targets

router = APIRouter(responses=ERROR_RESPONSES)


def _counts(statuses: list[str], known: tuple[str, ...]) -> StatusCounts:
    counter = Counter(statuses)
    return StatusCounts(total=len(statuses), by_status={s: counter.get(s, 0) for s in known})


@router.get("/summary", summary="How many targets and plans are in each status")
def summary(
    session: SessionDep,
    as_of: AsOfDep,
    region: Annotated[str | None, Query(max_length=32, examples=["500115"])] = None,
) -> SummaryRead:
    require_region(session, region)
    targets = evaluate_targets(
        session, q.fetch(session, q.goals_query(Target, region=region)), as_of
    )
    plans = evaluate_plans(session, q.fetch(session, q.goals_query(Plan, region=region)), as_of)
    return SummaryRead(
        region=region,
        as_of=as_of,
        targets=_counts([t.progress.status for t in targets], TARGET_STATUSES),
        plans=_counts([p.progress.status for p in plans], PLAN_STATUSES),
    )
