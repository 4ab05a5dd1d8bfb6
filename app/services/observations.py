"""Progress figures as recorded: the newest revision of each period, or every revision."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select
from sqlalchemy.orm import Session

from app.domain.periods import PeriodError, parse_period
from app.errors import invalid
from app.models import ApiKey, Indicator, Observation, Region
from app.queries import paging
from app.queries.observations import observations_query
from app.schemas.common import Page
from app.schemas.observation import ObservationRead, PlausibilityWarning
from app.services import scopes
from app.services.posting import plausibility_warnings
from app.services.reference import require_indicator, require_region
from app.services.render import observation_read


def selected(
    session: Session,
    as_of: datetime,
    *,
    indicator: str | None,
    region: str | None,
    period: str | None,
    include_revisions: bool,
    state: str = "published",
    key: ApiKey | None = None,
) -> Select[Observation, Indicator, Region]:
    """The figures a list's filters select, once each filter is checked (an unknown code
    or period is a 422, never an empty list); for the page and the file exports alike."""
    require_indicator(session, indicator)
    require_region(session, region)
    if period is not None:
        try:
            period = str(parse_period(period))
        except PeriodError as exc:
            raise invalid("period", str(exc)) from exc
    return observations_query(
        as_of,
        indicator=indicator,
        region=region,
        period=period,
        include_revisions=include_revisions,
        state=state,
        scope=(scopes.scope(session, key) or None) if key is not None else None,
    )


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
    stmt = selected(
        session,
        as_of,
        indicator=indicator,
        region=region,
        period=period,
        include_revisions=include_revisions,
        state=state,
        key=key,
    )
    found = paging.rows(session, stmt, limit, offset)
    items = [observation_read(o, i, r) for o, i, r in found]
    if state == "pending":
        warned = pending_warnings(session, [(o, i) for o, i, _ in found], as_of)
        items = [item.model_copy(update={"warnings": warned[item.id]}) for item in items]
    return Page(
        items=items,
        total=paging.count(session, stmt),
        limit=limit,
        offset=offset,
    )


def pending_warnings(
    session: Session, figures: Sequence[tuple[Observation, Indicator]], as_of: datetime
) -> dict[int, list[PlausibilityWarning]]:
    """Each pending figure's plausibility warnings, by id, as its post would get them now:
    the rules of app/domain/plausibility.py against the figures published by ``as_of``
    (the figures a reviewer weighs it against; pending ones never count)."""
    rows = [
        {
            "value": o.value,
            "unit": o.unit,
            "indicator_code": o.indicator_code,
            "region_code": o.region_code,
            "period": o.period,
        }
        for o, _ in figures
    ]
    indicators = {i.code: i for _, i in figures}
    out: dict[int, list[PlausibilityWarning]] = {o.id: [] for o, _ in figures}
    for warning in plausibility_warnings(session, rows, as_of, indicators):
        assert warning.row is not None  # one per row, numbered from 1
        out[figures[warning.row - 1][0].id].append(
            PlausibilityWarning(code=warning.code or "outlier", message=warning.message)
        )
    return out
