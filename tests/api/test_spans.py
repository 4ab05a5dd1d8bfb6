"""Spans of years (DESIGN v1.1): 002's review of 2018-2022 is seeded as history, shown and
posted like any figure, and never read by the arithmetic."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.services import posting
from app.services.posting import record_observations
from tests.conftest import bearer

DOC_002 = "002_26222ab83b5d729f"


def test_the_review_of_the_past_five_years_is_seeded_as_2018_2022(client: TestClient) -> None:
    body = client.get("/api/v1/observations", params={"period": "2018-2022"}).json()
    figures = {item["indicator"]["code"]: item for item in body["items"]}
    assert body["total"] == 8
    stated = {
        code: (item["value"], item["unit"], item["yoy_growth"]) for code, item in figures.items()
    }
    assert stated == {
        "gdp": (None, None, 5.3),  # 年均增长5.3%左右
        "private_economy_value_added": (None, None, 5.8),
        "per_capita_disposable_income": (None, None, 8.1),
        "chengyu_joint_project_investment": (3916, "亿元", None),  # 完成投资3916亿元
        "market_entities_net_increase": (1072000, "户", None),  # 107.2万户 in 户
        "soil_erosion_control_area": (7041, "平方公里", None),
        "urban_new_jobs": (362, "万人", None),  # 累计城镇新增就业362万人
        "rural_poverty_exits": (190.6, "万人", None),
    }
    assert all(item["source"]["document"] == DOC_002 for item in figures.values())
    assert figures["urban_new_jobs"]["source"]["quote"] == "累计城镇新增就业362万人"


def test_a_span_is_never_summed_into_an_actual(client: TestClient) -> None:
    """362万 jobs over 2018-2022 sit in the series of the 300万 target for 2023-2027 and of
    the yearly 60万 plans: both are judged on 2023-H1's 41万 alone."""
    (target,) = client.get(
        "/api/v1/targets", params={"indicator": "urban_new_jobs", "region": "500000"}
    ).json()["items"]
    assert target["basis"] == "cumulative"
    assert (target["progress"]["actual"], target["progress"]["actual_period"]) == (41, "2023-H1")
    detail = client.get(f"/api/v1/targets/{target['id']}").json()
    assert "2018-2022" in {o["period"] for o in detail["history"]}  # shown beside the goal
    plans = client.get(
        "/api/v1/plans", params={"indicator": "urban_new_jobs", "region": "500000"}
    ).json()["items"]
    assert {p["year"]: p["progress"]["actual"] for p in plans} == {
        2023: 41,
        2024: None,
        2025: None,
        2026: None,
        2027: None,
    }


def test_a_span_is_posted_read_back_and_changes_no_goal(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    """A span ending in a plan's year is no figure of that year: 1,500 亿元 over 2019-2023
    would "achieve" Changshou's 2023 plan of 350 亿元 if it were read as the 2023 total."""

    def plans() -> list[dict]:
        params = {"indicator": "fixed_asset_investment", "region": "500115", "year": "2023"}
        return client.get("/api/v1/plans", params=params).json()["items"]

    before = plans()
    assert sorted(p["value"] for p in before) == [350, 400]  # 完成350億元,力爭完成400億元
    assert {p["progress"]["status"] for p in before} == {"no_data"}
    figure = {
        "indicator": "fixed_asset_investment",
        "region": "500115",
        "period": "2019-2023",
        "value": 1500,
        "unit": "亿元",
        "yoy_growth": 6.5,
    }
    response = client.post("/api/v1/observations", json=figure, headers=bearer(api_keys["analyst"]))
    assert response.status_code == 201, response.text
    (item,) = response.json()["items"]
    assert (item["period"], item["value"], item["yoy_growth"]) == ("2019-2023", 1500, 6.5)
    assert [p["progress"] for p in plans()] == [p["progress"] for p in before]
    listed = client.get(
        "/api/v1/observations", params={"region": "500115", "period": "2019-2023"}
    ).json()
    assert [(o["indicator"]["code"], o["value"]) for o in listed["items"]] == [
        ("fixed_asset_investment", 1500)
    ]


@pytest.mark.parametrize(
    ("period", "reason"),
    [
        ("2022-2018", "the last year must come after the first"),
        ("2022-2022", "the last year must come after the first"),
        ("2018-2101", "outside 1949..2100"),
        ("2018-22", "not a period"),
    ],
)
def test_a_bad_span_is_a_422_naming_the_period(
    client: TestClient, api_keys: dict[str, str], period: str, reason: str
) -> None:
    figure = {"indicator": "gdp", "region": "500115", "period": period, "yoy_growth": 5}
    response = client.post("/api/v1/observations", json=figure, headers=bearer(api_keys["analyst"]))
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["field"] == "period" and reason in error["message"]


@pytest.mark.parametrize("staged", [True, False], ids=["sql-where-postgres", "python"])
def test_a_span_is_no_comparable_figure_for_the_outlier_rule(
    session: Session, monkeypatch: pytest.MonkeyPatch, staged: bool
) -> None:
    """Both readings of the rule leave spans out (app/queries/revisions.py, and
    app/queries/staging.py on Postgres). A level's span is its level at the end, but a span
    is history, not a comparable figure: 2,000 science-city enterprises in 2023-Q1 are not
    compared with 100 over 2018-2022."""
    if not staged:
        monkeypatch.setattr(posting, "_uses_staging", lambda _session: False)
    region = "500000-SC"
    span = {"indicator": "tech_smes", "region": region, "period": "2018-2022", "value": 100}
    record_observations(session, [span], "test", max_rows=10, now=datetime(2023, 1, 5, tzinfo=UTC))
    later = {"indicator": "tech_smes", "region": region, "period": "2023-Q1", "value": 2000}
    outcome = record_observations(session, [later], "test", max_rows=10)
    assert outcome.warnings == []
    # the same figures with a dated year instead of the span: an outlier (the rule is on)
    control = [{**span, "indicator": "hi_tech_enterprises", "period": "2022"}]
    record_observations(session, control, "test", max_rows=10, now=datetime(2023, 1, 5, tzinfo=UTC))
    again = record_observations(
        session, [{**later, "indicator": "hi_tech_enterprises"}], "test", max_rows=10
    )
    assert [w.row for w in again.warnings] == [1]


def test_a_span_still_running_may_be_posted(session: Session) -> None:
    """A span begins in the January of its first year: 2023-2027 has begun."""
    row = {"indicator": "tech_smes", "region": "500000-SC", "period": "2023-2027", "value": 5}
    outcome = record_observations(session, [row], "test", max_rows=10)
    assert [o.period for o in outcome.observations] == ["2023-2027"]
