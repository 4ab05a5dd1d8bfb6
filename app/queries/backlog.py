"""The backlog of series whose goals wait to be recomputed (app/models/backlog.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Select, delete, select
from sqlalchemy import tuple_ as sql_tuple
from sqlalchemy.orm import Session

from app.models import Plan, StaleSeries, Target
from app.queries.revisions import SQLITE_MAX_PARAMS

Pair = tuple[str, str]


def end_year(model: type[Target] | type[Plan]) -> Any:
    """The last year a goal reads figures of: a target's end year, a plan's year."""
    if issubclass(model, Target):
        return model.end_year
    return model.year


def is_stale(model: type[Target] | type[Plan]) -> ColumnElement[bool]:
    """Whether a goal's stored progress predates figures posted since (correlated)."""
    return (
        select(StaleSeries.from_year)
        .where(
            StaleSeries.indicator_code == model.indicator_code,
            StaleSeries.region_code == model.region_code,
            StaleSeries.from_year <= end_year(model),
        )
        .exists()
    )


def marking(figures: str) -> str:
    """CTEs that add the series of ``figures`` (a relation with indicator_code,
    region_code and period_year) to the backlog from their earliest year, inside a larger
    statement; ``:marked_at`` is the time of the mark. A series already waiting keeps its
    mark, moved to the earlier of the two years.

    Each series is looked up once, and only those that move are updated: a plain INSERT
    (not an upsert, which cost twice as much) is safe because only a holder of a series'
    lock writes its row, so no other transaction adds it after this statement's snapshot.
    """
    return f"""backlog_series AS MATERIALIZED (
    SELECT s.indicator_code, s.region_code, s.from_year, w.from_year AS waiting_from
    FROM (SELECT indicator_code, region_code, min(period_year) AS from_year
          FROM {figures} GROUP BY indicator_code, region_code) s
    LEFT JOIN stale_series w
        ON w.indicator_code = s.indicator_code AND w.region_code = s.region_code
), backlog_added AS (
    INSERT INTO stale_series (indicator_code, region_code, from_year, marked_at)
    SELECT indicator_code, region_code, from_year, :marked_at FROM backlog_series
    WHERE waiting_from IS NULL
), backlog_moved AS (
    UPDATE stale_series w SET from_year = s.from_year
    FROM backlog_series s
    WHERE s.waiting_from > s.from_year
      AND w.indicator_code = s.indicator_code AND w.region_code = s.region_code
)"""


def _empty(session: Session) -> bool:
    """One cheap query that spares the others while nothing waits (the usual case)."""
    return session.scalar(select(StaleSeries.from_year).limit(1)) is None


def anything_waiting(session: Session) -> bool:
    """Whether any series waits in the backlog."""
    return not _empty(session)


def years(session: Session, pairs: Iterable[Pair]) -> dict[Pair, int]:
    """The backlog's year of each of these series that is in it."""
    found: dict[Pair, int] = {}
    wanted = sorted(set(pairs))
    if not wanted or _empty(session):
        return found
    for start in range(0, len(wanted), SQLITE_MAX_PARAMS // 2):
        chunk = wanted[start : start + SQLITE_MAX_PARAMS // 2]
        rows = session.execute(
            select(
                StaleSeries.indicator_code, StaleSeries.region_code, StaleSeries.from_year
            ).where(sql_tuple(StaleSeries.indicator_code, StaleSeries.region_code).in_(chunk))
        )
        found.update({(i, r): y for i, r, y in rows})
    return found


def oldest(session: Session, limit: int) -> list[Pair]:
    """Up to ``limit`` series of the backlog, those waiting longest first."""
    rows = session.execute(
        select(StaleSeries.indicator_code, StaleSeries.region_code)
        .order_by(StaleSeries.marked_at, StaleSeries.region_code, StaleSeries.indicator_code)
        .limit(limit)
    )
    return [(i, r) for i, r in rows]


def pairs_among(
    session: Session, model: type[Target] | type[Plan], stmt: Select[Any, Any, Any]
) -> set[Pair]:
    """The stale series among the goals ``stmt`` selects (none, in one cheap query, when
    the backlog is empty: the summary asks this of every goal in the country)."""
    if _empty(session):
        return set()
    goals = stmt.where(is_stale(model)).with_only_columns(model.indicator_code, model.region_code)
    return {(i, r) for i, r in session.execute(goals.order_by(None).distinct())}


def clear(session: Session, pairs: Iterable[Pair]) -> None:
    wanted = sorted(set(pairs))
    for start in range(0, len(wanted), SQLITE_MAX_PARAMS // 2):
        chunk = wanted[start : start + SQLITE_MAX_PARAMS // 2]
        session.execute(
            delete(StaleSeries).where(
                sql_tuple(StaleSeries.indicator_code, StaleSeries.region_code).in_(chunk)
            )
        )


def clear_all(session: Session) -> None:
    session.execute(delete(StaleSeries))
