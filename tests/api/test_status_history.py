"""Past summaries from the status timelines equal every goal recomputed from its figures.

The reference is the computing path the summary used before the timelines
(``stored_reads.status_counts_as_of``: each goal in force evaluated from the figures
published by the moment). Both are compared at many moments: before everything, at and
just around each moment a figure was published, between writes and after them; national
and by region; over the seeds, generated series with revisions published out of order,
posts, an edit, a retirement, review mode and the backlog of ``Prefer: return=minimal``;
each time with the timelines the writes dropped still missing (those goals computed), and
again once the builder has built them (``status_history.build_round``).
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, delete, func, select, tuple_
from sqlalchemy.orm import Session

from app.db import UnitOfWork
from app.main import create_app
from app.models import GoalStatusHistory, Indicator, Observation, Plan, StaleSeries, Target
from app.models.types import utc_now
from app.queries import goals as q
from app.services import status_history, stored_reads
from app.services.backlog_refresher import timeline_round
from app.services.goal_reads import past_counts
from app.settings import Settings
from tests.conftest import KEY_PROJECTS_NOVEMBER_2023, bearer

Model = type[Target] | type[Plan]
BEFORE_EVERYTHING = datetime(1990, 1, 1, tzinfo=UTC)
TICK = timedelta(microseconds=1)


def _reference(session: Session, model: Model, region: str | None, as_of: datetime) -> Counter[str]:
    goals: Any = q.goals_query(model, region=region)
    return Counter(stored_reads.status_counts_as_of(session, model, goals, as_of))


def _from_history(
    session: Session, model: Model, region: str | None, as_of: datetime
) -> Counter[str]:
    goals: Any = q.goals_query(model, region=region)
    return past_counts(session, model, goals, region, as_of)


def _published_moments(
    session: Session, pairs: Iterable[tuple[str, str]] | None = None
) -> list[datetime]:
    """Every moment a figure was published (of these series only, if given)."""
    stmt = select(Observation.published_at).where(Observation.published_at.is_not(None))
    if pairs is not None:
        stmt = stmt.where(
            tuple_(Observation.indicator_code, Observation.region_code).in_(list(pairs))
        )
    return sorted({m for m in session.scalars(stmt.distinct()) if m is not None})


def _around(moments: Iterable[datetime]) -> list[datetime]:
    """Each moment, and just before and after it."""
    return sorted({m + d for m in moments for d in (-TICK, timedelta(0), TICK)})


def _assert_same(
    session: Session, moments: Iterable[datetime], regions: Iterable[str | None]
) -> int:
    """Both paths agree at every moment, for both kinds and every region; how many checks."""
    session.expire_all()  # goals edited through the client are read afresh
    checked = 0
    for as_of in moments:
        for model in (Target, Plan):
            for region in regions:
                expected = _reference(session, model, region, as_of)
                got = _from_history(session, model, region, as_of)
                assert got == expected, (model.__tablename__, region, as_of)
                checked += 1
    return checked


def _build(session: Session) -> int:
    """What the background builder does: every missing timeline built; how many goals."""
    done = 0
    for model in (Target, Plan):
        after = 0
        while (result := status_history.build_round(session, model, after, 7)) is not None:
            after, built = result
            done += built
    session.commit()
    return done


def _built(session: Session) -> int:
    stmt = (
        select(func.count()).select_from(GoalStatusHistory).where(GoalStatusHistory.until.is_(None))
    )
    return session.scalar(stmt) or 0


def _without_timeline(session: Session) -> int:
    """Goals in force without a timeline (other tests' goals retired or deleted by hand
    may leave timelines behind in a shared database: the summary leaves those out)."""
    return sum(
        session.scalar(
            select(func.count())
            .select_from(m)
            .where(
                m.retired_at.is_(None),
                ~select(GoalStatusHistory.id)
                .where(
                    GoalStatusHistory.kind == m.__tablename__,
                    GoalStatusHistory.goal_id == m.id,
                )
                .exists(),
            )
        )
        or 0
        for m in (Target, Plan)
    )


def _in_force(session: Session) -> int:
    return sum(
        session.scalar(select(func.count()).select_from(m).where(m.retired_at.is_(None))) or 0
        for m in (Target, Plan)
    )


def test_the_seeds_have_a_timeline_per_goal_in_force_and_agree_at_every_moment(
    session: Session,
) -> None:
    _build(session)
    assert _without_timeline(session) == 0 < _in_force(session)
    moments = _published_moments(session)
    assert len(moments) > 3
    # The first moments, the last ones and a spread between: both paths, all regions.
    chosen = [
        BEFORE_EVERYTHING,
        *moments[:4],
        *moments[-4:],
        *moments[:: max(1, len(moments) // 8)],
    ]
    regions = [None, *session.scalars(select(Target.region_code).distinct())]
    assert _assert_same(session, [*_around(chosen), utc_now()], regions) > 0


def _series_of_goals(session: Session, count: int) -> list[tuple[str, str]]:
    """Series with both a target and a plan in force, else with either."""
    both = session.execute(
        select(Target.indicator_code, Target.region_code)
        .join(
            Plan,
            (Plan.indicator_code == Target.indicator_code)
            & (Plan.region_code == Target.region_code),
        )
        .where(Target.retired_at.is_(None))
        .distinct()
        .order_by(Target.indicator_code, Target.region_code)
    ).all()
    pairs = [(i, r) for i, r in both]
    if len(pairs) < count:
        more = session.execute(
            select(Plan.indicator_code, Plan.region_code).distinct().order_by(Plan.indicator_code)
        ).all()
        pairs += [(i, r) for i, r in more if (i, r) not in pairs]
    return pairs[:count]


def _generate(session: Session, pairs: list[tuple[str, str]], seed: int) -> None:
    """Figures of these series published at past moments: several periods, revisions
    (some published before the revision they supersede), shared and distinct moments."""
    rng = random.Random(seed)
    shared = [datetime(2021 + k // 4, 3 * (k % 4) + 1, 15, 8, tzinfo=UTC) for k in range(16)]
    for indicator_code, region_code in pairs:
        indicator = session.get(Indicator, indicator_code)
        assert indicator is not None
        goal = (
            session.scalars(
                select(Target).where(
                    Target.indicator_code == indicator_code, Target.region_code == region_code
                )
            ).first()
            or session.scalars(
                select(Plan).where(
                    Plan.indicator_code == indicator_code, Plan.region_code == region_code
                )
            ).first()
        )
        assert goal is not None
        level_unit = goal.unit if goal.basis in ("value", "cumulative") else indicator.unit
        taken = set(
            session.scalars(
                select(Observation.period).where(
                    Observation.indicator_code == indicator_code,
                    Observation.region_code == region_code,
                )
            )
        )
        for year in range(2020, 2026):
            for period in (f"{year}-Q2", str(year)):
                if period in taken or rng.random() < 0.2:
                    continue
                revisions = 1 + (rng.random() < 0.4) + (rng.random() < 0.2)
                moments = sorted(
                    rng.choice(shared)
                    if rng.random() < 0.5
                    else datetime(year + 1, rng.randint(1, 12), rng.randint(1, 28), tzinfo=UTC)
                    for _ in range(revisions)
                )
                if revisions > 1 and rng.random() < 0.3:
                    moments.reverse()  # the later revision approved first
                for revision, moment in enumerate(moments, start=1):
                    scale = Decimal(rng.randint(40, 130)) / 100
                    session.add(
                        Observation(
                            indicator_code=indicator_code,
                            region_code=region_code,
                            period=period,
                            period_year=year,
                            period_end_month=6 if "Q" in period else 12,
                            revision=revision,
                            value=(goal.value * scale).quantize(Decimal("0.01")),
                            unit=level_unit,
                            yoy_growth=Decimal(rng.randint(-300, 1200)) / 100,
                            recorded_at=moment,
                            recorded_by="generator",
                            state="published",
                            published_at=moment,
                        )
                    )
    session.flush()
    stored_reads.refresh_pairs(session, set(pairs))  # as the seed loader does
    session.commit()


def _etag(client: TestClient, path: str) -> str:
    return client.get(path).headers["ETag"]


def test_generated_figures_posts_an_edit_and_a_retirement_agree_at_every_moment(
    client: TestClient, session: Session, api_keys: dict[str, str]
) -> None:
    pairs = _series_of_goals(session, 6)
    assert len(pairs) >= 3
    _generate(session, pairs, seed=19)
    regions = [None, *sorted({r for _, r in pairs})[:2]]
    between: list[datetime] = [utc_now()]

    analyst, admin = bearer(api_keys["analyst"]), bearer(api_keys["admin"])
    posted = client.post("/api/v1/observations", json=KEY_PROJECTS_NOVEMBER_2023, headers=analyst)
    assert posted.status_code == 201, posted.text
    between.append(utc_now())
    again = {**KEY_PROJECTS_NOVEMBER_2023, "value": 4700}  # a second revision
    assert client.post("/api/v1/observations", json=again, headers=analyst).status_code == 201
    between.append(utc_now())

    indicator, region = pairs[0]
    target = session.scalars(
        select(Target).where(Target.indicator_code == indicator, Target.region_code == region)
    ).first()
    plan = session.scalars(
        select(Plan).where(Plan.indicator_code == indicator, Plan.region_code == region)
    ).first()
    if target is not None:  # an edit: every past answer reads the goal as it is now
        path = f"/api/v1/targets/{target.id}"
        edited = client.patch(
            path,
            json={"value": float(target.value * Decimal("0.8"))},
            headers={**admin, "If-Match": _etag(client, path)},
        )
        assert edited.status_code == 200, edited.text
        between.append(utc_now())
    assert plan is not None
    path = f"/api/v1/plans/{plan.id}"
    retired = client.patch(
        path,
        json={"retired": True, "retired_reason": "test"},
        headers={**admin, "If-Match": _etag(client, path)},
    )
    assert retired.status_code == 200, retired.text
    between.append(utc_now())

    session.expire_all()
    # The writes dropped the timelines of the goals they recomputed: those are computed.
    assert _without_timeline(session) > 0
    touched = [*pairs, ("key_project_investment", "500000")]
    published = _published_moments(session, touched)
    sample = random.Random(3).sample(published, min(20, len(published)))
    moments = [BEFORE_EVERYTHING, *_around([*sample, *published[-3:]]), *between]
    assert _assert_same(session, moments, regions) > 100
    assert _build(session) > 0
    assert _without_timeline(session) == 0
    assert _assert_same(session, moments, regions) > 100

    # Unretired: its timeline is back.
    retired_again = client.patch(
        path, json={"retired": False}, headers={**admin, "If-Match": _etag(client, path)}
    )
    assert retired_again.status_code == 200, retired_again.text
    assert _assert_same(session, [*between, utc_now()], regions) > 0
    assert _build(session) == 1  # its own, dropped when it was stored again
    assert _assert_same(session, [*between, utc_now()], regions) > 0


def test_the_summary_endpoint_answers_from_the_timelines_as_it_computed(
    client: TestClient, session: Session
) -> None:
    _generate(session, _series_of_goals(session, 4), seed=7)
    _build(session)
    for as_of in (datetime(2022, 6, 1, tzinfo=UTC), datetime(2024, 12, 31, tzinfo=UTC)):
        for region in (None, "500000", "500115"):
            params: dict[str, str] = {"as_of": as_of.isoformat()}
            if region:
                params["region"] = region
            body = client.get("/api/v1/summary", params=params).json()
            for model, key in ((Target, "targets"), (Plan, "plans")):
                expected = _reference(session, model, region, as_of)
                got = {s: n for s, n in body[key]["by_status"].items() if n}
                assert got == dict(expected), (key, region, as_of)
                assert body[key]["total"] == sum(expected.values())


def test_goals_without_a_timeline_are_computed_until_they_have_one(
    client: TestClient, session: Session
) -> None:
    """Rows loaded behind the service's back: the counts are still right, and the builder
    builds what is missing; a refresh drops every timeline, to be built again."""
    _build(session)
    some = session.scalars(
        select(GoalStatusHistory.goal_id)
        .distinct()
        .where(GoalStatusHistory.kind == "target")
        .limit(3)
    ).all()
    session.execute(
        delete(GoalStatusHistory).where(
            GoalStatusHistory.goal_id.in_(some), GoalStatusHistory.kind == "target"
        )
    )
    session.commit()
    assert _without_timeline(session) == 3
    moments = _around(_published_moments(session)[::5])
    _assert_same(session, moments, [None, "500000"])
    assert _build(session) == 3
    _assert_same(session, moments, [None, "500000"])
    stored_reads.refresh_all(session)
    session.commit()
    assert _built(session) == 0
    _assert_same(session, moments, [None, "500000"])
    assert _build(session) == _in_force(session)
    assert _built(session) == _in_force(session)  # the refresh dropped any left behind
    _assert_same(session, moments, [None, "500000"])


@pytest.fixture
def review(connection: Connection, database_url: str) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=database_url, publish_mode="review"))
    app.state.sessionmaker = lambda: Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    app.state.response_cache.open()
    with TestClient(app) as test_client:
        yield test_client


def test_review_mode_counts_a_figure_from_its_approval(
    review: TestClient, session: Session, api_keys: dict[str, str]
) -> None:
    figure = {
        "indicator": "fixed_asset_investment",
        "region": "500115",
        "period": "2023",
        "value": 355,
        "unit": "亿元",
    }
    posted = review.post("/api/v1/observations", json=figure, headers=bearer(api_keys["analyst"]))
    assert posted.status_code == 201, posted.text
    (item,) = posted.json()["items"]
    assert item["state"] == "pending"
    pending_at = utc_now()
    decided = review.post(
        "/api/v1/observations/review",
        json={"ids": [item["id"]], "decision": "approve"},
        headers=bearer(api_keys["admin"]),
    )
    assert decided.status_code == 200, decided.text
    approved_at = utc_now()
    moments = [pending_at, approved_at, *_around(_published_moments(session)[-3:])]
    assert _assert_same(session, moments, [None, "500115"]) > 0
    _build(session)
    assert _without_timeline(session) == 0
    assert _assert_same(session, moments, [None, "500115"]) > 0


def test_series_in_the_backlog_are_computed_from_their_figures(
    client: TestClient, session: Session, api_keys: dict[str, str], backend: str
) -> None:
    """A ``Prefer: return=minimal`` post leaves the timelines of its series stale until
    the backlog is refreshed: meanwhile those goals are computed, so answers stay right.
    (SQLite has no backlog: the post recomputed them and dropped their timelines.)"""
    _build(session)
    waiting = 1 if backend == "postgresql" else 0
    figure = {
        "indicator": "fixed_asset_investment",
        "region": "500115",
        "period": "2023",
        "value": 355,
        "unit": "亿元",
    }
    posted = client.post(
        "/api/v1/observations",
        json=figure,
        headers={**bearer(api_keys["analyst"]), "Prefer": "return=minimal"},
    )
    assert posted.status_code in (200, 201, 202), posted.text
    after = utc_now()
    assert session.scalar(select(func.count()).select_from(StaleSeries)) == waiting
    moments = [after, *_around(_published_moments(session)[-3:])]
    assert _assert_same(session, moments, [None, "500115"]) > 0
    # The refresher's round rebuilds them: the backlog is empty, the answers the same.
    pair = ("fixed_asset_investment", "500115")
    assert stored_reads.refresh_stale(session, {pair}) == waiting
    session.commit()
    assert session.scalar(select(func.count()).select_from(StaleSeries)) == 0
    assert _assert_same(session, moments, [None, "500115"]) > 0
    _build(session)
    assert _assert_same(session, moments, [None, "500115"]) > 0


def test_the_background_rounds_build_every_missing_timeline(session: Session) -> None:
    """The backlog refresher's thread, with the backlog empty, builds ``ROUND`` goals a
    round until none is missing, then reports 0 (and the thread sleeps)."""
    session.execute(delete(GoalStatusHistory))
    session.commit()
    missing = _without_timeline(session)
    assert missing == _in_force(session) > 0
    after: dict[str, int] = {}
    rounds = 0
    while timeline_round(UnitOfWork(session), after) > 0:
        rounds += 1
        assert rounds <= missing
    assert rounds == sum(
        -(-n // status_history.ROUND)
        for n in (
            session.scalar(select(func.count()).where(m.retired_at.is_(None)).select_from(m)) or 0
            for m in (Target, Plan)
        )
    )
    assert _without_timeline(session) == 0
    assert _built(session) == _in_force(session)


def test_building_every_timeline_renews_the_planners_statistics_as_the_table_grows(
    connection: Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``python -m app progress timelines`` after a bulk load: the statistics are renewed
    each time the number built doubles (the first round, then 2x, 4x...), in the same
    transactions as the rounds; without them the planner scans the growing table."""
    analyzed_at: list[int] = []
    renew = status_history.history.analyze

    def counting(session: Session) -> None:
        analyzed_at.append(_built(session))
        renew(session)

    monkeypatch.setattr(status_history.history, "analyze", counting)

    def sessions() -> Session:
        return Session(bind=connection, join_transaction_mode="create_savepoint")

    with sessions() as session:
        session.execute(delete(GoalStatusHistory))
        session.commit()
        in_force = _in_force(session)
    assert in_force > 40
    assert status_history.build_all(sessions, limit=5) == in_force
    # renewed after 5 built, then once past 10, 20, 40... of each kind's build: a few
    # times, not once a round
    assert analyzed_at[:3] == [5, 10, 20]
    assert len(analyzed_at) <= 2 * math.ceil(math.log2(in_force))
