"""Queries on the goals' status timelines (app/models/history.py)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    and_,
    case,
    delete,
    func,
    insert,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Session

from app.models import GoalStatusHistory, GoalStatusTally, Plan, StaleSeries, Target
from app.queries.revisions import SQLITE_MAX_PARAMS

History = GoalStatusHistory

# Rows per INSERT: one executemany statement each (psycopg pipelines them).
INSERT_ROWS = 10_000


def _chunk(session: Session) -> int:
    return 5_000 if session.get_bind().dialect.name == "postgresql" else SQLITE_MAX_PARAMS


def has_timeline(model: type[Target] | type[Plan]) -> ColumnElement[bool]:
    """Whether a goal has a timeline (correlated: an anti-join with ``~``)."""
    return (
        select(History.id)
        .where(History.kind == model.__tablename__, History.goal_id == model.id)
        .exists()
    )


def with_history(session: Session, kind: str, ids: Collection[int]) -> set[int]:
    """Those of these goals that have a timeline."""
    found: set[int] = set()
    ordered = sorted(ids)
    size = _chunk(session)
    for start in range(0, len(ordered), size):
        chunk = ordered[start : start + size]
        stmt = select(History.goal_id).where(History.kind == kind, History.goal_id.in_(chunk))
        found.update(session.scalars(stmt.distinct()))
    return found


def forget(session: Session, kind: str, ids: Collection[int]) -> None:
    """Drop these goals' timelines: their progress was just recomputed (new figures, an
    edit), so the timeline is built again later (``status_history.build_round``)."""
    ordered = sorted(ids)
    size = _chunk(session)
    for start in range(0, len(ordered), size):
        chunk = ordered[start : start + size]
        session.execute(
            delete(History)
            .where(History.kind == kind, History.goal_id.in_(chunk))
            .execution_options(synchronize_session=False)
        )


def add(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert timeline rows (of goals that have none), ``INSERT_ROWS`` per statement.

    Through Core, without RETURNING: the ORM's bulk insert fetches each new id and fell
    back to a statement per row (3.6 s for 4,000 rows); this is one pipelined batch."""
    table = cast(Table, History.__table__)
    connection = session.connection()
    for start in range(0, len(rows), INSERT_ROWS):
        connection.execute(insert(table), list(rows[start : start + INSERT_ROWS]))


def clear(session: Session) -> None:
    """Every timeline gone (a refresh recomputes every goal: they are all built again)."""
    session.execute(delete(History).execution_options(synchronize_session=False))


def counts_as_of(
    session: Session,
    kind: str,
    region: str | None,
    as_of: datetime,
    in_force: Select[Any] | None = None,
    *,
    backlog: bool = True,
) -> tuple[Counter[str], int]:
    """The statuses as of ``as_of`` of the goals that have a timeline, those whose series
    wait in the backlog left out (``backlog=False``: it is empty, no join); and how many
    goals have a timeline (stale or not).

    One statement, so both come from one snapshot: the intervals holding ``as_of`` are
    counted, the open ones (``until`` null, one per goal) tell how many goals are built.
    """
    holds = and_(
        or_(History.since.is_(None), History.since <= as_of),
        or_(History.until.is_(None), History.until > as_of),
    )
    if backlog:
        holds = and_(holds, StaleSeries.indicator_code.is_(None))
    stmt = select(
        History.status,
        func.sum(case((holds, 1), else_=0)),
        func.sum(case((History.until.is_(None), 1), else_=0)),
    ).where(History.kind == kind)
    if backlog:
        # A join, not a correlated EXISTS: the backlog is small and hashed once, where a
        # subquery inside the CASE would run once per interval.
        stale = and_(
            StaleSeries.indicator_code == History.indicator_code,
            StaleSeries.region_code == History.region_code,
            StaleSeries.from_year <= History.end_year,
        )
        stmt = stmt.select_from(History).outerjoin(StaleSeries, stale)
    if region:
        stmt = stmt.where(History.region_code == region)
    if in_force is not None:  # timelines left behind by goals deleted or retired by hand
        stmt = stmt.where(History.goal_id.in_(in_force))
    counts: Counter[str] = Counter()
    built = 0
    for status, held, current in session.execute(stmt.group_by(History.status)):
        if held:
            counts[status] = int(held)
        built += int(current or 0)
    return counts, built


def goals_in_force(session: Session, kind: str, region: str | None) -> int:
    """How many goals are in force, from the status tally (app/models/tally.py), a goal
    whose status is not stored yet included."""
    stmt = select(func.coalesce(func.sum(GoalStatusTally.n), 0)).where(GoalStatusTally.kind == kind)
    if region:
        stmt = stmt.where(GoalStatusTally.region_code == region)
    return int(session.scalar(stmt) or 0)


def without_timeline(
    session: Session, model: type[Target] | type[Plan], after: int, limit: int
) -> list[int]:
    """Up to ``limit`` goals in force without a timeline, by id from ``after`` on."""
    stmt = (
        select(model.id)
        .where(model.id > after, model.retired_at.is_(None), ~has_timeline(model))
        .order_by(model.id)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def analyze(session: Session) -> None:
    """Fresh planner statistics for the timelines (Postgres; SQLite plans without them)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE goal_status_history"))
