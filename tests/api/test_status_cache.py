"""The stored status of each goal always equals the one computed from the figures."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.models import Plan, Target
from tests.conftest import bearer


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
    row = {
        "indicator": "key_project_investment",
        "region": "500000",
        "period": "2023-M11",
        "value": 4512,
        "unit": "亿元",
    }
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
