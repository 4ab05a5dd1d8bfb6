"""Queries on observations: as-of filtering and the latest revision per natural key."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Row, Select, and_, func, select
from sqlalchemy.orm import Session, aliased

from app.models import Indicator, Observation, Region

ObservationRow = Row[Observation, Indicator, Region]


def _with_refs(stmt: Select[Observation]) -> Select[Observation, Indicator, Region]:
    return (
        stmt.add_columns(Indicator, Region)
        .join(Indicator, Indicator.code == Observation.indicator_code)
        .join(Region, Region.code == Observation.region_code)
    )


def latest_revisions(as_of: datetime) -> Select[Observation]:
    """Observations that are the newest revision of their key among those recorded by ``as_of``."""
    newer = aliased(Observation)
    newer_exists = (
        select(newer.id)
        .where(
            newer.indicator_code == Observation.indicator_code,
            newer.region_code == Observation.region_code,
            newer.period == Observation.period,
            newer.recorded_at <= as_of,
            newer.revision > Observation.revision,
        )
        .exists()
    )
    return select(Observation).where(Observation.recorded_at <= as_of, ~newer_exists)


def observations_query(
    as_of: datetime,
    *,
    indicator: str | None = None,
    region: str | None = None,
    period: str | None = None,
    include_revisions: bool = False,
) -> Select[Observation, Indicator, Region]:
    if include_revisions:
        base = select(Observation).where(Observation.recorded_at <= as_of)
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


def series_for(
    session: Session, as_of: datetime, pairs: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], list[ObservationRow]]:
    """Latest revisions for every (indicator, region) pair, in one query whatever their number."""
    wanted = set(pairs)
    if not wanted:
        return {}
    indicators = sorted({p[0] for p in wanted})
    regions = sorted({p[1] for p in wanted})
    stmt = observations_query(as_of).where(
        Observation.indicator_code.in_(indicators), Observation.region_code.in_(regions)
    )
    grouped: dict[tuple[str, str], list[ObservationRow]] = {p: [] for p in wanted}
    for row in session.execute(stmt):
        key = (row[0].indicator_code, row[0].region_code)
        if key in grouped:
            grouped[key].append(row)
    return grouped


def count(session: Session, stmt: Select[Observation, Indicator, Region]) -> int:
    return session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0


def page(
    session: Session, stmt: Select[Observation, Indicator, Region], limit: int, offset: int
) -> Sequence[ObservationRow]:
    return session.execute(stmt.limit(limit).offset(offset)).all()
