"""Admins edit targets and plans: roles, ETag/If-Match, retiring, audit."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import bearer

NEW_TARGET = {
    "indicator": "hi_tech_enterprises",
    "region": "500115",
    "basis": "value",
    "comparator": ">=",
    "value": 300,
    "unit": "家",
    "start_year": 2023,
    "end_year": 2027,
    "note": "district goal set by the admin",
}


def _create(client: TestClient, key: str) -> tuple[int, str]:
    response = client.post("/api/v1/targets", json=NEW_TARGET, headers=bearer(key))
    assert response.status_code == 201, response.text
    return response.json()["id"], response.headers["ETag"]


def test_only_admins_create_targets(client: TestClient, api_keys: dict[str, str]) -> None:
    assert client.post("/api/v1/targets", json=NEW_TARGET).status_code == 401
    forbidden = client.post("/api/v1/targets", json=NEW_TARGET, headers=bearer(api_keys["analyst"]))
    assert forbidden.status_code == 403
    assert "admin" in forbidden.json()["message"]
    target_id, _ = _create(client, api_keys["admin"])
    read = client.get(f"/api/v1/targets/{target_id}").json()
    assert (read["value"], read["unit"], read["end_year"]) == (300, "家", 2027)


def test_a_target_in_the_wrong_unit_is_refused(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    bad = {**NEW_TARGET, "unit": "亿元"}
    response = client.post("/api/v1/targets", json=bad, headers=bearer(api_keys["admin"]))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "unit"


def test_patch_needs_the_current_etag(client: TestClient, api_keys: dict[str, str]) -> None:
    admin = bearer(api_keys["admin"])
    target_id, tag = _create(client, api_keys["admin"])
    missing = client.patch(f"/api/v1/targets/{target_id}", json={"value": 320}, headers=admin)
    assert missing.status_code == 428
    first = client.patch(
        f"/api/v1/targets/{target_id}", json={"value": 320}, headers={**admin, "If-Match": tag}
    )
    assert first.status_code == 200, first.text
    assert first.json()["value"] == 320
    assert first.headers["ETag"] != tag
    # a second editor who read the same version loses the race
    stale = client.patch(
        f"/api/v1/targets/{target_id}", json={"value": 999}, headers={**admin, "If-Match": tag}
    )
    assert stale.status_code == 412
    assert client.get(f"/api/v1/targets/{target_id}").json()["value"] == 320


def test_retiring_needs_a_reason_and_hides_the_row(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    admin = bearer(api_keys["admin"])
    target_id, tag = _create(client, api_keys["admin"])
    no_reason = client.patch(
        f"/api/v1/targets/{target_id}", json={"retired": True}, headers={**admin, "If-Match": tag}
    )
    assert no_reason.status_code == 422
    retired = client.patch(
        f"/api/v1/targets/{target_id}",
        json={"retired": True, "retired_reason": "superseded by the 2024 plan"},
        headers={**admin, "If-Match": tag},
    )
    assert retired.status_code == 200
    listed = client.get("/api/v1/targets", params={"region": "500115", "limit": 1000}).json()
    assert target_id not in {t["id"] for t in listed["items"]}
    with_retired = client.get(
        "/api/v1/targets", params={"region": "500115", "include_retired": "true", "limit": 1000}
    ).json()
    assert target_id in {t["id"] for t in with_retired["items"]}
    assert client.get(f"/api/v1/targets/{target_id}").json()["retired_at"] is not None


def test_plans_are_edited_the_same_way(client: TestClient, api_keys: dict[str, str]) -> None:
    admin = bearer(api_keys["admin"])
    plan = client.get(
        "/api/v1/plans", params={"indicator": "key_project_investment", "region": "500000"}
    ).json()["items"][0]
    tag = client.get(f"/api/v1/plans/{plan['id']}").headers["ETag"]
    response = client.patch(
        f"/api/v1/plans/{plan['id']}", json={"value": 4822}, headers={**admin, "If-Match": tag}
    )
    assert response.status_code == 200
    # 2411 / 4822 = 50 % at 50 % elapsed: exactly on schedule
    progress = response.json()["progress"]
    assert progress["completion_rate"] == 50
    assert progress["schedule_variance_pp"] == 0
    assert progress["status"] == "on_schedule"


def test_audit_lists_every_write_for_admins(client: TestClient, api_keys: dict[str, str]) -> None:
    admin = bearer(api_keys["admin"])
    target_id, tag = _create(client, api_keys["admin"])
    client.patch(
        f"/api/v1/targets/{target_id}", json={"value": 320}, headers={**admin, "If-Match": tag}
    )
    client.post(
        "/api/v1/observations",
        json={
            "indicator": "gdp",
            "region": "500000",
            "period": "2023-Q3",
            "value": 22000,
            "unit": "亿元",
        },
        headers=bearer(api_keys["analyst"]),
    )
    assert client.get("/api/v1/audit", headers=bearer(api_keys["analyst"])).status_code == 403
    entries = client.get("/api/v1/audit", headers=admin).json()["items"]
    actions = [(e["actor"], e["action"], e["entity"]) for e in entries[:3]]
    assert actions == [
        ("test-analyst", "create", "observation"),
        ("test-admin", "update", "target"),
        ("test-admin", "create", "target"),
    ]
    update = entries[1]
    assert update["before"]["value"] == "300" and update["after"]["value"] == "320"
