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


HI_TECH_TARGET = {
    "indicator": "hi_tech_enterprises",
    "region": "500115",
    "basis": "value",
    "comparator": ">=",
    "value": 300,
    "unit": "家",
    "start_year": 2023,
    "end_year": 2027,
}


def _refused(client: TestClient, key: str, path: str, body: dict, field: str) -> str:
    status, answer = _post(client, key, path, body)
    assert status == 422, answer
    fields = [e["field"] for e in answer["errors"]]
    assert field in fields, answer
    return answer["errors"][fields.index(field)]["message"]


def test_goals_refuse_what_no_figure_can_be(client: TestClient, api_keys: dict[str, str]) -> None:
    admin = api_keys["admin"]
    message = _refused(client, admin, "/api/v1/targets", {**HI_TECH_TARGET, "value": -5}, "value")
    assert "cannot be negative" in message
    _refused(client, admin, "/api/v1/targets", {**HI_TECH_TARGET, "value": 0.5}, "value")
    message = _refused(
        client,
        admin,
        "/api/v1/targets",
        {**HI_TECH_TARGET, "baseline_year": 2023, "baseline_value": 100},
        "baseline_year",
    )
    assert "2023" in message
    plan = {k: v for k, v in HI_TECH_TARGET.items() if k not in ("start_year", "end_year")}
    _refused(
        client,
        admin,
        "/api/v1/plans",
        {**plan, "year": 2024, "baseline_year": 2024, "baseline_value": 100},
        "baseline_year",
    )
    message = _refused(
        client, admin, "/api/v1/targets", {**HI_TECH_TARGET, "basis": "cumulative"}, "basis"
    )
    assert "level" in message
    share = {**HI_TECH_TARGET, "indicator": "urbanization_rate", "value": 150, "unit": "%"}
    _refused(client, admin, "/api/v1/targets", share, "value")
    # a baseline before the start, a whole count, a share up to 100: accepted
    good = {**HI_TECH_TARGET, "baseline_year": 2022, "baseline_value": 100}
    assert _post(client, admin, "/api/v1/targets", good)[0] == 201
    assert _post(client, admin, "/api/v1/targets", {**share, "value": 80})[0] == 201


OBSERVATION = {"indicator": "hi_tech_enterprises", "region": "500115", "period": "2023-Q3"}


def test_observation_numbers_are_plain_and_within_bounds(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    analyst = api_keys["analyst"]
    path = "/api/v1/observations"
    for text in ("１２３", "1_000", " 5 ", "1,000", "5 家"):
        message = _refused(client, analyst, path, {**OBSERVATION, "value": text}, "value")
        assert "plain digits" in message, (text, message)
    _refused(client, analyst, path, {**OBSERVATION, "value": 0.5}, "value")
    share = {**OBSERVATION, "indicator": "urbanization_rate", "region": "500000", "value": 150}
    _refused(client, analyst, path, share, "value")
    stored = client.get("/api/v1/observations", params={"period": "2023-Q3"}).json()
    assert stored["total"] == 0
    # a JSON number, or a string in plain digits, is a number
    assert _post(client, analyst, path, {**OBSERVATION, "value": "305"})[0] == 201
    assert _post(client, analyst, path, {**share, "value": 71.5})[0] == 201
