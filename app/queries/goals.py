"""Queries on targets and plans, with their indicator and region in the same statement."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import Session

from app.models import Indicator, Plan, Region, Target
from app.queries.reference import indicator_name_matches

GoalModel = TypeVar("GoalModel", Target, Plan)


def goals_query(
    model: type[GoalModel],
    *,
    region: str | None = None,
    indicator: str | None = None,
    q: str | None = None,
    include_retired: bool = False,
) -> Select[GoalModel, Indicator, Region]:
    stmt = (
        select(model, Indicator, Region)
        .join(Indicator, Indicator.code == model.indicator_code)
        .join(Region, Region.code == model.region_code)
    )
    if region:
        stmt = stmt.where(model.region_code == region)
    if indicator:
        stmt = stmt.where(model.indicator_code == indicator)
    if q:
        stmt = stmt.where(indicator_name_matches(q))
    if not include_retired:
        stmt = stmt.where(model.retired_at.is_(None))
    return stmt.order_by(model.id)


def fetch(
    session: Session, stmt: Select[GoalModel, Indicator, Region]
) -> Sequence[Row[GoalModel, Indicator, Region]]:
    return session.execute(stmt).all()


def count(session: Session, stmt: Select[Any, Indicator, Region]) -> int:
    """Rows ``stmt`` selects, before any paging."""
    return session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0


def status_counts(
    session: Session, model: type[Target] | type[Plan], region: str | None
) -> Counter[str]:
    """Stored statuses of the goals in force (not retired), counted in SQL."""
    stmt = select(model.status, func.count()).where(model.retired_at.is_(None))
    if region:
        stmt = stmt.where(model.region_code == region)
    rows = session.execute(stmt.group_by(model.status)).all()
    return Counter({status: count for status, count in rows if status is not None})
