"""Paging targets and plans with their progress, in a bounded number of queries.

Without ``as_of`` (now) each goal's stored status and progress are used: filtering,
counting and paging happen in SQL and the page is read without touching the observations.
With ``as_of`` the progress of that moment is computed: for one page, or, with a status
filter, for every candidate first.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.models import Indicator, Plan, Region, Target
from app.queries import goals as q
from app.services.progress import evaluate_plans, evaluate_targets
from app.services.status import current_reads, refresh_missing


def page_of_goals(
    session: Session,
    model: type[Target] | type[Plan],
    stmt: Select[Any, Indicator, Region],
    *,
    status: str | None,
    as_of: datetime,
    as_of_given: bool,
    limit: int,
    offset: int,
) -> tuple[list[Any], int]:
    """One page of goals with their progress, and the total matching the filters."""
    evaluate = evaluate_targets if model is Target else evaluate_plans
    if as_of_given:
        if status is not None:
            items = [
                r
                for r in evaluate(session, q.fetch(session, stmt), as_of)
                if r.progress.status == status
            ]
            return items[offset : offset + limit], len(items)
        total = _count(session, stmt)
        rows = q.fetch(session, stmt.limit(limit).offset(offset))
        return list(evaluate(session, rows, as_of)), total
    if status is not None:
        refresh_missing(session, model, stmt)
        stmt = stmt.where(model.status == status)
    total = _count(session, stmt)
    rows = q.fetch(session, stmt.limit(limit).offset(offset))
    return current_reads(session, model, rows), total


def _count(session: Session, stmt: Select[Any, Indicator, Region]) -> int:
    return session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
