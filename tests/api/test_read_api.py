"""The read contract of DESIGN.md, through HTTP, on the seeded database."""

from __future__ import annotations

import csv
from collections import Counter
from decimal import Decimal
from pathlib import Path

from fastapi.testclient import TestClient

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def _only(items: list[dict], **where: str) -> dict:
    found = [
        i
        for i in items
        if all(i["indicator"]["code"] == v for k, v in where.items() if k == "indicator")
    ]
    assert len(found) == 1, found
    return found[0]


def test_key_project_plan_matches_the_h1_report(client: TestClient) -> None:
    # 2023-H1: 2,411 亿元 against a 4,300 亿元 plan; the report itself says 54.7 %.
    body = client.get(
        "/api/v1/plans", params={"region": "500000", "year": 2023, "limit": 1000}
    ).json()
    plan = _only(body["items"], indicator="key_project_investment")
    assert plan["comparator"] == ">=" and plan["value"] == 4300 and plan["unit"] == "亿元"
    progress = plan["progress"]
    assert progress["actual"] == 2411
    assert progress["actual_period"] == "2023-H1"
    assert abs(progress["completion_rate"] - 56.0698) < 1e-4  # 2411 / 4300 = 0.560698
    assert progress["elapsed"] == 50
    assert abs(progress["schedule_variance_pp"] - 6.0698) < 1e-4
    assert progress["reported_completion_rate"] == 54.7
    assert abs(progress["reported_gap_pp"] - (54.7 - 56.0698)) < 1e-4
    assert progress["status"] == "on_schedule"
    assert plan["source"]["document"] == "001_8bd53d08bbbd03ea"
    assert "4300亿元" in plan["source"]["quote"]


def test_high_tech_enterprises_keep_both_2027_targets(client: TestClient) -> None:
    body = client.get(
        "/api/v1/targets", params={"indicator": "hi_tech_enterprises", "region": "500000"}
    ).json()
    by_doc = {t["source"]["document"]: t for t in body["items"]}
    assert set(by_doc) >= {"002_26222ab83b5d729f", "003_43741abbd79f158f"}
    t003 = by_doc["003_43741abbd79f158f"]
    assert (t003["value"], t003["unit"], t003["end_year"]) == (1.27, "万家", 2027)


def test_every_list_uses_the_paging_envelope(client: TestClient) -> None:
    for path in ("regions", "indicators", "documents", "targets", "plans", "observations"):
        body = client.get(f"/api/v1/{path}", params={"limit": 2, "offset": 1}).json()
        assert set(body) == {"items", "total", "limit", "offset"}, path
        assert body["limit"] == 2 and body["offset"] == 1
        assert len(body["items"]) <= 2


def test_paging_walks_every_target_once(client: TestClient) -> None:
    total = client.get("/api/v1/targets", params={"limit": 1}).json()["total"]
    seen: list[int] = []
    for offset in range(0, total, 40):
        page = client.get("/api/v1/targets", params={"limit": 40, "offset": offset}).json()
        seen += [t["id"] for t in page["items"]]
    assert len(seen) == len(set(seen)) == total


def test_decimals_are_json_numbers(client: TestClient) -> None:
    body = client.get("/api/v1/observations", params={"limit": 200}).json()
    values = [o["value"] for o in body["items"] if o["value"] is not None]
    assert values and all(isinstance(v, int | float) for v in values)


def test_indicator_search_in_either_script_and_english(client: TestClient) -> None:
    for q in ("高新技术企业", "高新技術企業", "high-tech enterprises"):
        codes = {
            i["code"] for i in client.get("/api/v1/indicators", params={"q": q}).json()["items"]
        }
        assert "hi_tech_enterprises" in codes, q


def test_traditional_query_filters_targets(client: TestClient) -> None:
    simplified = client.get("/api/v1/targets", params={"q": "城镇化率"}).json()
    traditional = client.get("/api/v1/targets", params={"q": "城鎮化率"}).json()
    assert simplified["total"] == traditional["total"] > 0


def test_documents_count_the_figures_they_supplied(client: TestClient) -> None:
    expected: Counter[tuple[str, str]] = Counter()
    for path in (SEEDS / "figures").glob("*/*.csv"):
        with path.open(encoding="utf-8") as fh:
            expected[(path.parent.name, path.stem)] = sum(1 for _ in csv.DictReader(fh))
    docs = client.get("/api/v1/documents").json()["items"]
    assert len(docs) == 5
    for doc in docs:
        for kind in ("targets", "plans", "observations"):
            assert doc["figures"][kind] == expected[(doc["code"], kind)], (doc["code"], kind)


def test_region_has_parent_and_children(client: TestClient) -> None:
    city = client.get("/api/v1/regions/500000").json()
    assert city["parent"] is None
    assert {"500115", "500000-MA"} <= {c["code"] for c in city["children"]}
    district = client.get("/api/v1/regions/500115").json()
    assert district["parent"] == {"code": "500000", "name": "重庆市"}


def test_as_of_before_any_document_sees_no_figures(client: TestClient) -> None:
    body = client.get("/api/v1/observations", params={"as_of": "2022-12-31T00:00:00Z"}).json()
    assert body["total"] == 0
    plans = client.get(
        "/api/v1/plans", params={"as_of": "2022-12-31T00:00:00Z", "limit": 1000}
    ).json()
    assert {p["progress"]["status"] for p in plans["items"]} == {"no_data"}


def test_as_of_between_documents_sees_only_the_earlier(client: TestClient) -> None:
    # 002 (2023-01-12) is known on 2023-02-01; 001 (2023-07-25) is not yet.
    body = client.get(
        "/api/v1/observations", params={"as_of": "2023-02-01T00:00:00Z", "limit": 1000}
    ).json()
    assert body["total"] > 0
    assert {o["source"]["document"] for o in body["items"]} == {"002_26222ab83b5d729f"}


def test_summary_counts_add_up(client: TestClient) -> None:
    body = client.get("/api/v1/summary", params={"region": "500000"}).json()
    targets = client.get("/api/v1/targets", params={"region": "500000", "limit": 1}).json()["total"]
    assert body["targets"]["total"] == targets == sum(body["targets"]["by_status"].values())
    assert body["plans"]["total"] == sum(body["plans"]["by_status"].values())


def test_status_filter_keeps_only_that_status(client: TestClient) -> None:
    body = client.get("/api/v1/plans", params={"status": "on_schedule", "limit": 1000}).json()
    assert body["total"] >= 1
    assert {p["progress"]["status"] for p in body["items"]} == {"on_schedule"}


def test_target_detail_carries_its_history(client: TestClient) -> None:
    listing = client.get("/api/v1/plans", params={"indicator": "key_project_investment"}).json()
    plan_id = listing["items"][0]["id"]
    detail = client.get(f"/api/v1/plans/{plan_id}").json()
    periods = [o["period"] for o in detail["history"]]
    assert "2023-H1" in periods
    assert Decimal(str(detail["progress"]["actual"])) == Decimal(2411)


def test_bad_input_is_a_422_naming_the_field(client: TestClient) -> None:
    cases = {
        ("/api/v1/targets", "limit", "1001"): "limit",
        ("/api/v1/targets", "region", "999999"): "region",
        ("/api/v1/targets", "indicator", "no_such"): "indicator",
        ("/api/v1/targets", "status", "great"): "status",
        ("/api/v1/targets", "as_of", "yesterday"): "as_of",
        ("/api/v1/targets", "regoin", "500000"): "regoin",
        ("/api/v1/observations", "period", "2023-Q5"): "period",
        ("/api/v1/plans", "year", "twenty"): "year",
    }
    for (path, name, value), field in cases.items():
        response = client.get(path, params={name: value})
        assert response.status_code == 422, (path, name, value)
        body = response.json()
        assert field in {e["field"] for e in body["errors"]}, body
        assert body["message"]


def test_unknown_ids_are_404_and_huge_ids_422(client: TestClient) -> None:
    assert client.get("/api/v1/targets/999999").status_code == 404
    assert client.get("/api/v1/plans/999999").json()["error"] == "not_found"
    assert client.get(f"/api/v1/targets/{2**63}").status_code == 422
    assert client.get("/api/v1/regions/nowhere").status_code == 404
    assert client.get("/api/v1/documents/nothing").status_code == 404
