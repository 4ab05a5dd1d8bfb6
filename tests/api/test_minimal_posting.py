"""Posting with ``Prefer: return=minimal``: a short answer, and the goals' new progress shown
by every read at once, although on Postgres it is only stored later (the backlog)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from app.api.routes.posting import _prefers_minimal
from app.db import UnitOfWork
from app.models import Plan, StaleSeries
from app.services import posting
from app.services.backlog_refresher import BacklogRefresher, WriteActivity, refresh_round
from tests.conftest import KEY_PROJECTS_NOVEMBER_2023, bearer

MINIMAL = {"Prefer": "return=minimal"}
SERIES = ("key_project_investment", "500000")


def _plan_2023(client: TestClient) -> dict[str, Any]:
    plans = client.get("/api/v1/plans", params={"indicator": SERIES[0], "region": SERIES[1]})
    return next(p for p in plans.json()["items"] if p["year"] == 2023)


def _stored_status(session: Session, plan_id: int) -> str | None:
    session.expire_all()
    return session.scalar(select(Plan.status).where(Plan.id == plan_id))


def _backlog(session: Session) -> dict[tuple[str, str], int]:
    session.expire_all()
    rows = session.execute(
        select(StaleSeries.indicator_code, StaleSeries.region_code, StaleSeries.from_year)
    )
    return {(i, r): y for i, r, y in rows}


def _post(client: TestClient, key: str, body: object, **headers: str) -> Any:
    return client.post("/api/v1/observations", json=body, headers={**bearer(key), **headers})


@pytest.mark.parametrize(
    ("header", "minimal"),
    [
        ("return=minimal", True),
        ("Return = Minimal", True),
        ('respond-async, return="minimal"; x=1', True),
        ("return=representation", False),
        ("handling=lenient", False),
        ("", False),
    ],
)
def test_the_prefer_header_is_read_as_rfc_7240_says(header: str, minimal: bool) -> None:
    assert _prefers_minimal(header) is minimal


def test_the_minimal_answer_has_the_count_ids_and_warnings(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    rows = [KEY_PROJECTS_NOVEMBER_2023, {**KEY_PROJECTS_NOVEMBER_2023, "period": "2023-M10"}]
    response = _post(client, api_keys["analyst"], rows, **MINIMAL)
    assert response.status_code == 201
    assert response.headers["preference-applied"] == "return=minimal"
    body = response.json()
    assert set(body) == {"stored", "ids", "warnings"}
    assert body["stored"] == 2 and len(body["ids"]) == 2 and body["ids"] == sorted(body["ids"])
    stored = client.get(
        "/api/v1/observations", params={"indicator": SERIES[0], "period": "2023-M11"}
    ).json()["items"]
    assert [o["id"] for o in stored] == body["ids"][:1]
    assert stored[0]["value"] == 4512


def test_every_read_shows_the_new_progress_at_once(
    client: TestClient, session: Session, api_keys: dict[str, str], backend: str
) -> None:
    plan = _plan_2023(client)
    assert plan["progress"]["status"] == "on_schedule"
    before = client.get("/api/v1/summary", params={"region": "500000"}).json()["plans"]
    response = _post(client, api_keys["analyst"], KEY_PROJECTS_NOVEMBER_2023, **MINIMAL)
    assert response.status_code == 201
    if backend == "postgresql":
        # stored later: the series waits in the backlog from the figure's year on
        assert _backlog(session) == {SERIES: 2023}
        assert _stored_status(session, plan["id"]) == "on_schedule"
    else:  # SQLite has no backlog: the goals were recomputed in the post
        assert _backlog(session) == {}
        assert _stored_status(session, plan["id"]) == "achieved"
    # 4,512 亿元 against the 4,300 亿元 floor: achieved, in the list and in the detail
    listed = _plan_2023(client)
    assert listed["progress"]["status"] == "achieved"
    assert listed["progress"]["actual"] == 4512
    detail = client.get(f"/api/v1/plans/{plan['id']}").json()
    assert detail["progress"] == listed["progress"]
    achieved = client.get(
        "/api/v1/plans", params={"status": "achieved", "region": "500000", "limit": 1000}
    ).json()["items"]
    assert plan["id"] in {p["id"] for p in achieved}
    after = client.get("/api/v1/summary", params={"region": "500000"}).json()["plans"]
    assert after["by_status"]["achieved"] == before["by_status"]["achieved"] + 1
    assert after["by_status"]["on_schedule"] == before["by_status"]["on_schedule"] - 1
    # the status filter and the summary recomputed the series: stored, and out of the backlog
    assert _backlog(session) == {}
    assert _stored_status(session, plan["id"]) == "achieved"


def test_the_refresher_stores_the_progress_and_empties_the_backlog(
    client: TestClient, session: Session, api_keys: dict[str, str], backend: str
) -> None:
    if backend != "postgresql":
        pytest.skip("the backlog and its refresher are Postgres-only")
    plan = _plan_2023(client)
    _post(client, api_keys["analyst"], KEY_PROJECTS_NOVEMBER_2023, **MINIMAL)
    computed = _plan_2023(client)["progress"]  # computed from the figures, not stored
    assert _stored_status(session, plan["id"]) == "on_schedule"
    assert refresh_round(UnitOfWork(session)) == 1  # one series recomputed
    assert refresh_round(UnitOfWork(session)) == 0  # nothing left
    assert _backlog(session) == {}
    assert _stored_status(session, plan["id"]) == "achieved"
    assert _plan_2023(client)["progress"] == computed


def test_a_full_post_recomputes_a_waiting_series_from_its_earlier_year(
    client: TestClient, session: Session, api_keys: dict[str, str]
) -> None:
    """A 2024 figure alone cannot change a 2023 plan; with the November 2023 figure still
    waiting in the backlog, the full answer must show the plan recomputed all the same."""
    plan = _plan_2023(client)
    _post(client, api_keys["analyst"], KEY_PROJECTS_NOVEMBER_2023, **MINIMAL)
    later = {**KEY_PROJECTS_NOVEMBER_2023, "period": "2024-Q1", "value": 1200}
    answer = _post(client, api_keys["analyst"], later).json()
    in_answer = next(p for p in answer["plans"] if p["id"] == plan["id"])
    assert in_answer["progress"]["status"] == "achieved"
    assert _backlog(session) == {}
    assert _stored_status(session, plan["id"]) == "achieved"


def test_a_minimal_retry_replays_the_minimal_answer(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    headers = {**MINIMAL, "Idempotency-Key": "minimal-1"}
    first = _post(client, api_keys["analyst"], KEY_PROJECTS_NOVEMBER_2023, **headers)
    again = _post(client, api_keys["analyst"], KEY_PROJECTS_NOVEMBER_2023, **headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again.headers["preference-applied"] == "return=minimal"
    # the same key without the preference is another request
    full = _post(
        client, api_keys["analyst"], KEY_PROJECTS_NOVEMBER_2023, **{"Idempotency-Key": "minimal-1"}
    )
    assert full.status_code == 409


@pytest.mark.parametrize("part_rows", [posting.PART_ROWS, 1])
def test_a_bad_row_leaves_nothing_behind(
    client: TestClient,
    session: Session,
    api_keys: dict[str, str],
    part_rows: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Also when the good row's part was stored (on Postgres) before the bad one was checked."""
    monkeypatch.setattr(posting, "PART_ROWS", part_rows)
    rows = [KEY_PROJECTS_NOVEMBER_2023, {**KEY_PROJECTS_NOVEMBER_2023, "region": "999999"}]
    response = _post(client, api_keys["analyst"], rows, **MINIMAL)
    assert response.status_code == 422
    assert response.json()["errors"][0] == {
        "field": "region",
        "message": "unknown region '999999'",
        "row": 2,
    }
    assert _backlog(session) == {}
    stored = client.get("/api/v1/observations", params={"period": "2023-M11"}).json()
    assert stored["total"] == 0


def test_write_activity_is_quiet_only_after_the_last_post_ends() -> None:
    activity = WriteActivity()
    assert activity.quiet_for(0)
    with activity.writing():
        assert not activity.quiet_for(0)
        with activity.writing():
            pass
        assert not activity.quiet_for(0)  # one post still in flight
    assert activity.quiet_for(0)
    assert not activity.quiet_for(60)  # a post ended a moment ago


def test_the_refresher_thread_waits_for_quiet_then_empties_the_backlog(
    client: TestClient,
    session: Session,
    connection: Connection,
    api_keys: dict[str, str],
    backend: str,
) -> None:
    if backend != "postgresql":
        pytest.skip("the backlog and its refresher are Postgres-only")
    plan = _plan_2023(client)
    _post(client, api_keys["analyst"], KEY_PROJECTS_NOVEMBER_2023, **MINIMAL)
    activity = WriteActivity()
    refresher = BacklogRefresher(
        lambda: Session(bind=connection, join_transaction_mode="create_savepoint"),
        activity=activity,
        quiet_seconds=0.2,
        poll_seconds=0.05,
    )
    with activity.writing():  # a post in flight in this worker: the refresher keeps off
        refresher.start()
        time.sleep(0.5)
        assert _backlog(session) == {SERIES: 2023}
    time.sleep(1.5)  # quiet for 0.2 s, then one round
    refresher.stop()
    refresher.join(5)
    assert _backlog(session) == {}
    assert _stored_status(session, plan["id"]) == "achieved"


def test_the_backlog_keeps_each_series_earliest_year(
    client: TestClient, session: Session, api_keys: dict[str, str], backend: str
) -> None:
    """Marked in the statement that stores the figures: a series not yet waiting is added
    from its batch's earliest year; one already waiting keeps the earlier of the two."""
    if backend != "postgresql":
        pytest.skip("the backlog is Postgres-only")
    other = ("key_project_investment", "500115")
    later = {**KEY_PROJECTS_NOVEMBER_2023, "period": "2024-Q1", "value": 1200}
    batch = [
        later,
        {**later, "region": other[1], "period": "2025-Q1"},
        {**later, "region": other[1], "period": "2024-Q2"},
    ]
    response = _post(client, api_keys["analyst"], batch, **MINIMAL)
    assert response.status_code == 201, response.text
    assert _backlog(session) == {SERIES: 2024, other: 2024}
    assert (
        _post(client, api_keys["analyst"], KEY_PROJECTS_NOVEMBER_2023, **MINIMAL).status_code == 201
    )
    newer = {**later, "region": other[1], "period": "2025-Q2"}
    assert _post(client, api_keys["analyst"], newer, **MINIMAL).status_code == 201
    assert _backlog(session) == {SERIES: 2023, other: 2024}
