"""A reader who saw a post's 201 never sees older progress after it, while the backlog's
refresher stores the new progress concurrently (#14: reads that showed the past)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.db import UnitOfWork, make_sessionmaker
from app.main import create_app
from app.models import ApiKey, AuditEntry, IdempotencyRecord, Observation, Plan, StaleSeries
from app.services import api_keys, goal_reads, stored_reads
from app.services.backlog_refresher import BacklogRefresher, WriteActivity, refresh_round
from app.settings import Settings
from tests.conftest import KEY_PROJECTS_NOVEMBER_2023, bearer

MINIMAL = {"Prefer": "return=minimal"}


def _postgres_only(backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("the backlog and its refresher are Postgres-only")


def test_a_refresh_committed_between_reading_a_goal_and_its_figures_is_not_missed(
    client: TestClient,
    connection: Connection,
    api_keys: dict[str, str],
    backend: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The stored read and whether it is stale come from one statement. When they came from
    two, a refresher committing in between made the read look fresh while the stored block
    was the old one: 2,411 亿元 shown after 4,512 had been answered 201 (after a kill -9,
    the restarted refresher drains the backlog at once, which is when it was seen)."""
    _postgres_only(backend)
    plans = client.get(
        "/api/v1/plans", params={"indicator": "key_project_investment", "region": "500000"}
    ).json()["items"]
    plan = next(p for p in plans if p["year"] == 2023)
    assert plan["progress"]["actual"] == 2411
    posted = client.post(
        "/api/v1/observations",
        json=KEY_PROJECTS_NOVEMBER_2023,
        headers={**bearer(api_keys["analyst"]), **MINIMAL},
    )
    assert posted.status_code == 201
    real = goal_reads.series_history

    def refresher_commits_now(*args: Any) -> Any:
        with Session(bind=connection, join_transaction_mode="create_savepoint") as other:
            assert refresh_round(UnitOfWork(other)) == 1
        return real(*args)

    monkeypatch.setattr(goal_reads, "series_history", refresher_commits_now)
    progress = client.get(f"/api/v1/plans/{plan['id']}").json()["progress"]
    assert (progress["actual"], progress["status"]) == (4512, "achieved")


LIVE_REGION = "500000-SC"
LIVE_NAMES = ("ryw-analyst", "ryw-admin")


@pytest.fixture
def live(engine: Engine, database_url: str, backend: str) -> Iterator[tuple[TestClient, int, str]]:
    """A client on the real engine with a plan of its own; everything committed is removed."""
    _postgres_only(backend)
    app = create_app(Settings(database_url=database_url, backlog_refresher=False))
    app.state.sessionmaker = make_sessionmaker(engine)
    app.state.response_cache.open()
    with Session(engine) as s, s.begin():
        analyst = api_keys.create_key(s, LIVE_NAMES[0], "analyst")
        admin = api_keys.create_key(s, LIVE_NAMES[1], "admin")
    with TestClient(app) as client:
        created = client.post(
            "/api/v1/plans",
            json={
                "indicator": "key_project_investment",
                "region": LIVE_REGION,
                "year": 2023,
                "basis": "value",
                "comparator": ">=",
                "value": 1000,
                "unit": "亿元",
                "note": "read-your-writes test",
            },
            headers=bearer(admin),
        )
        assert created.status_code == 201, created.text
        plan_id = created.json()["id"]
        try:
            yield client, plan_id, analyst
        finally:
            with Session(engine) as s, s.begin():
                ids = select(ApiKey.id).where(ApiKey.name.in_(LIVE_NAMES))
                s.execute(delete(IdempotencyRecord).where(IdempotencyRecord.api_key_id.in_(ids)))
                s.execute(delete(AuditEntry).where(AuditEntry.actor.in_(LIVE_NAMES)))
                s.execute(delete(Observation).where(Observation.recorded_by == LIVE_NAMES[0]))
                s.execute(delete(Plan).where(Plan.id == plan_id))
                s.execute(delete(StaleSeries).where(StaleSeries.region_code == LIVE_REGION))
                stored_reads.refresh_pairs(s, {("key_project_investment", LIVE_REGION)})
                s.execute(delete(ApiKey).where(ApiKey.name.in_(LIVE_NAMES)))


def test_reads_after_minimal_posts_never_show_older_progress_while_the_refresher_runs(
    live: tuple[TestClient, int, str], engine: Engine
) -> None:
    client, plan_id, analyst = live
    refresher = BacklogRefresher(
        make_sessionmaker(engine), activity=WriteActivity(), quiet_seconds=0, poll_seconds=0.001
    )
    refresher.start()
    stale_reads = reads = 0
    try:
        for month in range(1, 12):
            value = 100 * month
            row = {
                "indicator": "key_project_investment",
                "region": LIVE_REGION,
                "period": f"2023-M{month:02d}",
                "value": value,
                "unit": "亿元",
            }
            answer = client.post(
                "/api/v1/observations", json=row, headers={**bearer(analyst), **MINIMAL}
            )
            assert answer.status_code == 201, answer.text
            deadline = time.monotonic() + 0.4  # the refresher commits within this window
            while time.monotonic() < deadline:
                shown = client.get(f"/api/v1/plans/{plan_id}").json()["progress"]["actual"]
                listed = client.get(
                    "/api/v1/plans", params={"region": LIVE_REGION, "year": 2023}
                ).json()["items"][0]["progress"]["actual"]
                reads += 2
                stale_reads += (shown != value) + (listed != value)
    finally:
        refresher.stop()
        refresher.join(5)
    assert reads > 100
    assert stale_reads == 0
