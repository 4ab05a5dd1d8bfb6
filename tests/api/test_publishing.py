"""Who may publish what: keys scoped to regions, and review before publication.

长寿区 (500115) is a district of 重庆市 (500000); 长寿经开区 (500115-ED) is a zone inside
长寿区. A key scoped to 500115 writes for 500115 and 500115-ED, never for 500000.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from app.importer import local_sender, run_import
from app.main import create_app
from app.settings import Settings, get_settings
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


# --- review before publication --------------------------------------------------------


@pytest.fixture
def review(connection: Connection, database_url: str) -> Iterator[TestClient]:
    """The test client of a service in PUBLISH_MODE=review."""
    app = create_app(Settings(database_url=database_url, publish_mode="review"))
    app.state.sessionmaker = lambda: Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    app.state.response_cache.open()
    with TestClient(app) as test_client:
        yield test_client


def _decide(client: TestClient, key: str, ids: list[int], decision: str, **extra: Any) -> Any:
    return client.post(
        f"{OBSERVATIONS}/review",
        json={"ids": ids, "decision": decision, **extra},
        headers=bearer(key),
    )


def _plan_350(client: TestClient) -> dict[str, Any]:
    """长寿区's 2023 plan: 全年固定资产投资完成350亿元 (the firm one, not the 400 stretch)."""
    found = client.get(
        "/api/v1/plans", params={"indicator": "fixed_asset_investment", "region": "500115"}
    ).json()["items"]
    (plan,) = [p for p in found if p["year"] == 2023 and p["value"] == 350]
    return plan


def _public_views(client: TestClient, plan_id: int) -> dict[str, Any]:
    """What every public read says about 长寿区's 2023 fixed-asset investment."""
    detail = client.get(f"/api/v1/plans/{plan_id}").json()
    summary = client.get("/api/v1/summary", params={"region": "500115"}).json()
    return {
        "figures": _figures(client, "500115"),
        "revisions": _figures(client, "500115", include_revisions="true"),
        "plan": _plan_350(client)["progress"],
        "detail": (detail["progress"], [h["value"] for h in detail["history"]]),
        "summary": summary["plans"]["by_status"],
    }


def test_a_district_figure_counts_for_no_one_until_a_reviewer_approves_it(
    review: TestClient, keys: dict[str, str]
) -> None:
    plan_id = _plan_350(review)["id"]
    before = _public_views(review, plan_id)
    assert before["figures"] == [] and before["plan"]["status"] != "achieved"

    refused = _post(review, keys["changshou"], CITY_FAI_2023)
    assert refused.status_code == 403 and refused.json()["error"] == "region_forbidden"
    posted = _post(review, keys["changshou"], CHANGSHOU_FAI_2023)
    assert posted.status_code == 201, posted.text
    (item,) = posted.json()["items"]
    assert item["state"] == "pending" and item["published_at"] is None
    figure_id = item["id"]

    # Pending: every public read is as before, the pages too.
    assert _public_views(review, plan_id) == before
    for page in ("/regions/500115", f"/plans/{plan_id}"):
        html = review.get(page)
        assert html.status_code == 200 and "355" not in html.text
    # Keys of the region see it; a key of another region does not; no key, no list.
    pending = {"state": "pending"}
    for who in ("changshou", "changshou-reviewer", "reviewer", "admin"):
        listed = review.get(OBSERVATIONS, params=pending, headers=bearer(keys[who])).json()
        assert [o["id"] for o in listed["items"]] == [figure_id], who
    zone = review.get(OBSERVATIONS, params=pending, headers=bearer(keys["zone-reviewer"]))
    assert zone.status_code == 200 and zone.json()["items"] == []
    assert review.get(OBSERVATIONS, params=pending).status_code == 401

    # The analyst cannot approve; a reviewer of another region cannot either.
    assert _decide(review, keys["changshou"], [figure_id], "approve").status_code == 403
    other = _decide(review, keys["zone-reviewer"], [figure_id], "approve")
    assert other.status_code == 403 and other.json()["error"] == "region_forbidden"
    assert _public_views(review, plan_id) == before

    approved = _decide(review, keys["changshou-reviewer"], [figure_id], "approve")
    assert approved.status_code == 200, approved.text
    (decided,) = approved.json()["items"]
    assert decided["state"] == "published" and decided["reviewed_by"] == "changshou-reviewer"
    assert decided["published_at"] == decided["reviewed_at"]

    progress = _plan_350(review)["progress"]
    assert progress["status"] == "achieved"
    assert progress["completion_rate"] == 101.4286  # 355 / 350, shown as 101.43 %
    assert round(progress["completion_rate"], 2) == 101.43
    detail = review.get(f"/api/v1/plans/{plan_id}").json()
    assert detail["progress"]["completion_rate"] == 101.4286
    after = _public_views(review, plan_id)["summary"]
    assert after["achieved"] == before["summary"]["achieved"] + 1
    assert [o["value"] for o in _figures(review, "500115")] == [355]
    assert "355" in review.get(f"/plans/{plan_id}").text

    # It counts from its approval: an as_of a moment before does not see it.
    approved_at = datetime.fromisoformat(decided["published_at"])
    just_before = (approved_at - timedelta(milliseconds=1)).isoformat()
    assert _figures(review, "500115", as_of=just_before) == []
    then = review.get(f"/api/v1/plans/{plan_id}", params={"as_of": just_before}).json()
    assert then["progress"] == before["detail"][0]
    assert _figures(review, "500115", as_of=decided["published_at"])[0]["value"] == 355

    audit = review.get(
        "/api/v1/audit", params={"entity": "observation"}, headers=bearer(keys["admin"])
    ).json()["items"]
    approvals = [a for a in audit if a["action"] == "approve"]
    assert [(a["entity_id"], a["actor"]) for a in approvals] == [(figure_id, "changshou-reviewer")]
    # Decided once: a second decision is a conflict.
    again = _decide(review, keys["reviewer"], [figure_id], "reject", reason="late")
    assert again.status_code == 409


def test_a_reviewer_never_approves_figures_of_their_own(
    review: TestClient, keys: dict[str, str]
) -> None:
    posted = _post(review, keys["changshou-reviewer"], CHANGSHOU_FAI_2023)
    assert posted.status_code == 201
    (item,) = posted.json()["items"]
    assert item["state"] == "pending"  # a reviewer's own figures wait too
    own = _decide(review, keys["changshou-reviewer"], [item["id"]], "approve")
    assert own.status_code == 403 and own.json()["error"] == "own_figures"
    assert _figures(review, "500115") == []
    other = _decide(review, keys["reviewer"], [item["id"]], "approve")
    assert other.status_code == 200, other.text
    assert [o["value"] for o in _figures(review, "500115")] == [355]


def test_reviewers_decide_for_their_regions_and_below_admins_everywhere(
    review: TestClient, keys: dict[str, str]
) -> None:
    zone = _post(review, keys["changshou"], ZONE_FAI_2023).json()["items"][0]["id"]
    district = _post(review, keys["changshou"], CHANGSHOU_FAI_2023).json()["items"][0]["id"]
    city = _post(review, keys["analyst"], CITY_FAI_2023).json()["items"][0]["id"]
    queue = {"state": "pending", "indicator": "fixed_asset_investment"}
    listed = {
        who: [
            o["id"]
            for o in review.get(OBSERVATIONS, params=queue, headers=bearer(keys[who])).json()[
                "items"
            ]
        ]
        for who in ("changshou-reviewer", "zone-reviewer", "reviewer")
    }
    assert listed == {
        "changshou-reviewer": [district, zone],  # its region and the zone below it
        "zone-reviewer": [zone],
        "reviewer": [city, district, zone],  # unscoped: every region
    }
    # A batch is decided all or none: one figure outside the scope and nothing changes.
    mixed = _decide(review, keys["changshou-reviewer"], [zone, city], "approve")
    assert mixed.status_code == 403 and "500000" in mixed.json()["message"]
    assert _figures(review, "500115-ED") == []
    below = _decide(review, keys["changshou-reviewer"], [zone], "approve")
    assert below.status_code == 200, below.text
    assert [o["value"] for o in _figures(review, "500115-ED")] == [120]
    up = _decide(review, keys["zone-reviewer"], [district], "approve")
    assert up.status_code == 403 and up.json()["error"] == "region_forbidden"
    assert _decide(review, keys["admin"], [district, city], "approve").status_code == 200
    assert [o["value"] for o in _figures(review, "500000")] == [29000]
    unknown = _decide(review, keys["admin"], [10**9], "approve")
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "ids"


def test_an_admins_figures_are_published_at_once(review: TestClient, keys: dict[str, str]) -> None:
    posted = _post(review, keys["admin"], CHANGSHOU_FAI_2023)
    (item,) = posted.json()["items"]
    assert item["state"] == "published" and item["published_at"] == item["recorded_at"]
    assert _plan_350(review)["progress"]["completion_rate"] == 101.4286


def test_a_rejected_figure_never_counts_and_its_poster_reads_why(
    review: TestClient, keys: dict[str, str]
) -> None:
    plan_id = _plan_350(review)["id"]
    before = _public_views(review, plan_id)
    figure_id = _post(review, keys["changshou"], CHANGSHOU_FAI_2023).json()["items"][0]["id"]
    no_reason = _decide(review, keys["changshou-reviewer"], [figure_id], "reject")
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reason"
    reason = "the bulletin says 335, not 355"
    rejected = _decide(review, keys["changshou-reviewer"], [figure_id], "reject", reason=reason)
    assert rejected.status_code == 200, rejected.text
    assert _public_views(review, plan_id) == before
    seen = review.get(
        OBSERVATIONS, params={"state": "rejected"}, headers=bearer(keys["changshou"])
    ).json()["items"]
    assert [(o["id"], o["state"], o["review_reason"], o["reviewed_by"]) for o in seen] == [
        (figure_id, "rejected", reason, "changshou-reviewer")
    ]
    assert seen[0]["reviewed_at"] is not None and seen[0]["published_at"] is None
    assert _decide(review, keys["reviewer"], [figure_id], "approve").status_code == 409
    assert _public_views(review, plan_id) == before
    audit = review.get(
        "/api/v1/audit", params={"entity": "observation"}, headers=bearer(keys["admin"])
    ).json()["items"]
    (entry,) = [a for a in audit if a["action"] == "reject"]
    assert entry["after"] == {"state": "rejected", "reason": reason}


def test_a_pending_revision_takes_its_number_and_hides_behind_the_published_one(
    review: TestClient, keys: dict[str, str]
) -> None:
    """长寿区 2022: 310.2 亿元 in the seeds (revision 1). A pending 312 is revision 2; the
    reads keep showing 310.2 until it is approved."""
    correction = {**CHANGSHOU_FAI_2023, "period": "2022", "value": 312}
    (item,) = _post(review, keys["changshou"], correction).json()["items"]
    assert item["revision"] == 2
    assert [o["value"] for o in _figures(review, "500115", period="2022")] == [310.2]
    assert _decide(review, keys["reviewer"], [item["id"]], "approve").status_code == 200
    assert [o["value"] for o in _figures(review, "500115", period="2022")] == [312]


def test_in_immediate_mode_figures_are_published_when_recorded(
    client: TestClient, keys: dict[str, str]
) -> None:
    (item,) = _post(client, keys["changshou"], CHANGSHOU_FAI_2023).json()["items"]
    assert item["state"] == "published" and item["published_at"] == item["recorded_at"]
    assert item["reviewed_at"] is None and item["reviewed_by"] is None
    assert _plan_350(client)["progress"]["completion_rate"] == 101.4286


def test_the_local_import_obeys_scope_and_review_mode(
    review: TestClient,
    keys: dict[str, str],
    connection: Connection,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``observations import`` without --url posts through the same path: its figures wait
    for a reviewer under PUBLISH_MODE=review, and a row outside the key's scope stops it."""
    monkeypatch.setenv("PUBLISH_MODE", "review")
    get_settings.cache_clear()
    try:

        def sessions() -> Session:
            return Session(bind=connection, join_transaction_mode="create_savepoint")

        sheet = tmp_path / "changshou.csv"
        sheet.write_text(
            "indicator,region,period,value,unit\nfixed_asset_investment,500115,2023,355,亿元\n"
        )
        send = local_sender(keys["changshou"], sessions)
        assert run_import(sheet, send, out=io.StringIO()) == 0
        assert _figures(review, "500115") == []
        pending = review.get(
            OBSERVATIONS, params={"state": "pending"}, headers=bearer(keys["changshou"])
        ).json()["items"]
        assert [(o["region"]["code"], o["value"]) for o in pending] == [("500115", 355)]
        city = tmp_path / "city.csv"
        city.write_text(
            "indicator,region,period,value,unit\nfixed_asset_investment,500000,2023,29000,亿元\n"
        )
        report = io.StringIO()
        assert run_import(city, send, out=report) != 0
        assert "500000" in report.getvalue() and "scope" in report.getvalue(), report.getvalue()
    finally:
        get_settings.cache_clear()


# --- what a reviewer reads (the page /review is built on these answers) ---------------


def _pending(client: TestClient, key: str, **params: Any) -> list[dict[str, Any]]:
    found = client.get(OBSERVATIONS, params={"state": "pending", **params}, headers=bearer(key))
    assert found.status_code == 200, found.text
    items: list[dict[str, Any]] = found.json()["items"]
    return items


def test_pending_figures_carry_their_warnings_against_the_published_ones(
    review: TestClient, keys: dict[str, str]
) -> None:
    # An admin's 2022 figure is published at once: 300 亿元.
    admin = review.post(
        OBSERVATIONS,
        json={**CHANGSHOU_FAI_2023, "period": "2022", "value": 300},
        headers=bearer(keys["admin"]),
    )
    assert admin.status_code == 201 and admin.json()["items"][0]["state"] == "published"
    # A slip of the keyboard (3550 for 355) in 2023 and a plausible 2023-H1.
    slip = review.post(
        OBSERVATIONS, json={**CHANGSHOU_FAI_2023, "value": 3550}, headers=bearer(keys["changshou"])
    )
    assert slip.status_code == 201, slip.text
    half = review.post(
        OBSERVATIONS,
        json={**CHANGSHOU_FAI_2023, "period": "2023-H1", "value": 170},
        headers=bearer(keys["changshou"]),
    )
    assert half.status_code == 201, half.text

    by_period = {o["period"]: o for o in _pending(review, keys["changshou-reviewer"])}
    assert set(by_period) == {"2023", "2023-H1"}
    # 3550 / 300 = 11.83: beyond 3x the 2022 figure.
    assert by_period["2023"]["warnings"] == [
        {
            "code": "outlier",
            "message": "3550 亿元 is 11.83× the 2022 figure (300 亿元); stored, please check",
        }
    ]
    # No published 2022-H1 to compare with, and no earlier figure of 2023: no warning.
    assert by_period["2023-H1"]["warnings"] == []
    # Published reads never carry the field.
    published = review.get(
        OBSERVATIONS, params={"region": "500115", "indicator": "fixed_asset_investment"}
    ).json()["items"]
    assert [o["value"] for o in published] == [300] and "warnings" not in published[0]


def test_an_approval_answers_the_goals_it_moved(review: TestClient, keys: dict[str, str]) -> None:
    posted = review.post(OBSERVATIONS, json=CHANGSHOU_FAI_2023, headers=bearer(keys["changshou"]))
    figure = posted.json()["items"][0]["id"]
    approved = review.post(
        f"{OBSERVATIONS}/review",
        json={"ids": [figure], "decision": "approve"},
        headers=bearer(keys["changshou-reviewer"]),
    )
    assert approved.status_code == 200, approved.text
    body = approved.json()
    # 长寿区's 2023 plans of fixed-asset investment: 350 (101.43 % done) and the 400 stretch.
    plans = {p["value"]: p for p in body["plans"] if p["year"] == 2023}
    assert plans[350]["progress"]["completion_rate"] == 101.4286
    assert plans[350]["progress"]["status"] == "achieved"
    assert all(p["region"]["code"] == "500115" for p in body["plans"])
    assert all(t["indicator"]["code"] == "fixed_asset_investment" for t in body["targets"])
    rejected = review.post(
        OBSERVATIONS,
        json={**CHANGSHOU_FAI_2023, "value": 356},
        headers=bearer(keys["changshou"]),
    ).json()["items"][0]["id"]
    answer = review.post(
        f"{OBSERVATIONS}/review",
        json={"ids": [rejected], "decision": "reject", "reason": "the bulletin says 355"},
        headers=bearer(keys["changshou-reviewer"]),
    ).json()
    assert answer["targets"] == [] and answer["plans"] == []
