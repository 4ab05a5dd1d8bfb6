"""Who may publish what: keys scoped to regions, and review before publication.

长寿区 (500115) is a district of 重庆市 (500000); 长寿经开区 (500115-ED) is a zone inside
长寿区. A key scoped to 500115 writes for 500115 and 500115-ED, never for 500000.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import bearer

# 355 亿元 of fixed-asset investment in 2023: the 长寿区 plan "带动全年固定资产投资完成350亿元"
# (seeds/figures/004_…/plans.csv) is then 355 / 350 = 101.43 % achieved.
CHANGSHOU_FAI_2023 = {
    "indicator": "fixed_asset_investment",
    "region": "500115",
    "period": "2023",
    "value": 355,
    "unit": "亿元",
}
CITY_FAI_2023 = {**CHANGSHOU_FAI_2023, "region": "500000", "value": 29000}
ZONE_FAI_2023 = {**CHANGSHOU_FAI_2023, "region": "500115-ED", "value": 120}

OBSERVATIONS = "/api/v1/observations"


@pytest.fixture
def keys(session: Session) -> dict[str, str]:
    """Keys by role and scope, visible to the test client's requests."""
    from app.services import api_keys as k

    made = {
        "analyst": k.create_key(session, "analyst", "analyst"),
        "changshou": k.create_key(session, "changshou", "analyst", ["500115"]),
        "zone": k.create_key(session, "zone", "analyst", ["500115-ED"]),
        "reviewer": k.create_key(session, "reviewer", "reviewer"),
        "changshou-reviewer": k.create_key(session, "changshou-reviewer", "reviewer", ["500115"]),
        "zone-reviewer": k.create_key(session, "zone-reviewer", "reviewer", ["500115-ED"]),
        "admin": k.create_key(session, "admin", "admin"),
        "changshou-admin": k.create_key(session, "changshou-admin", "admin", ["500115"]),
    }
    session.commit()
    return made


def _post(client: TestClient, key: str, body: Any) -> Any:
    return client.post(OBSERVATIONS, json=body, headers=bearer(key))


def _figures(client: TestClient, region: str, **params: Any) -> list[dict[str, Any]]:
    found = client.get(
        OBSERVATIONS,
        params={"indicator": "fixed_asset_investment", "region": region, "period": "2023"} | params,
    )
    assert found.status_code == 200, found.text
    items: list[dict[str, Any]] = found.json()["items"]
    return items


# --- region scope --------------------------------------------------------------------


def test_a_scoped_key_posts_for_its_region_and_descendants_only(
    client: TestClient, keys: dict[str, str]
) -> None:
    own = _post(client, keys["changshou"], CHANGSHOU_FAI_2023)
    assert own.status_code == 201, own.text
    below = _post(client, keys["changshou"], ZONE_FAI_2023)
    assert below.status_code == 201, below.text
    above = _post(client, keys["changshou"], CITY_FAI_2023)
    assert above.status_code == 403
    body = above.json()
    assert body["error"] == "region_forbidden"
    assert "500000" in body["message"] and "500115" in body["message"]
    assert body["errors"] == [
        {"field": "region", "message": "'500000' is outside the key's scope (500115)", "row": 1}
    ]
    assert _figures(client, "500000") == []
    # The zone's key may not write for the district above it.
    up = _post(client, keys["zone"], {**CHANGSHOU_FAI_2023, "value": 356})
    assert up.status_code == 403 and up.json()["error"] == "region_forbidden"
    assert [f["value"] for f in _figures(client, "500115")] == [355]


def test_a_batch_with_one_row_out_of_scope_stores_nothing(
    client: TestClient, keys: dict[str, str]
) -> None:
    batch = [CHANGSHOU_FAI_2023, ZONE_FAI_2023, CITY_FAI_2023, {**CITY_FAI_2023, "period": "2022"}]
    refused = _post(client, keys["changshou"], batch)
    assert refused.status_code == 403
    assert refused.json()["errors"] == [
        {"field": "region", "message": "'500000' is outside the key's scope (500115)", "row": 3}
    ]
    assert _figures(client, "500115") == [] and _figures(client, "500115-ED") == []


def test_unscoped_keys_write_everywhere_and_unknown_regions_stay_validation_errors(
    client: TestClient, keys: dict[str, str]
) -> None:
    assert _post(client, keys["analyst"], CITY_FAI_2023).status_code == 201
    unknown = _post(client, keys["changshou"], {**CHANGSHOU_FAI_2023, "region": "999999"})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "region"


PLAN_2024 = {
    "indicator": "fixed_asset_investment",
    "basis": "value",
    "comparator": ">=",
    "value": 380,
    "unit": "亿元",
    "year": 2024,
}


def test_a_scoped_admin_edits_goals_of_its_scope_only(
    client: TestClient, keys: dict[str, str]
) -> None:
    admin = bearer(keys["changshou-admin"])
    city = client.post("/api/v1/plans", json={**PLAN_2024, "region": "500000"}, headers=admin)
    assert city.status_code == 403 and city.json()["error"] == "region_forbidden"
    assert "500000" in city.json()["message"]
    own = client.post("/api/v1/plans", json={**PLAN_2024, "region": "500115"}, headers=admin)
    assert own.status_code == 201, own.text
    edited = client.patch(
        f"/api/v1/plans/{own.json()['id']}",
        json={"value": 390},
        headers={**admin, "If-Match": own.headers["ETag"]},
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["value"] == 390
    # A plan of 重庆市, made by an unscoped admin, is out of reach.
    made = client.post(
        "/api/v1/plans", json={**PLAN_2024, "region": "500000"}, headers=bearer(keys["admin"])
    )
    assert made.status_code == 201, made.text
    foreign = client.patch(
        f"/api/v1/plans/{made.json()['id']}",
        json={"value": 1},
        headers={**admin, "If-Match": made.headers["ETag"]},
    )
    assert foreign.status_code == 403 and foreign.json()["error"] == "region_forbidden"
    assert client.get(f"/api/v1/plans/{made.json()['id']}").json()["value"] == 380
