"""#17.3: a target with an actual but no trend yet is ``insufficient_data``, not ``no_data``."""

from __future__ import annotations

from fastapi.testclient import TestClient


def _targets(client: TestClient, **params: str) -> list[dict]:
    return client.get("/api/v1/targets", params={"limit": "1000", **params}).json()["items"]


def test_the_2027_gdp_goal_has_an_actual_but_no_trend(client: TestClient) -> None:
    (gdp,) = [
        t
        for t in _targets(client, indicator="gdp", region="500000")
        if t["end_year"] == 2027 and t["basis"] == "value"
    ]
    progress = gdp["progress"]
    # the only figure is the 2022 baseline itself: 2.9 万亿元 of 4, 72.5 %, no trend yet
    assert (gdp["value"], gdp["unit"]) == (4, "万亿元")
    assert progress["actual_period"] == "2022"
    assert (progress["actual"], progress["gap"], progress["completion_rate"]) == (2.9, 1.1, 72.5)
    assert progress["anticipated_progress"] is None
    assert progress["status"] == "insufficient_data"


def test_seeded_targets_with_figures_but_no_trend(client: TestClient) -> None:
    items = _targets(client)
    insufficient = [t for t in items if t["progress"]["status"] == "insufficient_data"]
    # 11 with an actual (their latest figure is the 2022 baseline, or a level with no
    # 2022 figure to start from), and 3 change/cagr goals with figures but no baseline.
    # Two of them (auto and electronics output) are stated by both 002 and 003 and counted
    # once (one goal, two sources): 14 rows of 16. (#17.8 took two away: the 338 good-air
    # days, whose "2022 figure" was 002's five-year floor of 300, and 002's 8万 科技型中小企业,
    # which were judged on 000's count of 科技型企业, another register: both no_data now.)
    with_actual = [t for t in insufficient if t["progress"]["actual"] is not None]
    assert (len(insufficient), len(with_actual)) == (14, 11)
    assert sum(len(t["sources"]) > 1 for t in insufficient) == 2
    codes = {t["indicator"]["code"] for t in insufficient}
    assert not codes & {"good_air_quality_days", "tech_based_smes"}
    assert all(t["basis"] in ("change", "cagr") for t in insufficient if t not in with_actual)
    urbanisation = [t for t in with_actual if t["indicator"]["code"] == "urbanization_rate"]
    assert [(t["progress"]["actual_period"], t["progress"]["actual"]) for t in urbanisation] == [
        ("2022", 71)
    ]
    assert all(
        t["progress"]["actual"] is None for t in items if t["progress"]["status"] == "no_data"
    )
    summary = client.get("/api/v1/summary").json()
    assert summary["targets"]["by_status"]["insufficient_data"] == 14
    filtered = client.get("/api/v1/targets", params={"status": "insufficient_data"})
    assert filtered.status_code == 200, filtered.text
    assert filtered.json()["total"] == 14
