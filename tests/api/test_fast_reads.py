"""The fast paths of the usual reads (a page of goals as of now in one statement built per
shape; one goal as of now in one plain statement) answer byte for byte what the general
path answers.

The general path here is the same request ``as_of`` a moment after every figure: it
computes each goal's progress from the figures and serialises the response models, and
progress never depends on the clock, so with every stored read current the two agree.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.models import Observation, Plan, StaleSeries, Target
from app.services.stored_reads import refresh_stale
from tests.api.test_query_count import counting

LATER = (datetime.now(UTC) + timedelta(days=1)).isoformat()
REGION = "500000"
PAGES = [
    ("targets", {"region": REGION, "limit": 1000}),
    ("targets", {"region": REGION, "indicator": "hi_tech_enterprises"}),
    ("targets", {"region": REGION, "end_year": 2027, "limit": 3, "offset": 2}),
    ("targets", {"include_retired": "true", "limit": 5}),
    ("targets", {}),
    ("plans", {"region": REGION, "year": 2023, "limit": 1000}),
    ("plans", {"indicator": "key_project_investment"}),
    ("plans", {"limit": 2, "offset": 1}),
]


@pytest.fixture(autouse=True)
def _no_response_cache(client: TestClient) -> None:
    """Every request runs its statements: these are the reads on a cache miss."""
    client.app.state.response_cache.close()  # type: ignore[attr-defined]


def _general(client: TestClient, path: str, params: dict[str, object]) -> bytes:
    response = client.get(f"/api/v1/{path}", params={**params, "as_of": LATER})
    assert response.status_code == 200, response.text
    return response.content


def _fast(client: TestClient, path: str, params: dict[str, object]) -> bytes:
    response = client.get(f"/api/v1/{path}", params=params)
    assert response.status_code == 200, response.text
    return response.content


@pytest.mark.parametrize(("path", "params"), PAGES)
def test_a_page_now_equals_the_computed_page(
    client: TestClient, path: str, params: dict[str, object]
) -> None:
    fast = _fast(client, path, params)
    assert fast == _general(client, path, params)
    assert len(client.get(f"/api/v1/{path}", params=params).json()["items"]) > 0


def _ids(session: Session, model: type[Target] | type[Plan]) -> list[int]:
    stmt = select(model.id).where(model.region_code == REGION).order_by(model.id).limit(6)
    return list(session.scalars(stmt))


@pytest.mark.parametrize("model", [Target, Plan])
def test_one_goal_now_equals_the_computed_goal(
    client: TestClient, session: Session, model: type[Target] | type[Plan]
) -> None:
    kind = model.__tablename__
    ids = _ids(session, model)
    assert len(ids) == 6
    figures = 0
    for goal_id in ids:
        fast = client.get(f"/api/v1/{kind}s/{goal_id}")
        general = client.get(f"/api/v1/{kind}s/{goal_id}", params={"as_of": LATER})
        assert fast.status_code == general.status_code == 200
        assert fast.content == general.content, goal_id
        assert fast.headers["ETag"] == general.headers["ETag"] == f'"{goal_id}-1"'
        figures += len(fast.json()["history"])
    assert figures > 0


def test_unknown_ids_and_codes_are_refused_as_before(client: TestClient) -> None:
    assert client.get("/api/v1/targets/2147483647").status_code == 404
    assert client.get("/api/v1/plans/2147483647").status_code == 404
    unknown = client.get("/api/v1/targets", params={"region": "999999"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "region"
    unknown = client.get("/api/v1/plans", params={"indicator": "no_such_thing"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "indicator"
    empty = client.get("/api/v1/targets", params={"region": ""})
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "region"


def test_past_the_end_still_counts_the_total(client: TestClient) -> None:
    everything = client.get("/api/v1/targets", params={"region": REGION, "limit": 1000}).json()
    past = client.get("/api/v1/targets", params={"region": REGION, "offset": 100_000}).json()
    assert past["items"] == [] and past["total"] == everything["total"] > 0
    assert (
        past
        == client.get(
            "/api/v1/targets", params={"region": REGION, "offset": 100_000, "as_of": LATER}
        ).json()
    )


def test_the_usual_reads_take_one_statement(client: TestClient, connection: Connection) -> None:
    goal_id = client.get("/api/v1/targets", params={"region": REGION}).json()["items"][0]["id"]
    for url in (
        f"/api/v1/targets?region={REGION}&limit=1000",
        f"/api/v1/plans?region={REGION}&year=2023",
        f"/api/v1/targets/{goal_id}",
    ):
        with counting(connection) as statements:
            assert client.get(url).status_code == 200
        assert len(statements) == 1, (url, statements)


def _a_plan_with_figures(session: Session) -> Plan:
    plan = session.scalars(
        select(Plan).where(
            Plan.region_code == REGION, Plan.indicator_code == "key_project_investment"
        )
    ).first()
    assert plan is not None
    return plan


def test_a_stale_stored_read_is_computed_again(client: TestClient, session: Session) -> None:
    """A figure recorded behind the stored read (its series in the backlog): both paths
    answer the figure's progress, not the stored block."""
    plan = _a_plan_with_figures(session)
    before = client.get(f"/api/v1/plans/{plan.id}").json()
    latest = session.scalars(
        select(Observation)
        .where(
            Observation.indicator_code == plan.indicator_code,
            Observation.region_code == plan.region_code,
            Observation.period_year == plan.year,
        )
        .order_by(Observation.period_end_month.desc(), Observation.revision.desc())
    ).first()
    assert latest is not None and latest.value is not None
    session.add(
        Observation(
            indicator_code=latest.indicator_code,
            region_code=latest.region_code,
            period=latest.period,
            period_year=latest.period_year,
            period_end_month=latest.period_end_month,
            revision=latest.revision + 1,
            value=latest.value + Decimal("100.5"),
            unit=latest.unit,
            note='revised: "twice"\nsee\\table\t\x01 — 修订',
            recorded_by="test",
        )
    )
    session.add(
        StaleSeries(indicator_code=plan.indicator_code, region_code=plan.region_code, from_year=0)
    )
    session.flush()
    after = client.get(f"/api/v1/plans/{plan.id}")
    assert after.content == client.get(f"/api/v1/plans/{plan.id}", params={"as_of": LATER}).content
    assert after.json()["progress"]["actual"] == latest.value + Decimal("100.5")
    assert after.json()["progress"] != before["progress"]
    assert after.json()["history"][-1]["note"] == 'revised: "twice"\nsee\\table\t\x01 — 修订'
    params = {"region": REGION, "year": plan.year, "limit": 1000}
    assert _fast(client, "plans", params) == _general(client, "plans", params)
    # Once the backlog's refresh stored it, the stored read answers: the same bytes again,
    # the note's quotes, newline, backslash, tab and control character escaped as Pydantic does.
    refresh_stale(session, [(plan.indicator_code, plan.region_code)])
    session.flush()
    assert session.scalars(select(StaleSeries)).first() is None
    with counting(session.connection()) as statements:
        fast = client.get(f"/api/v1/plans/{plan.id}")
    assert len(statements) == 1
    assert fast.content == after.content


def test_a_missing_stored_read_is_computed_and_kept(client: TestClient, session: Session) -> None:
    ids = _ids(session, Target)[:3]
    session.execute(update(Target).where(Target.id.in_(ids)).values(read_json=None, status=None))
    session.flush()
    params = {"region": REGION, "limit": 1000}
    assert _fast(client, "targets", params) == _general(client, "targets", params)
    kept = session.scalars(select(Target.read_json).where(Target.id.in_(ids))).all()
    assert all(kept)  # the page stored what it computed
    session.execute(update(Target).where(Target.id == ids[0]).values(read_json=None))
    session.flush()
    one = client.get(f"/api/v1/targets/{ids[0]}")
    assert one.content == client.get(f"/api/v1/targets/{ids[0]}", params={"as_of": LATER}).content
