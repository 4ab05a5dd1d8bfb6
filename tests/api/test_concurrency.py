"""Concurrent writers through real, committed transactions (cleaned up afterwards)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.db import make_sessionmaker
from app.main import create_app
from app.models import ApiKey, AuditEntry, IdempotencyRecord, Observation, Target
from app.queries import locks
from app.services import api_keys, stored_reads
from app.settings import Settings
from tests.conftest import bearer

ROW = {"indicator": "gdp", "region": "500115-ED", "period": "2023-M08", "unit": "亿元"}
PLAN_SERIES = ("key_project_investment", "500000")  # has a 2023 plan
TOUCHED = {(ROW["indicator"], ROW["region"]), PLAN_SERIES}


@pytest.fixture
def live(engine: Engine, database_url: str) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """A client on the real engine; every row the test commits is deleted at the end."""
    app = create_app(Settings(database_url=database_url))
    app.state.sessionmaker = make_sessionmaker(engine)
    with Session(engine) as s, s.begin():
        keys = {
            "analyst": api_keys.create_key(s, "live-analyst", "analyst"),
            "admin": api_keys.create_key(s, "live-admin", "admin"),
        }
    with TestClient(app) as client:
        yield client, keys
    with Session(engine) as s, s.begin():
        ids = select(ApiKey.id).where(ApiKey.name.in_(["live-analyst", "live-admin"]))
        s.execute(delete(IdempotencyRecord).where(IdempotencyRecord.api_key_id.in_(ids)))
        s.execute(delete(AuditEntry).where(AuditEntry.actor.in_(["live-analyst", "live-admin"])))
        s.execute(delete(Observation).where(Observation.recorded_by == "live-analyst"))
        s.execute(delete(Target).where(Target.note == "live-test"))
        # the figures went behind the service's back: recompute what they had changed
        stored_reads.refresh_pairs(s, TOUCHED)
        s.execute(delete(ApiKey).where(ApiKey.name.in_(["live-analyst", "live-admin"])))


def test_twenty_concurrent_posts_make_twenty_revisions(
    live: tuple[TestClient, dict[str, str]],
) -> None:
    client, keys = live

    def post(value: int) -> int:
        response = client.post(
            "/api/v1/observations", json={**ROW, "value": value}, headers=bearer(keys["analyst"])
        )
        if response.status_code != 201:
            print(response.text)
        return response.status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(post, range(100, 120)))
    assert statuses == [201] * 20
    every = client.get(
        "/api/v1/observations",
        params={"region": "500115-ED", "period": "2023-M08", "include_revisions": "true"},
    ).json()["items"]
    assert sorted(o["revision"] for o in every) == list(range(1, 21))
    by_time = sorted(every, key=lambda o: (o["recorded_at"], o["revision"]))
    assert [o["revision"] for o in by_time] == list(range(1, 21))
    latest = client.get(
        "/api/v1/observations", params={"region": "500115-ED", "period": "2023-M08"}
    ).json()["items"]
    assert [o["revision"] for o in latest] == [20]
    assert latest[0]["value"] == by_time[-1]["value"]


def test_if_match_race_gives_one_winner(live: tuple[TestClient, dict[str, str]]) -> None:
    client, keys = live
    admin = bearer(keys["admin"])
    created = client.post(
        "/api/v1/targets",
        json={
            "indicator": "gdp",
            "region": "500115-ED",
            "basis": "value",
            "comparator": ">=",
            "value": 1500,
            "unit": "亿元",
            "start_year": 2023,
            "end_year": 2027,
            "note": "live-test",
        },
        headers=admin,
    )
    target_id, tag = created.json()["id"], created.headers["ETag"]

    def patch(value: int) -> int:
        return client.patch(
            f"/api/v1/targets/{target_id}",
            json={"value": value},
            headers={**admin, "If-Match": tag},
        ).status_code

    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = sorted(pool.map(patch, [1600, 1700]))
    assert statuses == [200, 412]


def test_idempotent_retries_in_parallel_record_once(
    live: tuple[TestClient, dict[str, str]],
) -> None:
    client, keys = live
    headers = {**bearer(keys["analyst"]), "Idempotency-Key": "parallel-retry"}

    def post(_: int) -> tuple[int, str]:
        response = client.post("/api/v1/observations", json={**ROW, "value": 7}, headers=headers)
        return response.status_code, response.text

    with ThreadPoolExecutor(max_workers=5) as pool:
        answers = list(pool.map(post, range(5)))
    assert {status for status, _ in answers} == {201}
    assert len({body for _, body in answers}) == 1
    every = client.get(
        "/api/v1/observations",
        params={"region": "500115-ED", "period": "2023-M08", "include_revisions": "true"},
    ).json()
    assert every["total"] == 1


def test_concurrent_posts_to_one_series_leave_its_stored_progress_fresh(
    live: tuple[TestClient, dict[str, str]],
) -> None:
    # each post recomputes the series' goals; a writer that computed from a snapshot
    # without another's figure must not store its read last (one lock per series)
    client, keys = live
    indicator, region = PLAN_SERIES

    def post(month: int) -> int:
        row = {
            "indicator": indicator,
            "region": region,
            "period": f"2023-M{month:02d}",
            "value": 300 * month,
            "unit": "亿元",
        }
        return client.post(
            "/api/v1/observations", json=row, headers=bearer(keys["analyst"])
        ).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(post, range(1, 12))) == [201] * 11
    params = {"indicator": indicator, "region": region, "limit": "1000"}
    stored = client.get("/api/v1/plans", params=params)
    computed = client.get("/api/v1/plans", params=params | {"as_of": "2100-01-01T00:00Z"})
    assert stored.content == computed.content
    plan_2023 = next(p for p in stored.json()["items"] if p["year"] == 2023)
    # November's 3,300 亿元 is the latest figure of 2023 (M11 ends after the H1 report)
    assert plan_2023["progress"]["actual_period"] == "2023-M11"
    assert plan_2023["progress"]["actual"] == 3300


def test_a_post_waits_for_the_lock_of_its_series(
    live: tuple[TestClient, dict[str, str]], engine: Engine, backend: str
) -> None:
    # whatever its period: the lock is the series', so a post cannot compute the series'
    # progress while another writer of the series is still open
    if backend != "postgresql":
        pytest.skip("SQLite serialises every writer with BEGIN IMMEDIATE")
    client, keys = live
    indicator, region = PLAN_SERIES
    row = {"indicator": indicator, "region": region, "period": "2023-M10", "value": 3000}
    holder = engine.connect()
    transaction = holder.begin()
    holder.execute(
        text("SELECT pg_advisory_xact_lock(:ns, :slot)"),
        {"ns": locks.LOCK_NAMESPACE, "slot": locks.series_slot(indicator, region)},
    )
    with ThreadPoolExecutor(max_workers=1) as pool:
        posting = pool.submit(
            client.post, "/api/v1/observations", json=row, headers=bearer(keys["analyst"])
        )
        time.sleep(1.0)
        assert not posting.done()  # waiting for the series lock
        transaction.rollback()
        holder.close()
        assert posting.result(timeout=30).status_code == 201
