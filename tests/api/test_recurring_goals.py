"""A 每年 goal is one plan per year of its span, each citing the same sentence."""

from __future__ import annotations

from fastapi.testclient import TestClient

DOC_002 = "002_26222ab83b5d729f"


def test_urban_new_jobs_has_a_plan_for_each_year_of_2023_to_2027(client: TestClient) -> None:
    body = client.get(
        "/api/v1/plans", params={"indicator": "urban_new_jobs", "region": "500000"}
    ).json()
    plans = {p["year"]: p for p in body["items"]}
    assert sorted(plans) == [2023, 2024, 2025, 2026, 2027]
    for plan in plans.values():
        assert (plan["comparator"], plan["value"], plan["unit"]) == (">=", 60, "万人")
        assert plan["source"] == {"document": DOC_002, "quote": "每年城镇新增就业60万人以上"}
    # 003's total over the span stays a target beside them: 累计300万人以上
    targets = client.get(
        "/api/v1/targets", params={"indicator": "urban_new_jobs", "region": "500000"}
    ).json()["items"]
    assert [(t["basis"], t["value"], t["unit"]) for t in targets] == [("cumulative", 300, "万人")]


def test_the_2023_jobs_plan_is_judged_by_the_first_half(client: TestClient) -> None:
    body = client.get(
        "/api/v1/plans", params={"indicator": "urban_new_jobs", "region": "500000", "year": 2023}
    ).json()
    (plan,) = body["items"]
    progress = plan["progress"]
    # 001: 城镇新增就业41万人 in 2023-H1; 41 / 60 = 68.33 % done with half the year gone
    assert (progress["actual"], progress["actual_period"]) == (41, "2023-H1")
    assert progress["completion_rate"] == 68.3333
    assert progress["elapsed"] == 50
    assert progress["schedule_variance_pp"] == 18.3333
    assert progress["status"] == "on_schedule"
    # later years have no figure yet
    later = client.get(
        "/api/v1/plans", params={"indicator": "urban_new_jobs", "region": "500000", "year": 2024}
    ).json()["items"]
    assert [p["progress"]["status"] for p in later] == ["no_data"]
