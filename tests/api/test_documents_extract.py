"""POST /api/v1/documents/extract: a document's figures proposed, nothing stored."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Observation, Plan, Target
from tests.conftest import bearer

URL = "/api/v1/documents/extract"
TEXT = "text/plain; charset=utf-8"

REPORT = (
    "重庆市2024年1—6月国民经济和社会发展计划执行情况的报告\n"
    "一、1—6月计划执行情况\n"
    "上半年,地区生产总值同比增长5.8%,城镇新增就业42万人、同比增长2.4%,"
    "市级重点建设项目完成投资2500亿元,完成年度计划的56%。\n"
    "二、下一步工作打算\n"
    "确保全年城镇新增就业60万人以上。\n"
)


def _post(client: TestClient, key: str, body: bytes, **params: str) -> dict:  # type: ignore[type-arg]
    response = client.post(
        URL, content=body, params=params, headers={**bearer(key), "Content-Type": TEXT}
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _count(session: Session) -> int:
    return sum(
        session.scalar(select(func.count()).select_from(m)) or 0
        for m in (Observation, Plan, Target)
    )


def test_a_report_is_read_into_proposals_and_nothing_is_stored(
    client: TestClient, api_keys: dict[str, str], session: Session
) -> None:
    before = _count(session)
    answer = _post(client, api_keys["analyst"], REPORT.encode())
    assert answer["total"] == len(answer["items"]) == 4
    gdp, jobs, projects, plan = answer["items"]
    assert gdp == gdp | {
        "kind": "observation",
        "indicator": "gdp",
        "region": "500000",
        "period": "2024-H1",
        "value": None,
        "yoy_growth": 5.8,
        "quote": "地区生产总值同比增长5.8%",
    }
    assert (jobs["indicator"], jobs["value"], jobs["unit"], jobs["yoy_growth"]) == (
        "urban_new_jobs",
        42,
        "万人",
        2.4,
    )
    assert jobs["quote"] == "城镇新增就业42万人、同比增长2.4%"
    assert (projects["value"], projects["reported_completion_rate"]) == (2500, 56)
    assert plan == plan | {
        "kind": "plan",
        "indicator": "urban_new_jobs",
        "year": 2024,
        "basis": "value",
        "comparator": ">=",
        "value": 60,
        "unit": "万人",
    }
    for item in answer["items"]:
        assert item["quote"] in REPORT and 0 < item["confidence"] <= 1
    assert _count(session) == before


def test_traditional_text_quotes_the_original_script(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    text = (
        "長壽區2022年計劃執行情況\n"
        "全年實現地區生產總值918.6億元,同比增長2.6%。長壽經開區規上工業總產值突破1000億元。"
    )
    answer = _post(client, api_keys["admin"], text.encode(), region="500115", year="2023")
    first, second = answer["items"]
    assert (first["indicator"], first["value"], first["unit"], first["period"]) == (
        "gdp",
        918.6,
        "亿元",
        "2022",
    )
    assert first["quote"] == "全年實現地區生產總值918.6億元,同比增長2.6%"
    assert (second["region"], second["value"]) == ("500115-ED", 1000)


def test_spam_lines_and_a_missing_number_yield_nothing(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    text = (
        "中级经济师 通过率重庆主要产业是什么国际经济三大支柱\n"
        "开通国际(地区)航线个全球主要城市。\n返回搜狐,查看更多"
    )
    assert _post(client, api_keys["analyst"], text.encode()) == {"items": [], "total": 0}


def test_a_key_is_required(client: TestClient, api_keys: dict[str, str]) -> None:
    response = client.post(URL, content=REPORT.encode(), headers={"Content-Type": TEXT})
    assert response.status_code == 401
    revoked = client.post(
        URL, content=REPORT.encode(), headers={**bearer(api_keys["revoked"]), "Content-Type": TEXT}
    )
    assert revoked.status_code == 401


def test_bad_input_is_a_422_naming_the_field(client: TestClient, api_keys: dict[str, str]) -> None:
    headers = bearer(api_keys["analyst"])
    cases = [
        ({"Content-Type": "application/json"}, b'{"a": 1}', {}, "content-type"),
        ({"Content-Type": TEXT}, "上半年增长5%".encode("gbk"), {}, "body"),
        ({"Content-Type": TEXT}, b"   ", {}, "body"),
        ({"Content-Type": TEXT}, REPORT.encode(), {"region": "999999"}, "region"),
        ({"Content-Type": TEXT}, REPORT.encode(), {"year": "20x"}, "year"),
        ({"Content-Type": TEXT}, REPORT.encode(), {"kind": "novel"}, "kind"),
    ]
    for extra, body, params, field in cases:
        response = client.post(URL, content=body, params=params, headers={**headers, **extra})
        assert response.status_code == 422, (field, response.text)
        assert response.json()["errors"][0]["field"] == field


def test_a_body_over_the_limit_is_refused(client: TestClient, api_keys: dict[str, str]) -> None:
    limit = client.app.state.settings.max_body_bytes  # type: ignore[attr-defined]
    body = ("增长5%。" * (limit // 10 + 1)).encode()
    response = client.post(
        URL, content=body, headers={**bearer(api_keys["analyst"]), "Content-Type": TEXT}
    )
    assert response.status_code == 413
