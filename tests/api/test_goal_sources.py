"""A goal two documents state alike is one goal with both sources (DESIGN v1.1)."""

from __future__ import annotations

from fastapi.testclient import TestClient

DOC_001 = "001_8bd53d08bbbd03ea"  # H1 2023 plan execution report, published 2023-07-25
DOC_002 = "002_26222ab83b5d729f"  # 2023 work report digest, published 2023-01-12
DOC_003 = "003_43741abbd79f158f"  # 2023-2027 action plan, published 2023-03-31


def _items(client: TestClient, path: str, **params: object) -> list[dict]:
    body = client.get(f"/api/v1/{path}", params={"limit": 1000, **params}).json()
    assert body["total"] == len(body["items"])
    return body["items"]


def test_the_infrastructure_plan_both_reports_state_is_one_plan(client: TestClient) -> None:
    # 002: 力争全年基础设施投资增长11%以上; 001: 力争基础设施投资全年增长11%以上
    (plan,) = _items(client, "plans", indicator="infrastructure_investment", region="500000")
    assert (plan["year"], plan["basis"], plan["comparator"], plan["value"]) == (
        2023,
        "yoy",
        ">=",
        11,
    )
    assert plan["sources"] == [
        {"document": DOC_002, "quote": "力争全年基础设施投资增长11%以上"},
        {"document": DOC_001, "quote": "力争基础设施投资全年增长11%以上"},
    ]
    assert plan["source"] == plan["sources"][0]
    # judged once: 16 % in Q1 (000) against 11 %
    assert plan["progress"]["status"] == "on_schedule"
    detail = client.get(f"/api/v1/plans/{plan['id']}").json()
    assert detail["sources"] == plan["sources"]


def test_a_merged_target_shows_both_sources_oldest_first(client: TestClient) -> None:
    (target,) = _items(client, "targets", indicator="affordable_rental_housing", region="500000")
    assert (target["start_year"], target["end_year"], target["value"], target["unit"]) == (
        2023,
        2027,
        22,
        "万套",
    )
    assert [s["document"] for s in target["sources"]] == [DOC_002, DOC_003]
    assert {s["quote"] for s in target["sources"]} == {"筹集保障性租赁住房22万套(间)"}
    detail = client.get(f"/api/v1/targets/{target['id']}").json()
    assert [s["document"] for s in detail["sources"]] == [DOC_002, DOC_003]


def test_goals_that_differ_stay_apart(client: TestClient) -> None:
    # 高新技术企业 2027: 002 says 超过1万家, 003 says 达到1.27万家: two targets
    targets = _items(client, "targets", indicator="hi_tech_enterprises", region="500000")
    by_doc = {t["source"]["document"]: t for t in targets if t["end_year"] == 2027}
    assert (by_doc[DOC_002]["comparator"], by_doc[DOC_002]["value"]) == (">", 1)
    assert (by_doc[DOC_003]["comparator"], by_doc[DOC_003]["value"]) == (">=", 1.27)
    assert all(len(t["sources"]) == 1 for t in targets)


def test_a_goal_with_one_document_lists_it_as_its_only_source(client: TestClient) -> None:
    (plan,) = _items(client, "plans", indicator="fixed_asset_investment", region="500115")[:1]
    assert plan["sources"] == [plan["source"]]


def test_summary_counts_a_goal_once_and_documents_count_it_for_each(client: TestClient) -> None:
    # 500000 plan rows in the files: 000 0 + 001 10 + 002 27 = 37 (#17.8 took away 000's
    # list of 248 projects and 001's two forecasts); the infrastructure (11 %) and childcare
    # (1.6万 places) plans are stated by both 001 and 002: 35 plans.
    summary = client.get("/api/v1/summary", params={"region": "500000"}).json()
    assert summary["plans"]["total"] == 35
    assert len(_items(client, "plans", region="500000")) == 35
    # 002 and 003 state nine 2023-2027 targets alike (22万套, 338天, 28 %, 62 %, 50 %,
    # 研发 +10 %/yr, 长江 Ⅱ类, and the two 万亿 clusters): 18 + 147 rows, 156 targets.
    everywhere = client.get("/api/v1/summary").json()
    assert everywhere["targets"]["total"] == 156
    # each document still counts every goal it states
    docs = {d["code"]: d["figures"] for d in _items(client, "documents")}
    assert docs[DOC_001]["plans"] == 10
    assert docs[DOC_002]["plans"] == 27
    assert docs[DOC_002]["targets"] == 18
    assert docs[DOC_003]["targets"] == 147


def test_editing_a_merged_goal_keeps_its_other_sources(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    admin = {"Authorization": f"Bearer {api_keys['admin']}"}
    (plan,) = _items(client, "plans", indicator="childcare_places_new", region="500000")
    assert [s["document"] for s in plan["sources"]] == [DOC_002, DOC_001]
    url = f"/api/v1/plans/{plan['id']}"
    tag = client.get(url).headers["ETag"]
    edited = client.patch(url, json={"note": "checked"}, headers={**admin, "If-Match": tag})
    assert edited.status_code == 200, edited.text
    assert edited.json()["sources"] == plan["sources"]
    source = {"document": DOC_002, "quote": "婴幼儿托位1.6万个"}  # the quote narrowed
    tag = edited.headers["ETag"]
    moved = client.patch(url, json={"source": source}, headers={**admin, "If-Match": tag})
    assert moved.status_code == 200, moved.text
    assert moved.json()["sources"] == [source, plan["sources"][1]]
