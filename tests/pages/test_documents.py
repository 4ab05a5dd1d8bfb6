"""The document pages through the test client, on the seeded database: the text with every
figure taken from it marked, and the links between goal pages and the text."""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from html import unescape

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.models import Observation
from app.pages.document_text import mark_text, quote_anchor
from tests.conftest import SEEDS_DIR, bearer
from tests.pages.test_pages import EXTERNAL, _key_projects_plan_id

DOCUMENTS = sorted(p.name for p in (SEEDS_DIR / "figures").iterdir() if p.is_dir())
KEY_PROJECTS_QUOTE = "打表推进市级重点项目建设,确保全年完成投资4300亿元以上"
MARK = re.compile(r'<a class="fig" id="m-(\d+)" href="([^"]*)"><mark>(.*?)</mark></a>', re.S)


def _plain(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html))


def _marks(html: str) -> list[tuple[int, str, str]]:
    """(number, href, text) of every mark on a document page."""
    return [(int(n), href, _plain(inner)) for n, href, inner in MARK.findall(html)]


def _note(html: str, number: int) -> str:
    """The note listing the figures of mark ``number``."""
    found = re.search(rf'<li id="n-{number}">(.*?)</ul>\s*</li>', html, re.S)
    assert found, number
    return found.group(1)


def _seed_quotes(document: str) -> list[str]:
    quotes = []
    for path in sorted((SEEDS_DIR / "figures" / document).glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            quotes += [row["quote"] for row in csv.DictReader(handle) if row["quote"]]
    return quotes


def test_the_key_projects_quote_links_to_its_plan(client: TestClient) -> None:
    plan_id = _key_projects_plan_id(client)
    response = client.get("/documents/001_8bd53d08bbbd03ea")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    found = [(n, href) for n, href, text in _marks(html) if text == KEY_PROJECTS_QUOTE]
    assert len(found) == 1
    number, href = found[0]
    assert href == f"/plans/{plan_id}"  # the one goal it states: the mark links straight to it
    note = _plain(_note(html, number))
    assert "市级重点建设项目完成投资 · 2023 · ≥ 4,300 亿元" in note
    # the anchor the plan's page links to sits at the quote
    assert f'<mark><span class="anchor" id="{quote_anchor(KEY_PROJECTS_QUOTE)}"></span>' in html


def test_the_h1_figure_links_to_the_plan_its_series_is_judged_by(client: TestClient) -> None:
    plan_id = _key_projects_plan_id(client)
    html = client.get("/documents/001_8bd53d08bbbd03ea").text
    quote = "市级重点建设项目完成投资2411亿元、同比增长17.3%,完成年度计划的54.7%"
    (number, href), *more = [(n, h) for n, h, text in _marks(html) if quote in text]
    assert not more
    assert href == f"/plans/{plan_id}"
    note = _plain(_note(html, number))
    assert "2023-H1：2,411 亿元，同比增长 17.3 %" in note
    assert "年度计划 2023 ≥ 4,300 亿元" in note


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_seed_quote_of_a_document_is_marked(client: TestClient, document: str) -> None:
    html = client.get(f"/documents/{document}").text
    marks = _marks(html)
    quotes = _seed_quotes(document)
    assert quotes
    unmarked = [q for q in quotes if not any(q in text for _, _, text in marks)]
    assert not unmarked
    # every figure the API counts for the document is listed once under its mark
    counts = client.get(f"/api/v1/documents/{document}").json()["figures"]
    listed = sum(len(re.findall(r"<li><span class=\"kind ", _note(html, n))) for n, _, _ in marks)
    assert listed == counts["targets"] + counts["plans"] + counts["observations"]
    # marks are numbered 1..N in reading order, and never nest
    assert [n for n, _, _ in marks] == list(range(1, len(marks) + 1))
    assert "<mark>" not in "".join(re.findall(r"<mark>(.*?)</mark>", html, re.S))
    assert "not-in-text" not in html and "doc-missing" not in html


def test_a_goal_stated_by_two_documents_is_marked_in_each_with_its_own_quote(
    client: TestClient,
) -> None:
    items = client.get(
        "/api/v1/targets", params={"indicator": "digital_economy_share", "region": "500000"}
    ).json()["items"]
    goal = next(i for i in items if len(i["sources"]) == 2)
    for source in goal["sources"]:
        html = client.get(f"/documents/{source['document']}").text
        marked = [(n, href) for n, href, text in _marks(html) if source["quote"] in text]
        assert marked, source
        assert any(
            href == f"/targets/{goal['id']}" or f'href="/targets/{goal["id"]}"' in _note(html, n)
            for n, href in marked
        )


def test_page_furniture_of_003_is_shown_and_flagged(client: TestClient) -> None:
    html = client.get("/documents/003_43741abbd79f158f").text
    flagged = re.findall(
        r'<span class="furniture" title="[^"]*"><span class="furniture-tag"[^>]*>([^<]*)</span>'
        r"([^<]*)</span>",
        html,
    )
    assert {tag for tag, _ in flagged} == {"网页杂文"}  # said in words, not by colour alone
    furniture = [unescape(text) for _, text in flagged]
    # the first line is nothing but spam; the last words are the portal's "back" link
    assert furniture[0] == "中级经济师 通过率重庆主要产业是什么国际经济三大支柱"
    assert furniture[-1] == "返回搜狐,查看更多"
    article = _plain(html.split("<article", 1)[1].split("</article>", 1)[0])
    text = (SEEDS_DIR / "sources" / "003_43741abbd79f158f.txt").read_text(encoding="utf-8")
    for phrase in ("重庆主要产业是什么", "国际经济三大支柱"):
        # not hidden: every occurrence is on the page, each flagged
        assert article.count(phrase) == text.count(phrase) > 1
        assert sum(phrase in f for f in furniture) == text.count(phrase)
    assert "灰色并标有“网页杂文”" in _plain(html)
    # documents without spam say nothing of it
    assert 'class="furniture"' not in client.get("/documents/002_26222ab83b5d729f").text


def test_document_page_shows_its_metadata_and_counts(client: TestClient) -> None:
    text = _plain(client.get("/documents/004_6da318eeea9b20a6").text)
    assert "重慶市長壽區2022年國民經濟和社會發展計劃執行情況及2023年計劃草案的報告" in text
    assert "長壽區發展改革委" in text and "2023-02-24" in text
    assert "计划执行情况报告" in text and "繁体" in text
    counts = client.get("/api/v1/documents/004_6da318eeea9b20a6").json()["figures"]
    assert counts == {"targets": 0, "plans": 74, "observations": 99}
    assert "目标 0 项 · 年度计划 74 项 · 数据 99 条" in text


def test_english_ui_keeps_the_text_as_it_is(client: TestClient) -> None:
    html = client.get("/documents/001_8bd53d08bbbd03ea?lang=en").text
    text = _plain(html)
    assert "Report on the execution of Chongqing's 2023 economic and social" in text
    assert "Issued by" in text and "plan execution report" in text
    assert KEY_PROJECTS_QUOTE in text  # the document's own words stay
    assert "Investment completed on municipal key projects · 2023 · ≥ 4,300 亿元" in text
    assert "Investment completed on municipal key projects · 2023-H1: 2,411 亿元, " in text
    assert "Annual plan 2023 ≥ 4,300 亿元" in text  # the goal page its series leads to
    # links keep the language
    plan_id = _key_projects_plan_id(client)
    assert f'href="/plans/{plan_id}?lang=en"' in html


def test_no_address_outside_the_app(client: TestClient) -> None:
    for path in ["/documents", *(f"/documents/{d}" for d in DOCUMENTS)]:
        html = client.get(path).text
        assert not EXTERNAL.findall(html), path


def test_unknown_document_is_a_404_page(client: TestClient) -> None:
    response = client.get("/documents/005_nope")
    assert response.status_code == 404
    assert "005_nope" in response.text and "页面不存在" in response.text
    assert client.get("/documents/001_8bd53d08bbbd03ea?lang=fr").status_code == 422


def test_index_lists_every_document_and_the_dashboard_links_to_it(client: TestClient) -> None:
    html = client.get("/documents").text
    for document in DOCUMENTS:
        assert f'href="/documents/{document}"' in html
    assert "目标 147 项 · 年度计划 0 项 · 数据 0 条" in _plain(html)  # 003: 138 + 9 shared
    assert 'href="/documents"' in client.get("/").text


def test_goal_pages_link_each_quote_to_its_place(client: TestClient) -> None:
    items = client.get(
        "/api/v1/targets", params={"indicator": "digital_economy_share", "region": "500000"}
    ).json()["items"]
    goal = next(i for i in items if len(i["sources"]) == 2)
    html = client.get(f"/targets/{goal['id']}").text
    for source in goal["sources"]:
        anchor = quote_anchor(source["quote"])
        assert f'href="/documents/{source["document"]}#{anchor}"' in html
        assert f'id="{anchor}"' in client.get(f"/documents/{source['document']}").text
    # the figures table links each figure's source too
    plan_id = _key_projects_plan_id(client)
    plan_html = client.get(f"/plans/{plan_id}").text
    h1 = "市级重点建设项目完成投资2411亿元、同比增长17.3%,完成年度计划的54.7%"
    assert f'href="/documents/001_8bd53d08bbbd03ea#{quote_anchor(h1)}"' in plan_html


def test_scorecard_source_column_links_to_the_documents(client: TestClient) -> None:
    html = client.get("/").text
    anchor = quote_anchor(KEY_PROJECTS_QUOTE)
    assert f'href="/documents/001_8bd53d08bbbd03ea#{anchor}"' in html
    linked = set(re.findall(r'href="/documents/([0-9a-f_]+)#q-', html))
    # 004 is 长寿区's; 000 states no goal (its 248 projects are a figure, #17.8)
    assert linked == set(DOCUMENTS) - {"004_6da318eeea9b20a6", "000_bbfb33ee8f0c57e9"}


def test_a_figure_whose_quote_is_not_in_the_text_is_listed_apart(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    posted = client.post(
        "/api/v1/observations",
        json={
            "indicator": "key_project_investment",
            "region": "500000",
            "period": "2023-Q3",
            "value": 3300,
            "unit": "亿元",
            "source": {"document": "001_8bd53d08bbbd03ea", "quote": "完成投资3300亿元"},
        },
        headers=bearer(api_keys["analyst"]),
    )
    assert posted.status_code == 201, posted.text
    html = client.get("/documents/001_8bd53d08bbbd03ea").text
    missing = _plain(html.split('<section class="doc-missing">', 1)[1])
    assert "市级重点建设项目完成投资 · 2023-Q3：3,300 亿元" in missing
    assert "完成投资3300亿元" in missing


# --- the marking itself -------------------------------------------------------------


def test_overlapping_and_nested_quotes_make_one_mark_listing_each_figure() -> None:
    marked = mark_text(
        "甲乙丙丁戊己庚\n辛壬癸",
        [("乙丙丁", "A"), ("丁戊", "B"), ("丙", "C"), ("辛壬", "D"), ("子丑", "E")],
    )
    first, second = marked.paragraphs
    assert "".join(p.text for p in first.pieces) == "甲乙丙丁戊己庚"
    runs = [(m.number if m else None, "".join(p.text for p in ps)) for m, ps in first.runs()]
    assert runs == [(None, "甲"), (1, "乙丙丁戊"), (None, "己庚")]
    assert marked.marks[0].figures == ["A", "C", "B"]  # in the order their quotes start
    assert [m.number for m in second.marks] == [2] and marked.marks[1].figures == ["D"]
    assert marked.missing == ["E"]


def test_a_quote_found_twice_is_marked_twice_and_anchored_once() -> None:
    marked = mark_text("增长5%，另一处增长5%", [("增长5%", "A")])
    assert [m.figures for m in marked.marks] == [["A"], ["A"]]
    anchors = [a for p in marked.paragraphs for piece in p.pieces for a in piece.anchors]
    assert anchors == [quote_anchor("增长5%")]


def test_furniture_is_flagged_but_never_inside_a_mark() -> None:
    marked = mark_text("广告甲乙广告丙", [("乙广告丙", "A")], ["广告"])
    pieces = [(p.text, p.mark is not None, p.furniture) for p in marked.paragraphs[0].pieces]
    assert pieces == [("广告", False, True), ("甲", False, False), ("乙广告丙", True, False)]
    assert marked.furniture == 1


def test_a_pending_revision_is_not_what_the_document_page_shows(
    client: TestClient, session: Session
) -> None:
    """Review mode: a figure waiting for review is nobody's to see, here as anywhere."""
    session.add(
        Observation(
            indicator_code="key_project_investment",
            region_code="500000",
            period="2023-H1",
            period_year=2023,
            period_end_month=6,
            revision=2,
            value=Decimal(987654),
            unit="亿元",
            document_code="001_8bd53d08bbbd03ea",
            quote="市级重点建设项目完成投资2411亿元",
            recorded_by="pending-analyst",
            state="pending",
            published_at=None,
        )
    )
    session.commit()
    page = client.get("/documents/001_8bd53d08bbbd03ea").text
    assert "987,654" not in page and "987654" not in page
    assert "2,411" in page


def test_the_intake_page_is_served_in_both_languages_with_local_assets(
    client: TestClient,
) -> None:
    """/documents/new is the page's (never a document named ``new``), Chinese by default,
    English with ?lang=en; its script and styles are the app's own, and so is every
    address its script calls."""
    from tests.pages.test_pages import LOCAL_ASSET

    zh = client.get("/documents/new")
    assert zh.status_code == 200
    assert "从新文件录入数据" in zh.text and 'id="intake-text"' in zh.text
    en = client.get("/documents/new?lang=en")
    assert "Figures from a new document" in en.text and "Propose" in en.text
    assert not EXTERNAL.findall(zh.text)
    assets = LOCAL_ASSET.findall(zh.text)
    assert "/static/intake.js" in assets
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    script = client.get("/static/intake.js").text
    assert not re.findall(r"https?://", script)
    assert "/api/v1/documents/extract?" in script and '"/api/v1/documents"' in script
    assert 'href="/documents/new"' in client.get("/documents").text


def test_a_registered_documents_text_is_shown_from_the_database(
    client: TestClient, session: Session
) -> None:
    """A document registered with its text has no file in seeds/sources: its page shows
    the stored text, its figures marked; registered without a text, it says so."""
    from app.services import api_keys

    key = api_keys.create_key(session, "pages-intake", "analyst")
    session.commit()
    text = "一季度,全区实现地区生产总值210亿元,同比增长5.2%。"
    item = {
        "kind": "observation",
        "indicator": "gdp",
        "region": "500115",
        "period": "2024-Q1",
        "value": 210,
        "unit": "亿元",
        "yoy_growth": 5.2,
        "quote": "全区实现地区生产总值210亿元,同比增长5.2%",
    }
    document = {"title": "长寿区一季度经济运行", "published_on": "2024-04-20", "region": "500115"}
    for code, body, period in (
        ("p_with_text", {"text": text}, "2024-Q1"),
        ("p_without_text", {}, "2024-Q2"),
    ):
        posted = client.post(
            "/api/v1/documents",
            json=document | body | {"code": code, "items": [item | {"period": period}]},
            headers=bearer(key),
        )
        assert posted.status_code == 201, posted.text
    html = client.get("/documents/p_with_text").text
    assert [m[2] for m in _marks(html)] == [item["quote"]]
    assert "长寿区" in _plain(html)
    bare = client.get("/documents/p_without_text").text
    assert "登记这份文件时没有提交全文" in bare and "<article" not in bare
