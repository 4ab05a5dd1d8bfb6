"""Goals as admins write them: a baseline without a unit (#14.7), and the bounds of
DESIGN's spirit (#14.10)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import bearer

CHANGE_TARGET = {
    "indicator": "hi_tech_enterprises",
    "region": "500115",
    "basis": "change",
    "comparator": ">=",
    "value": 20,
    "unit": "%",
    "start_year": 2023,
    "end_year": 2027,
}


def _post(client: TestClient, key: str, path: str, body: dict) -> tuple[int, dict]:
    response = client.post(path, json=body, headers=bearer(key))
    return response.status_code, response.json()


def test_a_change_goal_baseline_without_unit_is_in_the_indicators_unit(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    body = {**CHANGE_TARGET, "baseline_year": 2022, "baseline_value": 250}
    status, target = _post(client, api_keys["admin"], "/api/v1/targets", body)
    assert status == 201, target
    assert target["baseline"] == {
        "year": 2022,
        "value": 250,
        "unit": "家",
        "period": None,
        "stated": True,
    }
    plan = {k: v for k, v in body.items() if k not in ("start_year", "end_year")} | {"year": 2024}
    plan["baseline_year"] = 2023
    status, created = _post(client, api_keys["admin"], "/api/v1/plans", plan)
    assert status == 201, created
    assert created["baseline"]["unit"] == "家"


def test_a_patch_adding_a_baseline_without_unit_is_not_a_500(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    status, target = _post(client, api_keys["admin"], "/api/v1/targets", CHANGE_TARGET)
    assert status == 201, target
    etag = client.get(f"/api/v1/targets/{target['id']}").headers["ETag"]
    patched = client.patch(
        f"/api/v1/targets/{target['id']}",
        json={"baseline_year": 2022, "baseline_value": 250},
        headers={**bearer(api_keys["admin"]), "If-Match": etag},
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["baseline"]["value"] == 250
    assert patched.json()["baseline"]["unit"] == "家"
