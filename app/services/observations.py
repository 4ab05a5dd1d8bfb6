"""Progress figures as recorded: the newest revision of each period, or every revision."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.domain.periods import PeriodError, parse_period
from app.errors import invalid
from app.models import ApiKey
from app.queries import paging
from app.queries.observations import observations_query
from app.schemas.common import Page
from app.schemas.observation import ObservationRead
from app.services import scopes
from app.services.reference import require_indicator, require_region
from app.services.render import observation_read


def observation_page(
    session: Session,
    as_of: datetime,
    *,
    indicator: str | None,
    region: str | None,
    period: str | None,
    include_revisions: bool,
    limit: int,
    offset: int,
    state: str = "published",
    key: ApiKey | None = None,
) -> Page[ObservationRead]:
    """``state`` pending or rejected: the figures of ``key``'s scope (app/services/review.py)."""
    require_indicator(session, indicator)
    require_region(session, region)
    if period is not None:
        try:
            period = str(parse_period(period))
        except PeriodError as exc:
            raise invalid("period", str(exc)) from exc
    stmt = observations_query(
        as_of,
        indicator=indicator,
        region=region,
        period=period,
        include_revisions=include_revisions,
        state=state,
        scope=(scopes.scope(session, key) or None) if key is not None else None,
    )
    return Page(
        items=[observation_read(o, i, r) for o, i, r in paging.rows(session, stmt, limit, offset)],
        total=paging.count(session, stmt),
        limit=limit,
        offset=offset,
    )
