"""The HTML pages through the test client, on the seeded database."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Connection

from tests.api.test_query_count import counting
from tests.conftest import bearer

# A src or href that leaves the app: an absolute or protocol-relative address.
EXTERNAL = re.compile(r"""(?:src|href|action)\s*=\s*["']?\s*(?:[a-z][a-z0-9+.-]*:)?//""", re.I)
LOCAL_ASSET = re.compile(r"""(?:src|href)\s*=\s*["'](/static/[^"'?#]+)""", re.I)


def _key_projects_plan_id(client: TestClient) -> int:
    body = client.get(
        "/api/v1/plans",
        params={"region": "500000", "year": 2023, "indicator": "key_project_investment"},
    ).json()
    assert body["total"] == 1
    return int(body["items"][0]["id"])


def _gdp_target_id(client: TestClient) -> int:
    items = client.get(
        "/api/v1/targets", params={"region": "500000", "indicator": "gdp", "end_year": 2027}
    ).json()["items"]
    # 地区生产总值迈上4万亿元台阶 (002): ≥ 4 万亿元 by 2027
    found = [i for i in items if i["value"] == 4 and i["comparator"] == ">="]
    assert len(found) == 1, items
    return int(found[0]["id"])


def _goal_items(html: str) -> int:
    return html.count('<li class="goal">')


def _text(html: str) -> str:
    """The page's text, tags dropped and spaces collapsed."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


TARGET_ONLY = {"on_track", "needs_acceleration", "off_track", "insufficient_data"}
PLAN_ONLY = {"on_schedule", "behind_schedule"}


def _totals(client: TestClient, region: str, status: str | None = None) -> int:
    """Goals of the region (with that status) as the API counts them."""
    params = {"region": region, "limit": 1} | ({"status": status} if status else {})
    total = 0
    if status not in PLAN_ONLY:
        total += client.get("/api/v1/targets", params=params).json()["total"]
    if status not in TARGET_ONLY:
        total += client.get("/api/v1/plans", params=params).json()["total"]
    return total


def test_dashboard_is_the_scorecard_of_chongqing(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert "重庆市" in html and "500000" in html
    # every goal in force of the region, once: as many as the API lists
    assert _goal_items(html) == _totals(client, "500000") > 100
    assert client.get("/regions/500000").text.count('<li class="goal">') == _goal_items(html)


def test_scorecard_shows_the_key_projects_plan_in_words(client: TestClient) -> None:
    plan_id = _key_projects_plan_id(client)
    html = client.get("/").text
    text = _text(html)
    assert f'href="/plans/{plan_id}"' in html
    # 2,411 ÷ 4,300 = 56.07 %; half the year gone, so 6.07 points ahead of 序时进度
    assert "2,411 亿元，目标 ≥ 4,300 亿元：完成 56.07 %，快于序时进度（50 %）6.07 个百分点" in text
    assert "(2023-H1)" in text
    # the 序时进度 marker at 50 % of the bar, the bar filled to 56.07 %
    assert 'class="tick" style="left: 50%"' in html
    assert 'style="width: 56.07%"' in html
    # status in words as well as colour, with the counts by status
    assert "达到序时进度" in text and "落后序时进度" in text and "暂无数据" in text
    assert "001_8bd53d08bbbd03ea" in html  # the plan's source document


def test_english_with_lang_en(client: TestClient) -> None:
    html = client.get("/", params={"lang": "en"}).text
    text = _text(html)
    assert "2,411 亿元 of ≥ 4,300 亿元: 56.07 %, 6.07 points ahead of 序时进度 50 %" in text
    assert "On schedule" in text and "Behind schedule" in text and "Counts by status" in text
    assert "达到序时进度" not in text
    assert 'lang="en"' in html
    # links keep the language
    plan_id = _key_projects_plan_id(client)
    assert f'href="/plans/{plan_id}?lang=en"' in html


def test_status_filter(client: TestClient) -> None:
    behind = client.get("/regions/500000", params={"status": "behind_schedule"}).text
    assert _goal_items(behind) == _totals(client, "500000", "behind_schedule") == 2
    assert "落后序时进度" in behind
    assert "市级重点建设项目完成投资" not in _text(behind.split('<section class="category">', 1)[1])
    ahead = client.get("/regions/500000", params={"status": "on_schedule"}).text
    assert _goal_items(ahead) == _totals(client, "500000", "on_schedule")
    assert "市级重点建设项目完成投资" in ahead
    # the filter links themselves
    assert 'href="/regions/500000?status=on_schedule"' in client.get("/regions/500000").text


def test_breadcrumbs_and_children(client: TestClient) -> None:
    top = client.get("/").text
    for child in ("500000-MA", "500000-NE", "500000-SE", "500000-SC", "500115"):
        assert f'href="/regions/{child}"' in top
    central = client.get("/regions/500000-CC").text
    crumbs = central.split('class="crumbs"', 1)[1].split("</nav>", 1)[0]
    # 重庆市 > 主城都市区 > 中心城区
    assert crumbs.index("/regions/500000") < crumbs.index("/regions/500000-MA")
    assert "中心城区" in crumbs
    assert _goal_items(central) == _totals(client, "500000-CC")


def test_as_of_replays_an_earlier_moment(client: TestClient) -> None:
    plan_id = _key_projects_plan_id(client)
    # the H1 report was recorded on 2023-07-25: on 1 July the plan had no figure
    before = _text(client.get(f"/plans/{plan_id}", params={"as_of": "2023-07-01"}).text)
    assert "2,411" not in before and "暂无数据" in before
    after = _text(client.get(f"/plans/{plan_id}", params={"as_of": "2023-08-01T00:00:00Z"}).text)
    assert "完成 56.07 %" in after
    board = client.get("/", params={"as_of": "2023-07-01"}).text
    assert "2,411 亿元" not in board
    assert f'href="/plans/{plan_id}?as_of=2023-07-01"' in board


def test_plan_page(client: TestClient) -> None:
    plan_id = _key_projects_plan_id(client)
    html = client.get(f"/plans/{plan_id}").text
    text = _text(html)
    assert "市级重点建设项目完成投资" in text
    assert "完成 56.07 %，快于序时进度（50 %）6.07 个百分点" in text
    assert "打表推进市级重点项目建设,确保全年完成投资4300亿元以上" in text
    assert "001_8bd53d08bbbd03ea" in text
    assert "54.7 %" in text  # the completion the report itself states
    # revision history: who and when
    assert "2023-07-25 00:00:00 UTC" in text and "seed" in text
    chart = json.loads(re.search(r'id="chart-data">(.*?)</script>', html, re.S)[1])  # type: ignore[index]
    assert chart["figures"] == [[2023.5, 2411.0, "2023-H1"]]
    assert chart["goal"] == 4300.0
    # the 序时进度 line: nothing at the start of 2023, the whole plan at its end
    assert chart["schedule"] == [[2023.0, 0.0, "2023-01"], [2024.0, 4300.0, "2023-12"]]
    assert "echarts.min.js" in html and "goal-chart.js" in html


def test_target_page_with_baseline_and_quote(client: TestClient) -> None:
    html = client.get(f"/targets/{_gdp_target_id(client)}").text
    text = _text(html)
    assert "地区生产总值" in text and "≥ 4 万亿元" in text
    assert "到2027年地区生产总值迈上4万亿元台阶" in text
    chart = json.loads(re.search(r'id="chart-data">(.*?)</script>', html, re.S)[1])  # type: ignore[index]
    # 20,100 and 29,000 亿元 (2017, 2022) in the goal's unit, 万亿元; 2022 is the baseline
    assert chart["figures"] == [[2018.0, 2.01, "2017"], [2023.0, 2.9, "2022"]]
    assert chart["baseline"] == [[2023.0, 2.9, "2022"]]
    assert chart["goal"] == 4.0 and chart["end"] == 2028.0


def test_a_new_revision_shows_with_who_and_when(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    plan_id = _key_projects_plan_id(client)
    posted = client.post(
        "/api/v1/observations",
        json={
            "indicator": "key_project_investment",
            "region": "500000",
            "period": "2023-H1",
            "value": 2580,
            "unit": "亿元",
        },
        headers=bearer(api_keys["analyst"]),
    )
    assert posted.status_code == 201, posted.text
    html = client.get(f"/plans/{plan_id}").text
    revisions = _text(html.split('class="revisions"', 1)[1])
    assert "test-analyst" in revisions and "seed" in revisions
    assert "2,580 亿元" in revisions and "2,411 亿元" in revisions
    # the progress and the chart use the latest revision: 2,580 ÷ 4,300 = 60 %
    assert "完成 60 %" in _text(html)
    assert "[2023.5, 2580.0" in html


@pytest.mark.parametrize(
    "path",
    ["/regions/999999", "/targets/999999", "/plans/0", "/targets/abc", "/plans/99999999999"],
)
def test_unknown_codes_and_ids_are_a_friendly_404(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "页面不存在" in response.text and 'href="/"' in response.text
    english = client.get(path, params={"lang": "en"})
    assert english.status_code == 404 and "Page not found" in english.text


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "great"}, "status"),
        ({"as_of": "yesterday"}, "as_of"),
        ({"as_of": "2023-13-01"}, "as_of"),
        ({"lang": "fr"}, "lang"),
    ],
)
def test_bad_parameters_name_the_field(
    client: TestClient, query: dict[str, str], field: str
) -> None:
    response = client.get("/", params=query)
    assert response.status_code == 422
    assert f"<code>{field}</code>" in response.text


def _pages(client: TestClient) -> list[str]:
    return [
        "/",
        "/?lang=en",
        "/regions/500115",
        f"/targets/{_gdp_target_id(client)}",
        f"/plans/{_key_projects_plan_id(client)}",
        "/regions/unknown",
        "/docs",
        "/redoc",
    ]


def test_no_page_refers_to_another_host(client: TestClient) -> None:
    assets: set[str] = set()
    for path in _pages(client):
        html = client.get(path).text
        assert not EXTERNAL.findall(html), (path, EXTERNAL.findall(html))
        assets |= set(LOCAL_ASSET.findall(html))
    assert {
        "/static/vendor/swagger-ui/swagger-ui-bundle.js",
        "/static/vendor/swagger-ui/swagger-ui.css",
        "/static/vendor/redoc/redoc.standalone.js",
        "/static/vendor/echarts/echarts.min.js",
        "/static/pages.css",
        "/static/goal-chart.js",
    } <= assets
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset
        assert len(response.content) > 100


def test_docs_offline_and_openapi_unchanged(client: TestClient) -> None:
    docs = client.get("/docs").text
    assert "/openapi.json" in docs and '"validatorUrl": null' in docs
    assert client.get("/docs/oauth2-redirect").status_code == 200
    schema = client.get("/openapi.json").json()
    assert "/api/v1/observations" in schema["paths"]
    # the pages stay out of the API's schema
    assert not [p for p in schema["paths"] if not p.startswith(("/api/", "/healthz", "/readyz"))]


def test_region_page_reads_stored_progress_in_a_few_statements(
    client: TestClient, connection: Connection
) -> None:
    """The scorecard is answered from each goal's stored progress: a fixed number of
    statements whatever the number of goals, none of them on the observation table."""
    for code in ("500000", "500115"):
        client.get(f"/regions/{code}")  # stores any progress not stored yet
    counted = {}
    for code in ("500000", "500115"):
        with counting(connection) as statements:
            html = client.get(f"/regions/{code}").text
        assert _goal_items(html) == _totals(client, code) > 0
        on_observations = [s for s in statements if re.search(r"\bobservation\b", s)]
        assert not on_observations, on_observations
        counted[code] = len(statements)
    assert counted["500000"] == counted["500115"] <= 8, counted
    # as of another moment the page computes from the figures: the check sees that read
    with counting(connection) as statements:
        client.get("/regions/500000", params={"as_of": "2023-08-01"})
    assert any(re.search(r"\bobservation\b", s) for s in statements)


def test_a_span_of_years_is_in_the_figures_table_and_not_on_the_chart(
    client: TestClient,
) -> None:
    """002's 累计城镇新增就业362万人 (2018-2022) beside the 2023-2027 target of 300万: a row of
    the table, marked as a span, but no point of the line (it is no year's figure)."""
    (target,) = client.get(
        "/api/v1/targets", params={"indicator": "urban_new_jobs", "region": "500000"}
    ).json()["items"]
    html = client.get(f"/targets/{target['id']}").text
    text = _text(html)
    assert "2018-2022 多年合计(存量为期末值),增速为年均增长 362 万人" in text
    assert "累计城镇新增就业362万人" in text
    assert html.count('class="span"') == 1  # the 2023-H1 row is no span
    chart = json.loads(re.search(r'id="chart-data">(.*?)</script>', html, re.S)[1])  # type: ignore[index]
    assert [label for *_, label in chart["figures"]] == ["2023-H1"]
    english = _text(client.get(f"/targets/{target['id']}", params={"lang": "en"}).text)
    assert "2018-2022 span of years: the total (a stock: its level at the end)" in english


# --- the reviewer's page ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({}, ["审核待发布数据", "API 密钥", "批准所选", "驳回所选", "sessionStorage"]),
        (
            {"lang": "en"},
            ["Review pending figures", "reviewer", "Approve selected", "Reject selected"],
        ),
    ],
)
def test_the_review_page_is_a_shell_for_review_js(
    client: TestClient, query: dict[str, str], words: list[str]
) -> None:
    response = client.get("/review", params=query)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    text = _text(response.text)
    for word in words:
        assert word in text, word
    assert not EXTERNAL.findall(response.text)
    assert '<script src="/static/page-kit.js"></script>\n<script src="/static/review.js">' in (
        response.text
    )
    # The words review.js shows, in the page's language, as JSON the page carries.
    carried = re.search(
        r'<script type="application/json" id="review-words">(.*?)</script>', response.text, re.S
    )
    assert carried is not None
    words_json = json.loads(carried.group(1))
    own = words_json["own_figures"]
    assert ("四眼原则" in own) if not query else ("four eyes" in own)
    assert words_json["status_achieved"] == ("已完成" if not query else "Achieved")
    # No key in the page, no form that posts it anywhere: the script does the fetches.
    assert "<form" in response.text and "method=" not in response.text


def test_review_js_talks_to_the_apps_own_api_only() -> None:
    from pathlib import Path

    import app.pages

    static = Path(app.pages.__file__).parent / "static"
    script = (static / "review.js").read_text()
    kit = (static / "page-kit.js").read_text()
    for text in (script, kit):
        code = re.sub(r"^\s*//.*$", "", text, flags=re.M)  # the comments dropped
        assert "//" not in code, "no absolute address"
        for never in ("document.cookie", "localStorage", "innerHTML", "eval("):
            assert never not in code, never
    assert re.findall(r'"/api/v1/[a-z/]*"', script) == ['"/api/v1/observations"']
    assert 'credentials: "omit"' in script and "kit.keyStore(" in script
    assert "sessionStorage.getItem(name)" in kit


def test_every_page_links_to_the_review_page(client: TestClient) -> None:
    assert 'href="/review"' in client.get("/").text
    assert 'href="/review?lang=en"' in client.get("/", params={"lang": "en"}).text
    assert client.get("/review", params={"lang": "fr"}).status_code == 422


# --- the import page --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({}, ["导入数据文件", "检查(试运行)", "保存", "sessionStorage"]),
        ({"lang": "en"}, ["Import a file of figures", "Check (dry run)", "Store"]),
    ],
)
def test_the_import_page_is_a_shell_for_import_js(
    client: TestClient, query: dict[str, str], words: list[str]
) -> None:
    response = client.get("/import", params=query)
    assert response.status_code == 200
    text = _text(response.text)
    for word in words:
        assert word in text, word
    assert not EXTERNAL.findall(response.text)
    assert '<script src="/static/import.js">' in response.text
    carried = re.search(
        r'<script type="application/json" id="import-words">(.*?)</script>', response.text, re.S
    )
    assert carried is not None
    assert "dry_bad" in json.loads(carried.group(1))
    assert 'href="/import"' in client.get("/").text


def test_import_js_talks_to_the_import_endpoint_only() -> None:
    from pathlib import Path

    import app.pages

    script = (Path(app.pages.__file__).parent / "static" / "import.js").read_text()
    code = re.sub(r"^\s*//.*$", "", script, flags=re.M)
    assert "//" not in code, "no absolute address"
    assert re.findall(r'"/api/v1/[a-z/]*"', script) == ['"/api/v1/observations/import"']
    assert 'credentials: "omit"' in script and "kit.keyStore(" in script
    for never in ("document.cookie", "localStorage", "sessionStorage", "innerHTML", "eval("):
        assert never not in code, never
