"""Queries behind a document's page: the goals and figures taken from one document."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.models import Indicator, Observation, Plan, Region, Target
from app.text import like_pattern

GoalModel = type[Target] | type[Plan]


def cites(sources_json: str | None, first: str | None, code: str) -> list[str]:
    """The quotes a goal takes from document ``code``: from its ``sources`` list when it has
    one, else its one source (``first`` is its document_code)."""
    if sources_json:
        return [s.get("quote") or "" for s in json.loads(sources_json) if s.get("document") == code]
    return [""] if first == code else []


def goals_citing(
    session: Session, model: GoalModel, code: str
) -> list[tuple[Any, Indicator, Region]]:
    """(goal, indicator, region) of every goal, retired ones too, that document ``code``
    states: as its first source, or as one of its ``sources`` (a LIKE on the stored list,
    confirmed by ``cites`` on the caller's side)."""
    listed = like_pattern(json.dumps(code))
    stmt = (
        select(model, Indicator, Region)
        .join(Indicator, Indicator.code == model.indicator_code)
        .join(Region, Region.code == model.region_code)
        .where(
            or_(
                model.document_code == code,
                model.sources_json.like(listed, escape="\\"),
            )
        )
        .order_by(model.id)
    )
    return [(goal, indicator, region) for goal, indicator, region in session.execute(stmt)]


def observations_citing(session: Session, code: str) -> list[tuple[Observation, Indicator, Region]]:
    """(observation, indicator, region) of the latest published revision of every figure
    document ``code`` supplied, by indicator, region and period (pending and rejected
    figures are nobody's to see here)."""
    stmt = (
        select(Observation, Indicator, Region)
        .join(Indicator, Indicator.code == Observation.indicator_code)
        .join(Region, Region.code == Observation.region_code)
        .where(Observation.document_code == code, Observation.published_at.is_not(None))
        .order_by(Observation.id)
    )
    latest: dict[tuple[str, str, str], tuple[Observation, Indicator, Region]] = {}
    for obs, indicator, region in session.execute(stmt):
        key = (obs.indicator_code, obs.region_code, obs.period)
        if key not in latest or latest[key][0].revision < obs.revision:
            latest[key] = (obs, indicator, region)
    return list(latest.values())


def goals_of_series(
    session: Session, model: GoalModel, indicators: Collection[str], regions: Collection[str]
) -> Sequence[Any]:
    """The goals in force whose indicator and region are among these (the caller keeps the
    pairs it asked for)."""
    if not indicators or not regions:
        return []
    stmt = (
        select(model)
        .where(
            model.indicator_code.in_(sorted(indicators)),
            model.region_code.in_(sorted(regions)),
            model.retired_at.is_(None),
        )
        .order_by(model.id)
    )
    return session.scalars(stmt).all()
