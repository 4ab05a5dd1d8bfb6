"""Queries on observations: as-of filtering and the latest revision per natural key."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import Numeric, Select, and_, select, type_coerce, update
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from app.domain.periods import SPAN_LIKE, parse_period
from app.models import Indicator, Observation, Region
from app.queries.reference import within


def _with_refs(stmt: Select[Observation]) -> Select[Observation, Indicator, Region]:
    return (
        stmt.add_columns(Indicator, Region)
        .join(Indicator, Indicator.code == Observation.indicator_code)
        .join(Region, Region.code == Observation.region_code)
    )


def latest_revisions(as_of: datetime) -> Select[Observation]:
    """Observations that are the newest revision of their key among those published by
    ``as_of`` (a pending or rejected figure has no ``published_at``: never among them)."""
    newer = aliased(Observation)
    newer_exists = (
        select(newer.id)
        .where(
            newer.indicator_code == Observation.indicator_code,
            newer.region_code == Observation.region_code,
            newer.period == Observation.period,
            newer.published_at <= as_of,
            newer.revision > Observation.revision,
        )
        .exists()
    )
    return select(Observation).where(Observation.published_at <= as_of, ~newer_exists)


def observations_query(
    as_of: datetime,
    *,
    indicator: str | None = None,
    region: str | None = None,
    period: str | None = None,
    include_revisions: bool = False,
    state: str = "published",
    scope: Collection[str] | None = None,
) -> Select[Observation, Indicator, Region]:
    """Published figures by ``as_of``; or, for ``state`` pending or rejected, every such
    figure recorded by ``as_of`` in the regions of ``scope`` and below (None: all)."""
    if state != "published":
        base = select(Observation).where(
            Observation.state == state, Observation.recorded_at <= as_of
        )
        if scope is not None:
            base = base.where(Observation.region_code.in_(within(scope)))
    elif include_revisions:
        base = select(Observation).where(Observation.published_at <= as_of)
    else:
        base = latest_revisions(as_of)
    conditions = []
    if indicator:
        conditions.append(Observation.indicator_code == indicator)
    if region:
        conditions.append(Observation.region_code == region)
    if period:
        conditions.append(Observation.period == period)
    if conditions:
        base = base.where(and_(*conditions))
    return _with_refs(base).order_by(
        Observation.indicator_code,
        Observation.region_code,
        Observation.period_year,
        Observation.period_end_month,
        Observation.period,
        Observation.revision,
    )


def series_history(
    session: Session, as_of: datetime, indicator: str, region: str
) -> list[Observation]:
    """Every period's latest revision (published by ``as_of``) of one series, oldest period
    first: one range read of the natural-key index, superseded revisions dropped here."""
    stmt = _one_series(as_of, indicator, region).order_by(Observation.period, Observation.revision)
    latest = {obs.period: obs for obs in session.scalars(stmt)}  # the last revision wins
    return sorted(latest.values(), key=lambda obs: parse_period(obs.period).sort_key)


SERIES_REGIONS_PER_QUERY = 200


class Figure(NamedTuple):
    """What the arithmetic reads of one observation (its latest revision)."""

    period: str
    value: Decimal | None
    unit: str | None
    yoy_growth: Decimal | None
    reported_completion_rate: Decimal | None


def _region_chunks(
    pairs: set[tuple[str, str]],
) -> Iterator[tuple[list[str], list[str]]]:
    """The pairs' regions, ``SERIES_REGIONS_PER_QUERY`` at a time, each chunk with every
    indicator asked for in it: the bounds of one statement (a pair in neither is dropped
    by the caller)."""
    by_region: dict[str, set[str]] = {}
    for indicator, region in pairs:
        by_region.setdefault(region, set()).add(indicator)
    regions = sorted(by_region)
    for start in range(0, len(regions), SERIES_REGIONS_PER_QUERY):
        chunk = regions[start : start + SERIES_REGIONS_PER_QUERY]
        yield chunk, sorted(set().union(*(by_region[r] for r in chunk)))


def latest_points(
    session: Session, as_of: datetime, pairs: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], list[Figure]]:
    """The latest revision of every period of each (indicator, region) pair, as plain rows.

    Only the columns the arithmetic reads, no entities: progress for thousands of goals is
    computed from these. Superseded revisions are dropped here rather than by an anti-join,
    so the query is a range read of the natural-key index per region. Regions go in chunks
    to bound the statement's size; a pair whose region and indicator both occur in a chunk
    but which was not asked for is filtered out. Spans of years (``2018-2022``) are left
    out: they are history, which the arithmetic never reads (DESIGN v1.1).
    """
    wanted = set(pairs)
    grouped: dict[tuple[str, str], list[Figure]] = {p: [] for p in wanted}
    for chunk, indicators in _region_chunks(wanted):
        stmt = (
            select(
                Observation.indicator_code,
                Observation.region_code,
                Observation.period,
                _exact(session, Observation.value),
                Observation.unit,
                _exact(session, Observation.yoy_growth),
                _exact(session, Observation.reported_completion_rate),
            )
            .where(
                Observation.published_at <= as_of,
                Observation.region_code.in_(chunk),
                Observation.indicator_code.in_(indicators),
                Observation.period.not_like(SPAN_LIKE),
            )
            .order_by(
                Observation.indicator_code,
                Observation.region_code,
                Observation.period,
                Observation.revision,
            )
        )
        latest: dict[tuple[str, str, str], Figure] = {}
        for indicator, region, period, value, unit, growth, reported in session.execute(stmt):
            # ascending revisions: the last one wins
            latest[(indicator, region, period)] = Figure(period, value, unit, growth, reported)
        for (indicator, region, _period), figure in latest.items():
            series = grouped.get((indicator, region))
            if series is not None:
                series.append(figure)
    return grouped


def _exact(session: Session, column: InstrumentedAttribute[Any]) -> Any:
    """On Postgres psycopg returns NUMERIC as Decimal already: skip the per-value type
    hook, which costs more than the rest of reading a series (SQLite stores text)."""
    if session.get_bind().dialect.name == "postgresql":
        return type_coerce(column, Numeric(asdecimal=True)).label(column.key)
    return column


def every_revision(
    session: Session, as_of: datetime, indicator: str, region: str
) -> list[Observation]:
    """Every revision of one series published by ``as_of``, the newest first."""
    newest_first = (Observation.published_at.desc(), Observation.id.desc())
    return list(session.scalars(_one_series(as_of, indicator, region).order_by(*newest_first)))


def _one_series(as_of: datetime, indicator: str, region: str) -> Select[Observation]:
    """Every revision of one (indicator, region) series published by ``as_of``."""
    return select(Observation).where(
        Observation.indicator_code == indicator,
        Observation.region_code == region,
        Observation.published_at <= as_of,
    )


def by_ids(session: Session, ids: Collection[int]) -> list[Observation]:
    """These observations (those that exist), by id."""
    stmt = select(Observation).where(Observation.id.in_(sorted(ids))).order_by(Observation.id)
    return list(session.scalars(stmt))


def with_refs_by_ids(ids: Collection[int]) -> Select[Observation, Indicator, Region]:
    return _with_refs(select(Observation).where(Observation.id.in_(sorted(ids)))).order_by(
        Observation.id
    )


def decide(session: Session, ids: Collection[int], values: dict[str, Any]) -> int:
    """Set ``values`` on those of these observations that are still pending; how many."""
    stmt = (
        update(Observation)
        .where(Observation.id.in_(sorted(ids)), Observation.state == "pending")
        .values(values)
        .execution_options(synchronize_session=False)
    )
    return session.execute(stmt).rowcount  # type: ignore[attr-defined, no-any-return]


class Published(NamedTuple):
    """One revision of a figure with the moment it became countable (for timelines)."""

    indicator_code: str
    region_code: str
    published_at: datetime
    period: str
    period_year: int
    revision: int
    value: Decimal | None
    unit: str | None
    yoy_growth: Decimal | None
    reported_completion_rate: Decimal | None


def published_revisions(
    session: Session, pairs: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], list[Published]]:
    """Every published revision of each series, whenever published (a moment after now
    included), in order of publication: what ``latest_points`` would pick as of any
    moment. Spans of years are left out, as there. Regions go in chunks, as there."""
    wanted = set(pairs)
    grouped: dict[tuple[str, str], list[Published]] = {p: [] for p in wanted}
    for chunk, indicators in _region_chunks(wanted):
        stmt = (
            select(
                Observation.indicator_code,
                Observation.region_code,
                Observation.published_at,
                Observation.period,
                Observation.period_year,
                Observation.revision,
                _exact(session, Observation.value),
                Observation.unit,
                _exact(session, Observation.yoy_growth),
                _exact(session, Observation.reported_completion_rate),
            )
            .where(
                Observation.published_at.is_not(None),
                Observation.region_code.in_(chunk),
                Observation.indicator_code.in_(indicators),
                Observation.period.not_like(SPAN_LIKE),
            )
            .order_by(Observation.published_at, Observation.revision)
        )
        for row in session.execute(stmt):
            series = grouped.get((row[0], row[1]))
            if series is not None:
                series.append(Published(*row))
    return grouped
