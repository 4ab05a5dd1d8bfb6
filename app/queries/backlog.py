"""The backlog of series whose goals wait to be recomputed (app/models/backlog.py)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, String, bindparam, delete, select, text
from sqlalchemy import tuple_ as sql_tuple
from sqlalchemy.dialects.postgresql import ARRAY
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


def goal_is_stale(session: Session, model: type[Target] | type[Plan], goal_id: int) -> bool:
    return bool(session.scalar(select(is_stale(model)).where(model.id == goal_id)))


def mark(session: Session, earliest: dict[Pair, int], at: datetime) -> None:
    """Add these series to the backlog, each from its earliest new figure's year (a series
    already there keeps the earlier of the two years). Taken under the series' locks.
    Postgres only: on SQLite a post recomputes its goals at once (``mark_stale``)."""
    if not earliest:
        return
    pairs = sorted(earliest)
    session.execute(
        text(
            "INSERT INTO stale_series (indicator_code, region_code, from_year, marked_at) "
            "SELECT i, r, y, :at FROM unnest(:i, :r, :y) AS new(i, r, y) "
            "ON CONFLICT (indicator_code, region_code) DO UPDATE "
            "SET from_year = least(stale_series.from_year, excluded.from_year), "
            "marked_at = excluded.marked_at"
        ).bindparams(
            bindparam("i", type_=ARRAY(String())),
            bindparam("r", type_=ARRAY(String())),
            bindparam("y", type_=ARRAY(Integer())),
        ),
        {
            "i": [p[0] for p in pairs],
            "r": [p[1] for p in pairs],
            "y": [earliest[p] for p in pairs],
            "at": at,
        },
    )


def _empty(session: Session) -> bool:
    """One cheap query that spares the others while nothing waits (the usual case)."""
    return session.scalar(select(StaleSeries.from_year).limit(1)) is None


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
    """Up to ``limit`` series of the backlog, those marked longest ago first."""
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
