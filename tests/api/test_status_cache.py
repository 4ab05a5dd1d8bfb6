"""The stored status of each goal always equals the one computed from the figures."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.models import Plan, Target
from app.schemas.goal import PlanRead
from tests.conftest import KEY_PROJECTS_NOVEMBER_2023, bearer


def _stored(session: Session, model: type[Target] | type[Plan]) -> dict[int, str | None]:
    session.expire_all()
    return dict(session.execute(select(model.id, model.status)).all())


def _computed(client: TestClient, kind: str) -> dict[int, str]:
    items = client.get(f"/api/v1/{kind}", params={"limit": 1000, "as_of": "2100-01-01T00:00:00Z"})
    return {i["id"]: i["progress"]["status"] for i in items.json()["items"]}


def test_seeded_statuses_match_the_computed_ones(client: TestClient, session: Session) -> None:
    assert _stored(session, Target) == _computed(client, "targets")
    assert _stored(session, Plan) == _computed(client, "plans")


def test_a_post_updates_the_stored_status_and_the_summary(
    client: TestClient, session: Session, api_keys: dict[str, str]
) -> None:
    before = client.get("/api/v1/summary", params={"region": "500000"}).json()["plans"]
    plan_id = next(
        p["id"]
        for p in client.get("/api/v1/plans", params={"indicator": "key_project_investment"}).json()[
            "items"
        ]
        if p["year"] == 2023
    )
    assert _stored(session, Plan)[plan_id] == "on_schedule"
    # 4,512 亿元 by November: the 4,300 floor is already passed, so the plan is achieved
    row = KEY_PROJECTS_NOVEMBER_2023
    response = client.post("/api/v1/observations", json=row, headers=bearer(api_keys["analyst"]))
    assert response.status_code == 201
    assert _stored(session, Plan)[plan_id] == "achieved"
    after = client.get("/api/v1/summary", params={"region": "500000"}).json()["plans"]
    assert after["by_status"]["achieved"] == before["by_status"]["achieved"] + 1
    assert after["by_status"]["on_schedule"] == before["by_status"]["on_schedule"] - 1
    achieved = client.get(
        "/api/v1/plans", params={"status": "achieved", "region": "500000", "limit": 1000}
    ).json()
    assert plan_id in {p["id"] for p in achieved["items"]}
    assert {p["progress"]["status"] for p in achieved["items"]} == {"achieved"}


def test_goals_without_a_stored_status_are_computed_on_first_use(
    client: TestClient, session: Session
) -> None:
    expected = client.get("/api/v1/summary").json()
    session.execute(update(Target).values(status=None))
    session.execute(update(Plan).values(status=None))
    session.commit()
    assert client.get("/api/v1/summary").json()["targets"] == expected["targets"]
    assert client.get("/api/v1/summary").json()["plans"] == expected["plans"]
    assert None not in _stored(session, Target).values()


def test_summary_as_of_the_past_is_computed_from_the_figures_then(client: TestClient) -> None:
    # before the H1 report (published 2023-07-25) the key-projects plan had no figure
    early = client.get(
        "/api/v1/summary", params={"region": "500000", "as_of": "2023-07-01T00:00:00Z"}
    ).json()["plans"]
    now = client.get("/api/v1/summary", params={"region": "500000"}).json()["plans"]
    assert early["by_status"]["on_schedule"] < now["by_status"]["on_schedule"]


def _items(client: TestClient, kind: str, **params: str) -> list[dict[str, object]]:
    response = client.get(f"/api/v1/{kind}", params={"limit": 1000, **params})
    assert response.status_code == 200
    items: list[dict[str, object]] = response.json()["items"]
    return items


def test_stored_reads_answer_the_same_bytes_as_computed_ones(client: TestClient) -> None:
    # without as_of the page is put together from the stored reads; with a far-future as_of
    # every read is computed from the figures and serialised by its model: the two answers
    # must be the same, byte for byte
    for kind in ("targets", "plans"):
        params = {"limit": "1000", "include_retired": "true"}
        stored = client.get(f"/api/v1/{kind}", params=params)
        computed = client.get(f"/api/v1/{kind}", params=params | {"as_of": "2100-01-01T00:00Z"})
        assert stored.status_code == computed.status_code == 200
        assert stored.headers["content-type"] == computed.headers["content-type"]
        assert stored.content == computed.content
        items = stored.json()["items"]
        assert len(items) > 10
        assert any(i["progress"]["actual"] is not None for i in items)


def test_goals_without_stored_progress_are_computed_on_first_read(
    client: TestClient, session: Session
) -> None:
    expected = _items(client, "plans")
    session.execute(update(Plan).values(read_json=None))
    session.commit()
    assert _items(client, "plans") == expected
    session.expire_all()
    assert None not in session.scalars(select(Plan.read_json)).all()


def test_a_post_updates_the_stored_progress(
    client: TestClient, session: Session, api_keys: dict[str, str]
) -> None:
    (plan,) = [
        p
        for p in _items(client, "plans", indicator="key_project_investment", region="500000")
        if p["year"] == 2023
    ]
    assert plan["progress"]["actual"] == 2411  # type: ignore[index]
    row = {
        "indicator": "key_project_investment",
        "region": "500000",
        "period": "2023-Q3",
        "value": 0.348,
        "unit": "万亿元",
    }
    response = client.post("/api/v1/observations", json=row, headers=bearer(api_keys["analyst"]))
    assert response.status_code == 201
    (after,) = [
        p
        for p in _items(client, "plans", indicator="key_project_investment", region="500000")
        if p["year"] == 2023
    ]
    # 3,480 亿元 of 4,300 at the end of Q3: 80.93 % done at 75 % of the year
    progress = after["progress"]
    assert progress["actual"] == 3480  # type: ignore[index]
    assert progress["actual_period"] == "2023-Q3"  # type: ignore[index]
    assert progress["completion_rate"] == 80.9302  # type: ignore[index]
    assert progress["elapsed"] == 75  # type: ignore[index]


def test_the_back_fill_fills_every_missing_status_in_one_call(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # batches far smaller than the number of goals: each batch's updates take its rows out
    # of "status IS NULL", which an OFFSET-paged fill skipped over (half filled per call)
    from app.services import stored_reads

    expected = client.get("/api/v1/summary").json()
    monkeypatch.setattr(stored_reads, "BATCH", 7)
    session.execute(update(Target).values(status=None, read_json=None))
    session.execute(update(Plan).values(status=None, read_json=None))
    session.commit()
    first = client.get("/api/v1/summary").json()
    assert (first["targets"], first["plans"]) == (expected["targets"], expected["plans"])
    assert None not in _stored(session, Target).values()
    assert None not in _stored(session, Plan).values()


def test_a_post_recomputes_only_the_goals_its_figures_can_change(
    client: TestClient,
    session: Session,
    api_keys: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from app.services import stored_reads

    plans = _items(client, "plans", indicator="key_project_investment", region="500000")
    plan_2023 = next(p for p in plans if p["year"] == 2023)
    evaluated: list[int] = []
    real = stored_reads.evaluate

    def spy(session: Session, model: type, *args: object, **kwargs: object) -> list[PlanRead]:
        reads = real(session, model, *args, **kwargs)  # type: ignore[arg-type]
        if model is Plan:
            evaluated.extend(r.id for r in reads)
        return reads  # type: ignore[return-value]

    monkeypatch.setattr(stored_reads, "evaluate", spy)
    row = {
        "indicator": "key_project_investment",
        "region": "500000",
        "period": "2024-Q1",
        "value": 1000,
        "unit": "亿元",
    }
    response = client.post("/api/v1/observations", json=row, headers=bearer(api_keys["analyst"]))
    assert response.status_code == 201
    answered = {p["id"]: p for p in response.json()["plans"]}
    # a 2024 figure cannot change the 2023 plan: not recomputed, still in the answer as it was
    assert plan_2023["id"] not in evaluated
    assert answered[plan_2023["id"]] == plan_2023
    assert {p["id"] for p in plans} == set(answered)
    assert all(answered[i]["year"] >= 2024 for i in evaluated)


def test_one_goal_answers_the_same_bytes_stored_or_computed(client: TestClient) -> None:
    for kind in ("targets", "plans"):
        for item in _items(client, kind)[:5]:
            path = f"/api/v1/{kind}/{item['id']}"
            stored = client.get(path)
            computed = client.get(path, params={"as_of": "2100-01-01T00:00Z"})
            assert stored.status_code == computed.status_code == 200
            assert stored.content == computed.content
            assert stored.headers["etag"] == computed.headers["etag"]
            assert stored.json()["progress"] == item["progress"]
            assert "history" in stored.json()


def test_a_page_past_the_end_still_counts_the_total(client: TestClient) -> None:
    everything = client.get("/api/v1/targets", params={"limit": 1000}).json()
    past = client.get("/api/v1/targets", params={"limit": 10, "offset": 100000}).json()
    last = client.get(
        "/api/v1/targets", params={"limit": 10, "offset": everything["total"] - 3}
    ).json()
    assert everything["total"] == len(everything["items"]) > 3
    assert past == {"items": [], "total": everything["total"], "limit": 10, "offset": 100000}
    assert last["total"] == everything["total"]
    assert [i["id"] for i in last["items"]] == [i["id"] for i in everything["items"][-3:]]
