"""Paging targets and plans with their progress, in a bounded number of queries.

Without ``as_of`` (now) a status filter uses each goal's stored status, so filtering,
counting and paging all happen in SQL and progress is computed for one page only. With
``as_of`` the status of that moment must be computed for every candidate first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import Session

from app.models import Indicator, Plan, Region, Target
from app.queries import goals as q
from app.schemas.goal import PlanRead, TargetRead
from app.services.status import refresh_missing

Read = TypeVar("Read", TargetRead, PlanRead)
Evaluate = Callable[[Session, Sequence[Row[Any, Indicator, Region]], datetime], list[Read]]


def page_of_goals(
    session: Session,
    model: type[Target] | type[Plan],
    stmt: Select[Any, Indicator, Region],
    evaluate: Evaluate[Read],
    *,
    status: str | None,
    as_of: datetime,
    as_of_given: bool,
    limit: int,
    offset: int,
) -> tuple[list[Read], int]:
    """One page of goals with their progress, and the total matching the filters."""
    if status is not None and as_of_given:
        items = [
            r
            for r in evaluate(session, q.fetch(session, stmt), as_of)
            if r.progress.status == status
        ]
        return items[offset : offset + limit], len(items)
    if status is not None:
        refresh_missing(session, model, stmt)
        stmt = stmt.where(model.status == status)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = q.fetch(session, stmt.limit(limit).offset(offset))
    return evaluate(session, rows, as_of), total
