"""Analysts post figures: auth, validation, all-or-nothing batches, CSV, revisions."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import bearer

KEY_PROJECTS_Q3 = {
    "indicator": "key_project_investment",
    "region": "500000",
    "period": "2023-Q3",
    "value": 3480,
    "unit": "亿元",
    "yoy_growth": 12.1,
    "reported_completion_rate": 79.1,
    "note": "季度通报",
}


def _plan(client: TestClient) -> dict:
    body = client.get(
        "/api/v1/plans", params={"indicator": "key_project_investment", "region": "500000"}
    ).json()
    (plan,) = [p for p in body["items"] if p["year"] == 2023]
    return plan


def test_posting_needs_a_key_with_a_role(client: TestClient, api_keys: dict[str, str]) -> None:
    no_key = client.post("/api/v1/observations", json=KEY_PROJECTS_Q3)
    assert no_key.status_code == 401
    assert no_key.headers["WWW-Authenticate"] == "Bearer"
    for bad in ("nonsense", api_keys["revoked"]):
        assert (
            client.post(
                "/api/v1/observations", json=KEY_PROJECTS_Q3, headers=bearer(bad)
            ).status_code
            == 401
        )
    malformed = client.post(
        "/api/v1/observations", json=KEY_PROJECTS_Q3, headers={"Authorization": "Basic abc"}
    )
    assert malformed.status_code == 401
    assert client.get("/api/v1/observations", params={"period": "2023-Q3"}).json()["total"] == 0


def test_a_post_shows_the_new_progress_at_once(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    before = _plan(client)
    assert before["progress"]["actual_period"] == "2023-H1"
    response = client.post(
        "/api/v1/observations", json=KEY_PROJECTS_Q3, headers=bearer(api_keys["analyst"])
    )
    assert response.status_code == 201, response.text
    body = response.json()
    (item,) = body["items"]
    assert item["value"] == 3480 and item["unit"] == "亿元" and item["revision"] == 1
    assert item["recorded_by"] == "test-analyst"
    in_response = next(p for p in body["plans"] if p["id"] == before["id"])
    after = _plan(client)
    for plan in (in_response, after):
        progress = plan["progress"]
        # 3480 / 4300 = 80.9302 %; Q3 is 9 of 12 months = 75 % → ahead by 5.9302 pp
        assert progress["actual_period"] == "2023-Q3"
        assert abs(progress["completion_rate"] - 80.9302) < 1e-4
        assert progress["elapsed"] == 75
        assert abs(progress["schedule_variance_pp"] - 5.9302) < 1e-4
        assert progress["status"] == "on_schedule"
        assert progress["reported_completion_rate"] == 79.1


def test_values_in_another_magnitude_are_converted(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    row = {**KEY_PROJECTS_Q3, "value": "0.348", "unit": "万亿元"}
    response = client.post("/api/v1/observations", json=row, headers=bearer(api_keys["analyst"]))
    assert response.status_code == 201, response.text
    item = response.json()["items"][0]
    assert (item["value"], item["unit"]) == (3480, "亿元")
    assert (item["stated_value"], item["stated_unit"]) == (0.348, "万亿元")


def test_a_batch_with_one_bad_row_stores_nothing(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    rows = [
        KEY_PROJECTS_Q3,
        {**KEY_PROJECTS_Q3, "indicator": "retail_sales", "value": 8000},
        {**KEY_PROJECTS_Q3, "indicator": "gdp", "unit": "家"},
    ]
    response = client.post("/api/v1/observations", json=rows, headers=bearer(api_keys["analyst"]))
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors == [
        {"row": 3, "field": "unit", "message": errors[0]["message"]},
    ]
    assert "亿元" in errors[0]["message"] and "家" in errors[0]["message"]
    assert client.get("/api/v1/observations", params={"period": "2023-Q3"}).json()["total"] == 0


def test_every_bad_row_is_listed(client: TestClient, api_keys: dict[str, str]) -> None:
    rows = [
        {**KEY_PROJECTS_Q3, "region": "999999"},
        {**KEY_PROJECTS_Q3, "period": "2023-Q5"},
        {**KEY_PROJECTS_Q3, "value": -5},
        {**KEY_PROJECTS_Q3, "yoy_growth": 5000},
        {**KEY_PROJECTS_Q3, "value": "lots"},
        {**KEY_PROJECTS_Q3, "period": "2099-Q1"},
        {**KEY_PROJECTS_Q3, "indicator": "no_such_thing"},
        {**KEY_PROJECTS_Q3, "colour": "red"},
    ]
    response = client.post("/api/v1/observations", json=rows, headers=bearer(api_keys["analyst"]))
    assert response.status_code == 422
    found = {(e["row"], e["field"]) for e in response.json()["errors"]}
    assert {
        (1, "region"),
        (2, "period"),
        (3, "value"),
        (4, "yoy_growth"),
        (5, "value"),
        (6, "period"),
        (7, "indicator"),
        (8, "colour"),
    } <= found


def test_a_batch_may_not_repeat_a_natural_key(client: TestClient, api_keys: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/observations",
        json=[KEY_PROJECTS_Q3, KEY_PROJECTS_Q3],
        headers=bearer(api_keys["analyst"]),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["row"] == 2


def test_posting_again_records_a_revision(client: TestClient, api_keys: dict[str, str]) -> None:
    headers = bearer(api_keys["analyst"])
    first = client.post("/api/v1/observations", json=KEY_PROJECTS_Q3, headers=headers).json()
    second = client.post(
        "/api/v1/observations", json={**KEY_PROJECTS_Q3, "value": 3500}, headers=headers
    ).json()
    assert (first["items"][0]["revision"], second["items"][0]["revision"]) == (1, 2)
    latest = client.get("/api/v1/observations", params={"period": "2023-Q3"}).json()
    assert [o["value"] for o in latest["items"]] == [3500]
    every = client.get(
        "/api/v1/observations", params={"period": "2023-Q3", "include_revisions": "true"}
    ).json()
    assert [o["value"] for o in every["items"]] == [3480, 3500]
    as_of_first = client.get(
        "/api/v1/observations",
        params={"period": "2023-Q3", "as_of": first["items"][0]["recorded_at"]},
    ).json()
    assert [o["value"] for o in as_of_first["items"]] == [3480]


def test_csv_with_bom_and_units(client: TestClient, api_keys: dict[str, str]) -> None:
    csv_text = (
        "indicator,region,period,value,unit,yoy_growth,reported_completion_rate,source_document,source_quote,note\r\n"
        "key_project_investment,500000,2023-Q3,3480,亿元,12.1,79.1,,,\r\n"
        "retail_sales,500000,2023-Q3,1.1,万亿元,6.5,,,,from Excel\r\n"
    )
    response = client.post(
        "/api/v1/observations/import",
        content="\ufeff".encode() + csv_text.encode("utf-8"),
        headers={**bearer(api_keys["analyst"]), "Content-Type": "text/csv"},
    )
    assert response.status_code == 201, response.text
    values = {(i["indicator"]["code"], i["value"]) for i in response.json()["items"]}
    assert values == {("key_project_investment", 3480), ("retail_sales", 11000)}


def test_implausible_values_are_stored_with_a_warning(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    # the seeded 2023-H1 key-project figure is 2,411 亿元; H1 2024 at 9,000 亿元 is 3.7×
    row = {**KEY_PROJECTS_Q3, "period": "2024-H1", "value": 9000, "reported_completion_rate": None}
    response = client.post("/api/v1/observations", json=row, headers=bearer(api_keys["analyst"]))
    assert response.status_code == 201
    (warning,) = response.json()["warnings"]
    assert warning["row"] == 1 and warning["field"] == "value"
    assert "2023-H1" in warning["message"]


def test_idempotent_retry_records_once(client: TestClient, api_keys: dict[str, str]) -> None:
    headers = {**bearer(api_keys["analyst"]), "Idempotency-Key": "retry-1"}
    first = client.post("/api/v1/observations", json=KEY_PROJECTS_Q3, headers=headers)
    again = client.post("/api/v1/observations", json=KEY_PROJECTS_Q3, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    every = client.get(
        "/api/v1/observations", params={"period": "2023-Q3", "include_revisions": "true"}
    ).json()
    assert every["total"] == 1
    other = client.post(
        "/api/v1/observations", json={**KEY_PROJECTS_Q3, "value": 1}, headers=headers
    )
    assert other.status_code == 409


def test_oversized_and_malformed_bodies(client: TestClient, api_keys: dict[str, str]) -> None:
    headers = {**bearer(api_keys["analyst"]), "Content-Type": "application/json"}
    too_many = client.post("/api/v1/observations", json=[KEY_PROJECTS_Q3] * 10_001, headers=headers)
    assert too_many.status_code == 413 and "10000" in too_many.json()["message"]
    huge = client.post(
        "/api/v1/observations", content=b" " * (5 * 1024 * 1024 + 1), headers=headers
    )
    assert huge.status_code == 413
    for body in (b"{", b"[1, 2]", b'{"value": NaN}', b"[" * 5000 + b"]" * 5000, b'"text"'):
        assert client.post("/api/v1/observations", content=body, headers=headers).status_code == 422
