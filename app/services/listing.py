"""Paging targets and plans with their progress, in a bounded number of queries.

Without ``as_of`` (now) each goal's stored status and progress are used: filtering,
counting and paging happen in SQL and the page is read without touching the observations.
With ``as_of`` the progress of that moment is computed: for one page, or, with a status
filter, for every candidate first.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from app.models import Indicator, Plan, Region, Target
from app.queries import goals as q
from app.schemas.common import Page
from app.schemas.goal import PlanRead, TargetRead
from app.schemas.json_numbers import splice
from app.services.status import current_page, evaluate, refresh_missing


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
) -> bytes:
    """One page of goals with their progress and the total matching the filters, as JSON."""
    if as_of_given:
        page = Page[TargetRead] if model is Target else Page[PlanRead]
        if status is not None:
            items: list[Any] = [
                r
                for r in evaluate(session, model, q.fetch(session, stmt), as_of)
                if r.progress.status == status
            ]
            chosen, total = items[offset : offset + limit], len(items)
        else:
            total = q.count(session, stmt)
            chosen = list(
                evaluate(session, model, q.fetch(session, stmt.limit(limit).offset(offset)), as_of)
            )
        return splice(
            page(items=chosen, total=total, limit=limit, offset=offset).model_dump_json().encode()
        )
    if status is not None:
        refresh_missing(session, model, stmt)
        stmt = stmt.where(model.status == status)
    return current_page(session, model, stmt, limit=limit, offset=offset)
