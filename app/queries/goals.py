"""Queries on targets and plans, with their indicator and region in the same statement."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import Row, Select, delete, func, insert, select, text
from sqlalchemy.orm import Session

from app.models import GoalStatusTally, Indicator, Plan, Region, Target
from app.queries.reference import indicator_name_matches
from app.services.locks import lock_tally_compaction

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


# The summary folds the tally's deltas into one row per group once it sums more rows
# than this: about 30,000 groups at national scale, plus what the writes since added.
COMPACT_TALLIES_AT = 100_000


def status_counts(
    session: Session, model: type[Target] | type[Plan], region: str | None
) -> tuple[Counter[str], int]:
    """Stored statuses of the goals in force (not retired), summed from the tally's
    deltas (app/models/tally.py); and how many delta rows that read."""
    tally = GoalStatusTally
    stmt = select(tally.status, func.sum(tally.n), func.count()).where(
        tally.kind == model.__tablename__
    )
    if region:
        stmt = stmt.where(tally.region_code == region)
    rows = session.execute(stmt.group_by(tally.status)).all()
    counts = Counter({status: int(n) for status, n, _ in rows if status is not None and n})
    return counts, sum(read for _, _, read in rows)


def compact_tallies(session: Session) -> None:
    """Fold the deltas into one row per (kind, region, status), in the caller's transaction.

    On Postgres, one statement deletes the rows it can see and inserts their sums. A delta
    a concurrent writer commits meanwhile is not among them and stays as it is. A second
    compaction waits on the first's lock, then finds nothing to do.
    """
    if session.get_bind().dialect.name == "postgresql":
        lock_tally_compaction(session)
        session.execute(
            text(
                "WITH gone AS (DELETE FROM goal_status_tally "
                "RETURNING kind, region_code, status, n) "
                "INSERT INTO goal_status_tally (kind, region_code, status, n) "
                "SELECT kind, region_code, status, sum(n) FROM gone "
                "GROUP BY kind, region_code, status HAVING sum(n) <> 0"
            )
        )
        return
    # SQLite: the caller's write transaction already excludes every other writer.
    tally = GoalStatusTally
    groups = (tally.kind, tally.region_code, tally.status)
    sums = session.execute(select(*groups, func.sum(tally.n)).group_by(*groups)).all()
    session.execute(delete(tally))
    rows = [
        {"kind": kind, "region_code": region, "status": status, "n": n}
        for kind, region, status, n in sums
        if n
    ]
    if rows:
        session.execute(insert(tally), rows)
