"""The pages in a real browser: headless Chromium through Selenium, against the app served
by uvicorn on a free port, with every address but 127.0.0.1 unreachable.

Skipped only where Chromium is missing and ``CI`` is not set; in CI a missing browser fails.
Screenshots go to ``$SCREENSHOTS_DIR`` (default: the test's temp folder);
``SCREENSHOTS_DIR=docs/screenshots pytest tests/pages/test_browser.py`` refreshes the
README's.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine

from app.settings import Settings
from tests.live_server import serving

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
PHONE = (390, 844)
DESKTOP = (1280, 1000)

if not (CHROMIUM and CHROMEDRIVER):
    if os.environ.get("CI"):
        pytest.fail(
            "CI is set but chromium or chromedriver is missing (.ci/run installs them)",
            pytrace=False,
        )
    pytest.skip(
        "headless Chromium is not installed (apt-get install chromium chromium-driver)",
        allow_module_level=True,
    )

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.options import Options  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


@pytest.fixture(scope="module")
def base_url(engine: Engine, database_url: str) -> Iterator[str]:
    """The app on uvicorn in a thread of this process, on the seeded test database."""
    del engine  # migrated and seeded by then
    with serving(Settings(database_url=database_url, backlog_refresher=False)) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    options = Options()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        # nothing outside this machine answers: a page that needs it shows the failure
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("SCREENSHOTS_DIR")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _open(driver: WebDriver, url: str, size: tuple[int, int]) -> None:
    driver.set_window_size(*size)
    driver.get_log("browser")  # drop what earlier pages logged
    driver.get(url)
    WebDriverWait(driver, 30).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )


def _assert_clean(driver: WebDriver, base_url: str) -> None:
    """No console error, no failed request, and every request to the app itself."""
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors
    requested: list[str] = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    assert all(name.startswith(base_url) for name in requested), requested


def _assert_fits(driver: WebDriver) -> None:
    widths: list[int] = driver.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert widths[0] <= widths[1], f"the page is {widths[0]} px wide in a {widths[1]} px window"


def _screenshot(driver: WebDriver, path: Path, max_height: int = 4000) -> None:
    """The page from its top, as long as it is (up to ``max_height``) at the current width."""
    width, height = driver.get_window_size()["width"], driver.get_window_size()["height"]
    full: int = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(width, min(max(full + 140, height), max_height))
    driver.save_screenshot(str(path))
    driver.set_window_size(width, height)


def _api(base_url: str, path: str, **params: Any) -> Any:
    return httpx.get(f"{base_url}{path}", params=params, timeout=30).json()


@pytest.mark.parametrize(("name", "size"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_docs_render_every_operation_offline(
    browser: WebDriver, base_url: str, shots: Path, name: str, size: tuple[int, int]
) -> None:
    schema = _api(base_url, "/openapi.json")
    operations = sum(
        1 for item in schema["paths"].values() for method in item if method != "parameters"
    )
    _open(browser, f"{base_url}/docs", size)
    WebDriverWait(browser, 30).until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, ".opblock")) == operations
    )
    posts = [
        e.text
        for e in browser.find_elements(By.CSS_SELECTOR, ".opblock-post .opblock-summary-path")
    ]
    assert "/api/v1/observations" in posts
    browser.save_screenshot(str(shots / f"docs-{name}.png"))
    _assert_clean(browser, base_url)


@pytest.mark.parametrize(("name", "size"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_redoc_renders_offline(
    browser: WebDriver, base_url: str, shots: Path, name: str, size: tuple[int, int]
) -> None:
    _open(browser, f"{base_url}/redoc", size)
    WebDriverWait(browser, 60).until(
        lambda d: "Targets with their progress, filtered and paged" in d.page_source
    )
    browser.save_screenshot(str(shots / f"redoc-{name}.png"))
    _assert_clean(browser, base_url)


@pytest.mark.parametrize(("name", "size"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_dashboard(
    browser: WebDriver, base_url: str, shots: Path, name: str, size: tuple[int, int]
) -> None:
    _open(browser, f"{base_url}/", size)
    listed = len(browser.find_elements(By.CSS_SELECTOR, "li.goal"))
    targets = _api(base_url, "/api/v1/targets", region="500000", limit=1)["total"]
    plans = _api(base_url, "/api/v1/plans", region="500000", limit=1)["total"]
    assert listed == targets + plans
    assert "达到序时进度" in browser.find_element(By.CSS_SELECTOR, "section.summary").text
    _assert_fits(browser)
    _assert_clean(browser, base_url)
    _screenshot(browser, shots / f"dashboard-{name}.png", 2400)
    _open(browser, f"{base_url}/?lang=en", size)
    _assert_fits(browser)
    _screenshot(browser, shots / f"dashboard-en-{name}.png", 2400)


@pytest.mark.parametrize(("name", "size"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_region_page(
    browser: WebDriver, base_url: str, shots: Path, name: str, size: tuple[int, int]
) -> None:
    _open(browser, f"{base_url}/regions/500115", size)
    crumbs = browser.find_element(By.CSS_SELECTOR, "nav.crumbs").text
    assert "重庆市" in crumbs and "长寿区" in crumbs
    listed = len(browser.find_elements(By.CSS_SELECTOR, "li.goal"))
    plans = _api(base_url, "/api/v1/plans", region="500115", limit=1)["total"]
    targets = _api(base_url, "/api/v1/targets", region="500115", limit=1)["total"]
    assert listed == plans + targets > 0
    _assert_fits(browser)
    _assert_clean(browser, base_url)
    _screenshot(browser, shots / f"region-500115-{name}.png", 2400)


def _chart_series(driver: WebDriver) -> dict[str, int]:
    """Each series of the page's chart, by name, with how many points it draws."""
    found: dict[str, int] = driver.execute_script(
        """
        const chart = echarts.getInstanceByDom(document.getElementById('chart'));
        if (!chart) { return null; }
        const out = {};
        for (const s of chart.getOption().series) { out[s.name] = s.data.length; }
        return out;
        """
    )
    return found


@pytest.mark.parametrize(("name", "size"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_target_page_draws_its_figures(
    browser: WebDriver, base_url: str, shots: Path, name: str, size: tuple[int, int]
) -> None:
    items = _api(base_url, "/api/v1/targets", region="500000", indicator="gdp", end_year=2027)
    target = next(i for i in items["items"] if i["value"] == 4 and i["comparator"] == ">=")
    detail = _api(base_url, f"/api/v1/targets/{target['id']}")
    with_values = [f for f in detail["history"] if f["value"] is not None]
    _open(browser, f"{base_url}/targets/{target['id']}", size)
    WebDriverWait(browser, 30).until(lambda d: _chart_series(d) is not None)
    series = _chart_series(browser)
    assert series["实际数据"] == len(with_values) == 2  # 2017 and 2022
    assert series["目标值"] == 2 and series["基期值"] == 1
    assert browser.find_elements(By.CSS_SELECTOR, "#chart svg path")
    assert "到2027年地区生产总值迈上4万亿元台阶" in browser.find_element(By.TAG_NAME, "body").text
    _assert_fits(browser)
    _assert_clean(browser, base_url)
    _screenshot(browser, shots / f"target-gdp-{name}.png")


@pytest.mark.parametrize(("name", "size"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_plan_page_draws_the_schedule_line(
    browser: WebDriver, base_url: str, shots: Path, name: str, size: tuple[int, int]
) -> None:
    items = _api(base_url, "/api/v1/plans", region="500000", indicator="key_project_investment")[
        "items"
    ]
    _open(browser, f"{base_url}/plans/{items[0]['id']}?lang=en", size)
    WebDriverWait(browser, 30).until(lambda d: _chart_series(d) is not None)
    series = _chart_series(browser)
    assert series["Figures"] == 1 and series["序时进度 (even pace)"] == 2
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "2,411 亿元 of ≥ 4,300 亿元: 56.07 %, 6.07 points ahead of 序时进度 50 %" in body
    _assert_fits(browser)
    _assert_clean(browser, base_url)
    _screenshot(browser, shots / f"plan-key-projects-{name}.png")


def test_not_found_page(browser: WebDriver, base_url: str, shots: Path) -> None:
    _open(browser, f"{base_url}/targets/999999", PHONE)
    assert "页面不存在" in browser.find_element(By.TAG_NAME, "h1").text
    _assert_fits(browser)
    browser.save_screenshot(str(shots / "not-found-phone.png"))


KEY_PROJECTS_QUOTE = "打表推进市级重点项目建设,确保全年完成投资4300亿元以上"


@pytest.mark.parametrize(("name", "size"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_document_page_marks_its_figures(
    browser: WebDriver, base_url: str, shots: Path, name: str, size: tuple[int, int]
) -> None:
    plan = _api(base_url, "/api/v1/plans", region="500000", indicator="key_project_investment")
    plan_id = plan["items"][0]["id"]
    counts = _api(base_url, "/api/v1/documents/001_8bd53d08bbbd03ea")["figures"]
    _open(browser, f"{base_url}/documents/001_8bd53d08bbbd03ea", size)
    marks = browser.find_elements(By.CSS_SELECTOR, "article a.fig mark")
    notes = browser.find_elements(By.CSS_SELECTOR, "ul.fig-notes > li")
    assert len(marks) == len(notes) > 100
    listed = browser.find_elements(By.CSS_SELECTOR, "ul.fig-notes ul > li")
    assert len(listed) == counts["plans"] + counts["observations"]  # 001 states no target
    key = [m for m in marks if m.text == KEY_PROJECTS_QUOTE]
    assert len(key) == 1
    link = key[0].find_element(By.XPATH, "..")
    assert link.get_attribute("href") == f"{base_url}/plans/{plan_id}"
    _assert_fits(browser)
    _assert_clean(browser, base_url)
    _screenshot(browser, shots / f"document-001-{name}.png", 2400)


def test_document_page_flags_page_furniture_on_a_phone(
    browser: WebDriver, base_url: str, shots: Path
) -> None:
    _open(browser, f"{base_url}/documents/003_43741abbd79f158f?lang=en", PHONE)
    furniture = browser.find_elements(By.CSS_SELECTOR, "article .furniture")
    first = furniture[0].text
    assert "中级经济师 通过率重庆主要产业是什么国际经济三大支柱" in first
    assert "page furniture" in first  # said in words, not by the grey alone
    assert furniture[-1].text.endswith("返回搜狐,查看更多")
    _assert_fits(browser)
    _assert_clean(browser, base_url)
    _screenshot(browser, shots / "document-003-en-phone.png", 2400)


def test_goal_page_quote_leads_to_its_place_in_the_document(
    browser: WebDriver, base_url: str, shots: Path
) -> None:
    plan = _api(base_url, "/api/v1/plans", region="500000", indicator="key_project_investment")
    _open(browser, f"{base_url}/plans/{plan['items'][0]['id']}", DESKTOP)
    browser.find_element(By.CSS_SELECTOR, "section.quotes a.quote-link").click()
    WebDriverWait(browser, 30).until(lambda d: "/documents/001_" in d.current_url)
    targeted = browser.find_element(By.CSS_SELECTOR, "mark:has(.anchor:target)")
    assert targeted.text == KEY_PROJECTS_QUOTE
    top = browser.execute_script("return arguments[0].getBoundingClientRect().top", targeted)
    assert 0 <= top < DESKTOP[1] / 2  # scrolled to it
    _assert_clean(browser, base_url)
    browser.save_screenshot(str(shots / "document-001-at-quote-desktop.png"))


# --- the reviewer's page, against a service in PUBLISH_MODE=review ---------------------

# 长寿区's fixed-asset investment: its 2023 plan (350 亿元) moves when a 2023 figure is approved.
ZONE_FAI = {"indicator": "fixed_asset_investment", "region": "500115", "unit": "亿元"}
REVIEW_KEYS = {
    "browser-analyst": "analyst",
    "browser-reviewer": "reviewer",
    "browser-admin": "admin",
}


@pytest.fixture(scope="module")
def review_service(engine: Engine, database_url: str) -> Iterator[tuple[str, dict[str, str]]]:
    """The app in review mode and three keys, committed; afterwards the keys, their figures,
    their audit entries go, and 长寿区's goals of the series are recomputed without them."""
    from sqlalchemy import delete
    from sqlalchemy.orm import Session

    from app.db import UnitOfWork
    from app.models import ApiKey, AuditEntry, Observation
    from app.services import api_keys, stored_reads

    with Session(engine) as session:
        keys = {
            name: api_keys.create_key(session, name, role) for name, role in REVIEW_KEYS.items()
        }
        session.commit()
    settings = Settings(database_url=database_url, backlog_refresher=False, publish_mode="review")
    try:
        with serving(settings) as url:
            yield url, keys
    finally:
        names = list(REVIEW_KEYS)

        def clean(session: Session) -> None:
            session.execute(delete(Observation).where(Observation.recorded_by.in_(names)))
            session.execute(delete(AuditEntry).where(AuditEntry.actor.in_(names)))
            session.execute(delete(ApiKey).where(ApiKey.name.in_(names)))
            stored_reads.refresh_for_figures(session, [("fixed_asset_investment", "500115", 2022)])

        with Session(engine) as session:
            UnitOfWork(session).run(clean)


def _post_figure(url: str, key: str, **row: Any) -> int:
    answer = httpx.post(
        f"{url}/api/v1/observations", json={**ZONE_FAI, **row}, headers=_auth(key), timeout=30
    )
    assert answer.status_code == 201, answer.text
    figure: int = answer.json()["items"][0]["id"]
    return figure


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _pending_ids(driver: WebDriver) -> list[int]:
    ids: list[int] = driver.execute_script(
        "return [...document.querySelectorAll('li.figure')].map(li => Number(li.dataset.id))"
    )
    return ids


def _pick_and_approve(driver: WebDriver, figure: int) -> None:
    for box in driver.find_elements(By.CSS_SELECTOR, "li.figure input[type=checkbox]"):
        if box.is_selected() != (box.get_attribute("value") == str(figure)):
            box.click()
    driver.find_element(By.ID, "approve").click()


def test_a_reviewer_approves_a_pending_figure_on_the_review_page(
    browser: WebDriver, review_service: tuple[str, dict[str, str]], shots: Path
) -> None:
    url, keys = review_service
    # Published at once (an admin's): 100 亿元 in 2022; the analyst's 400 in 2023 is 4x that.
    _post_figure(url, keys["browser-admin"], period="2022", value=100)
    theirs = _post_figure(url, keys["browser-analyst"], period="2023", value=400)
    own = _post_figure(url, keys["browser-reviewer"], period="2023-H1", value=170)

    _open(browser, f"{url}/review", DESKTOP)
    assert not browser.find_elements(By.CSS_SELECTOR, "li.figure")  # no key, no list
    browser.find_element(By.ID, "review-key").send_keys(keys["browser-reviewer"])
    browser.find_element(By.CSS_SELECTOR, "#key-form button[type=submit]").click()
    WebDriverWait(browser, 30).until(lambda d: len(_pending_ids(d)) == 2)
    assert sorted(_pending_ids(browser)) == sorted([theirs, own])
    assert browser.execute_script("return document.cookie") == ""
    assert browser.execute_script("return sessionStorage.length") == 1
    group = browser.find_element(By.CSS_SELECTOR, ".region-group h3").text
    assert "长寿区" in group and "500115" in group
    item = browser.find_element(By.CSS_SELECTOR, f'li.figure[data-id="{theirs}"]').text
    assert "400 亿元" in item and "browser-analyst" in item
    assert "异常值" in item and "400 亿元 is 4.00× the 2022 figure (100 亿元)" in item

    # The reviewer's own figure: refused, in words; nothing decided.
    _pick_and_approve(browser, own)
    message = browser.find_element(By.ID, "review-message")
    WebDriverWait(browser, 30).until(lambda d: "四眼原则" in message.text)
    assert "不能审核自己提交的数据" in message.text
    assert sorted(_pending_ids(browser)) == sorted([theirs, own])
    logged = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert len(logged) == 1 and "/api/v1/observations/review" in logged[0]
    assert "403" in logged[0]
    _assert_fits(browser)
    _assert_clean(browser, url)
    _screenshot(browser, shots / "review-desktop.png")

    # At phone width, the analyst's figure: approved, it leaves the list, and the goals it
    # moved are linked.
    browser.set_window_size(*PHONE)
    _pick_and_approve(browser, theirs)
    WebDriverWait(browser, 30).until(lambda d: _pending_ids(d) == [own])
    assert "已批准 1 条数据" in message.text
    published = httpx.get(
        f"{url}/api/v1/observations",
        params={"indicator": "fixed_asset_investment", "region": "500115", "period": "2023"},
        timeout=30,
    ).json()["items"]
    assert [(o["id"], o["value"], o["state"]) for o in published] == [(theirs, 400, "published")]
    assert published[0]["reviewed_by"] == "browser-reviewer"
    # 长寿区's 2023 plans of fixed-asset investment: 350 (400 / 350 = 114.29 %) and 400 (100 %).
    plans = httpx.get(
        f"{url}/api/v1/plans",
        params={"indicator": "fixed_asset_investment", "region": "500115", "year": 2023},
        timeout=30,
    ).json()["items"]
    assert sorted(p["progress"]["completion_rate"] for p in plans) == [100, 114.2857]
    links = {a.get_attribute("href") for a in message.find_elements(By.CSS_SELECTOR, "a")}
    assert {f"{url}/plans/{p['id']}" for p in plans} <= links
    assert "受影响的目标与计划" in message.text and "已完成" in message.text
    _assert_fits(browser)
    _screenshot(browser, shots / "review-phone.png")
    browser.find_element(By.ID, "forget-key").click()
    assert browser.execute_script("return sessionStorage.length") == 0


# --- the import page, against a service in the default (immediate) mode ----------------

IMPORTER = "browser-importer"


@pytest.fixture(scope="module")
def import_service(engine: Engine, database_url: str) -> Iterator[tuple[str, str]]:
    """The app and an analyst key, committed; afterwards the key, its figures, audit
    entries and idempotency records go, and 长寿区's goals of the series are recomputed."""
    from sqlalchemy import delete, select
    from sqlalchemy.orm import Session

    from app.db import UnitOfWork
    from app.models import ApiKey, AuditEntry, IdempotencyRecord, Observation
    from app.services import api_keys, stored_reads

    with Session(engine) as session:
        key = api_keys.create_key(session, IMPORTER, "analyst")
        session.commit()
    try:
        with serving(Settings(database_url=database_url, backlog_refresher=False)) as url:
            yield url, key
    finally:

        def clean(session: Session) -> None:
            ids = select(ApiKey.id).where(ApiKey.name == IMPORTER)
            session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.api_key_id.in_(ids)))
            session.execute(delete(Observation).where(Observation.recorded_by == IMPORTER))
            session.execute(delete(AuditEntry).where(AuditEntry.actor == IMPORTER))
            session.execute(delete(ApiKey).where(ApiKey.name == IMPORTER))
            stored_reads.refresh_for_figures(session, [("fixed_asset_investment", "500115", 2022)])

        with Session(engine) as session:
            UnitOfWork(session).run(clean)


def _imported(url: str) -> list[dict[str, Any]]:
    figures: list[dict[str, Any]] = httpx.get(
        f"{url}/api/v1/observations",
        params={"indicator": "fixed_asset_investment", "region": "500115", "limit": 1000},
        timeout=30,
    ).json()["items"]
    return [o for o in figures if o["recorded_by"] == IMPORTER]


def test_the_import_page_dry_runs_a_file_then_stores_it(
    browser: WebDriver, import_service: tuple[str, str], shots: Path, tmp_path: Path
) -> None:
    url, key = import_service
    header = "indicator,region,period,value,unit\n"
    bad = tmp_path / "bad.csv"
    bad.write_text(
        header + "fixed_asset_investment,500115,2023-Q3,300,亿元\n"
        "fixed_asset_investment,500115,2023-M13,1,亿元\n",
        encoding="utf-8",
    )
    good = tmp_path / "good.csv"
    good.write_text(header + "fixed_asset_investment,500115,2023-Q3,300,亿元\n", encoding="utf-8")

    _open(browser, f"{url}/import", DESKTOP)
    browser.find_element(By.ID, "import-key").send_keys(key)
    browser.find_element(By.ID, "import-file").send_keys(str(bad))
    browser.find_element(By.ID, "check").click()
    message = browser.find_element(By.ID, "import-message")
    WebDriverWait(browser, 30).until(lambda d: "检查未通过" in message.text)
    rows = browser.find_elements(By.CSS_SELECTOR, ".import-problems.bad tbody tr")
    assert [r.find_elements(By.TAG_NAME, "td")[0].text for r in rows] == ["2"]
    assert rows[0].find_elements(By.TAG_NAME, "td")[1].text == "period"
    assert not browser.find_element(By.ID, "store").is_enabled()
    assert _imported(url) == []  # a dry run stores nothing, and a bad file never
    assert browser.execute_script("return document.cookie") == ""

    browser.find_element(By.ID, "import-file").send_keys(str(good))
    browser.find_element(By.ID, "check").click()
    WebDriverWait(browser, 30).until(lambda d: "检查通过" in message.text)
    assert _imported(url) == []
    # The dry run already names the goals the figure moves: 长寿区's 2023 plans.
    assert browser.find_elements(By.CSS_SELECTOR, "ul.moved-goals a")
    _assert_fits(browser)
    _screenshot(browser, shots / "import-desktop.png")

    store = browser.find_element(By.ID, "store")
    assert store.is_enabled()
    store.click()
    WebDriverWait(browser, 30).until(lambda d: "已保存 1 条数据" in message.text)
    stored = _imported(url)
    assert [(o["period"], o["value"]) for o in stored] == [("2023-Q3", 300)]
    plans = httpx.get(
        f"{url}/api/v1/plans",
        params={"indicator": "fixed_asset_investment", "region": "500115", "year": 2023},
        timeout=30,
    ).json()["items"]
    links = {
        a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "ul.moved-goals a")
    }
    assert {f"{url}/plans/{p['id']}" for p in plans} <= links
    assert not store.is_enabled()  # stored once: pressing again would need a new check
    browser.set_window_size(*PHONE)
    _assert_fits(browser)
    _assert_clean(browser, url)
    _screenshot(browser, shots / "import-phone.png")


# --- the intake page: a new document proposed, checked and confirmed ------------------

INTAKER = "browser-intaker"
INTAKE_CODE = "browser_changshou_2024h1"
INTAKE_TITLE = "长寿区2024年上半年经济运行情况"
INTAKE_TEXT = (
    f"{INTAKE_TITLE}\n"
    "上半年,全区实现地区生产总值450亿元,同比增长6.1%。"
    "规上工业总产值完成620亿元,同比增长8.2%。\n"
    "全年固定资产投资确保完成380亿元以上。\n"
)
# What a person would choose where the reading names no indicator.
INTAKE_CHOICES = {"规上工业总产值": "industrial_output", "地区生产总值": "gdp"}


@pytest.fixture(scope="module")
def intake_service(engine: Engine, database_url: str) -> Iterator[tuple[str, str]]:
    """The app and an admin key, committed; afterwards the document, what cites it, the
    key and its audit entries go, and 长寿区's goals of the series are recomputed."""
    from sqlalchemy import delete, or_
    from sqlalchemy.orm import Session

    from app.db import UnitOfWork
    from app.models import ApiKey, AuditEntry, Document, Observation, Plan, Target
    from app.services import api_keys, stored_reads

    with Session(engine) as session:
        key = api_keys.create_key(session, INTAKER, "admin")
        session.commit()
    try:
        with serving(Settings(database_url=database_url, backlog_refresher=False)) as url:
            yield url, key
    finally:

        def clean(session: Session) -> None:
            session.execute(delete(Observation).where(Observation.document_code == INTAKE_CODE))
            for model in (Target, Plan):
                session.execute(delete(model).where(model.document_code == INTAKE_CODE))
            session.execute(
                delete(AuditEntry).where(
                    or_(AuditEntry.actor == INTAKER, AuditEntry.entity_key == INTAKE_CODE)
                )
            )
            session.execute(delete(Document).where(Document.code == INTAKE_CODE))
            session.execute(delete(ApiKey).where(ApiKey.name == INTAKER))
            stored_reads.refresh_for_figures(
                session,
                [
                    ("gdp", "500115", 2024),
                    ("industrial_output", "500115", 2024),
                    ("fixed_asset_investment", "500115", 2024),
                ],
            )

        with Session(engine) as session:
            UnitOfWork(session).run(clean)


def _proposal_rows(driver: WebDriver) -> list[Any]:
    return driver.find_elements(By.CSS_SELECTOR, "#intake-proposals tbody.proposal")


def test_the_intake_page_proposes_a_documents_figures_and_stores_the_ticked_ones(
    browser: WebDriver, intake_service: tuple[str, str], shots: Path
) -> None:
    from selenium.webdriver.support.ui import Select

    url, key = intake_service
    _open(browser, f"{url}/documents", DESKTOP)
    browser.find_element(By.CSS_SELECTOR, 'a[href="/documents/new"]').click()
    WebDriverWait(browser, 30).until(lambda d: d.current_url.endswith("/documents/new"))
    # the regions come from the API
    WebDriverWait(browser, 30).until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, "#intake-region option")) > 2
    )
    browser.find_element(By.ID, "intake-key").send_keys(key)
    browser.find_element(By.ID, "intake-code").send_keys(INTAKE_CODE)
    browser.find_element(By.ID, "intake-title").send_keys(INTAKE_TITLE)
    browser.execute_script(
        "document.getElementById('intake-date').value = '2024-07-20'"
    )  # a date input takes its value in the browser's locale when typed
    Select(browser.find_element(By.ID, "intake-region")).select_by_value("500115")
    browser.find_element(By.ID, "intake-issuer").send_keys("长寿区统计局")
    browser.find_element(By.ID, "intake-text").send_keys(INTAKE_TEXT)
    browser.find_element(By.ID, "propose").click()
    message = browser.find_element(By.ID, "intake-message")
    WebDriverWait(browser, 30).until(lambda d: "候选数据" in message.text)
    rows = _proposal_rows(browser)
    quotes = [r.find_element(By.CSS_SELECTOR, "q.intake-quote").text for r in rows]
    assert any("620亿元" in q for q in quotes) and any("450亿元" in q for q in quotes)
    # the numbers of each quote are marked
    marked = rows[0].find_elements(By.CSS_SELECTOR, "q.intake-quote mark.num")
    assert marked and all(any(c.isdigit() for c in m.text) for m in marked)
    assert _imported_from(url) == ([], [])  # proposing stores nothing

    # Name the indicator where none was matched.
    for row in rows:
        for choice in row.find_elements(By.CSS_SELECTOR, "select.indicator-choice"):
            phrase = next(p for p in INTAKE_CHOICES if p in row.text)
            Select(choice).select_by_value(INTAKE_CHOICES[phrase])
    # The person corrects the text after proposing: the industrial output's quote is no
    # longer in it, and confirming refuses everything, the reason on that row.
    text = browser.find_element(By.ID, "intake-text")
    text.clear()
    text.send_keys(INTAKE_TEXT.replace("8.2%", "8.3%"))
    browser.find_element(By.ID, "confirm").click()
    WebDriverWait(browser, 30).until(lambda d: "未保存任何内容" in message.text)
    industry = next(r for r in rows if "620亿元" in r.text)
    assert "bad" in industry.get_attribute("class")
    assert "引文: not found in the document's text" in industry.text
    assert [r for r in rows if "bad" in r.get_attribute("class")] == [industry]
    assert _imported_from(url) == ([], [])
    assert httpx.get(f"{url}/api/v1/documents/{INTAKE_CODE}", timeout=30).status_code == 404
    logged = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert len(logged) == 1 and "/api/v1/documents - " in logged[0] and "422" in logged[0]
    browser.execute_script("window.scrollTo(0, 0)")
    _screenshot(browser, shots / "intake-refused-desktop.png")

    # Untick it and confirm again: the rest is stored.
    industry.find_element(By.CSS_SELECTOR, "input.keep").click()
    assert "off" in industry.get_attribute("class")
    assert f"{len(rows) - 1} / {len(rows)}" in browser.find_element(By.ID, "ticked-count").text
    browser.find_element(By.ID, "confirm").click()
    WebDriverWait(browser, 30).until(lambda d: "已登记文件" in message.text)
    observations, plans = _imported_from(url)
    assert [
        (o["indicator"]["code"], o["period"], o["value"], o["yoy_growth"]) for o in observations
    ] == [("gdp", "2024-H1", 450, 6.1)]
    assert [(p["year"], p["comparator"], p["value"], p["unit"]) for p in plans] == [
        (2024, ">=", 380, "亿元")
    ]
    assert plans[0]["source"] == {
        "document": INTAKE_CODE,
        "quote": next(q for q in quotes if "380" in q),
    }
    stored = httpx.get(f"{url}/api/v1/documents/{INTAKE_CODE}", timeout=30).json()
    assert stored["figures"] == {"targets": 0, "plans": 1, "observations": 1}
    assert stored["region"]["code"] == "500115"
    # each stored row says so; the unticked one says nothing
    assert "✔" not in industry.text
    assert sum("✔" in r.text for r in _proposal_rows(browser)) == len(rows) - 1
    assert not browser.find_element(By.ID, "confirm").is_enabled()
    _assert_clean(browser, url)
    browser.execute_script("window.scrollTo(0, 0)")
    _screenshot(browser, shots / "intake-desktop.png")
    browser.set_window_size(*PHONE)
    _assert_fits(browser)
    browser.execute_script(
        "window.scrollTo(0, document.getElementById('intake-message').offsetTop - 8)"
    )
    browser.save_screenshot(str(shots / "intake-phone.png"))

    # The document's page shows the text with the two stored figures marked.
    browser.find_element(By.ID, "open-document").click()
    WebDriverWait(browser, 30).until(lambda d: f"/documents/{INTAKE_CODE}" in d.current_url)
    marks = [m.text for m in browser.find_elements(By.CSS_SELECTOR, "article a.fig mark")]
    assert len(marks) == 2 and any("450亿元" in m for m in marks)
    _assert_clean(browser, url)


def _imported_from(url: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The observations and plans of 长寿区 that cite the intake's document."""
    figures = httpx.get(
        f"{url}/api/v1/observations",
        params={"region": "500115", "period": "2024-H1", "limit": 1000},
        timeout=30,
    ).json()["items"]
    plans = httpx.get(
        f"{url}/api/v1/plans",
        params={"region": "500115", "year": 2024, "limit": 1000},
        timeout=30,
    ).json()["items"]
    cite = lambda item: (item.get("source") or {}).get("document") == INTAKE_CODE  # noqa: E731
    return [o for o in figures if cite(o)], [p for p in plans if cite(p)]
