"""POST /api/v1/documents: a new document registered with the figures a person accepted
from it (the proposals of /documents/extract), in one unit of work, all or nothing.

The document is a short report on 长寿区 (500115) for the first half of 2024: two
progress figures (GDP 450 亿元 +6.1 %, industrial output 620 亿元 +8.2 %), the year's
fixed-asset investment plan (≥ 380 亿元) and a 2027 target (≥ 400 high-tech enterprises).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from app.main import create_app
from app.models import AuditEntry, Document, Observation, Plan, Target
from app.seeding import load_seeds
from app.settings import Settings
from tests.conftest import SEEDS_DIR, bearer

URL = "/api/v1/documents"
CODE = "t_changshou_2024h1"
TITLE = "长寿区2024年上半年经济运行情况"
TEXT = (
    f"{TITLE}\n"
    "上半年,全区实现地区生产总值450亿元,同比增长6.1%。"
    "规上工业总产值完成620亿元,同比增长8.2%。\n"
    "全年固定资产投资确保完成380亿元以上。到2027年,高新技术企业达到400家。\n"
)
GDP = {
    "kind": "observation",
    "indicator": "gdp",
    "region": "500115",
    "period": "2024-H1",
    "value": 450,
    "unit": "亿元",
    "yoy_growth": 6.1,
    "quote": "全区实现地区生产总值450亿元,同比增长6.1%",
}
INDUSTRY = {
    "kind": "observation",
    "indicator": "industrial_output",
    "region": "500115",
    "period": "2024-H1",
    "value": 620,
    "unit": "亿元",
    "yoy_growth": 8.2,
    "quote": "规上工业总产值完成620亿元,同比增长8.2%",
}
INVESTMENT_PLAN = {
    "kind": "plan",
    "indicator": "fixed_asset_investment",
    "region": "500115",
    "year": 2024,
    "basis": "value",
    "comparator": ">=",
    "value": 380,
    "unit": "亿元",
    "quote": "全年固定资产投资确保完成380亿元以上",
}
HI_TECH_TARGET = {
    "kind": "target",
    "indicator": "hi_tech_enterprises",
    "region": "500115",
    "start_year": 2024,
    "end_year": 2027,
    "basis": "value",
    "comparator": ">=",
    "value": 400,
    "unit": "家",
    "quote": "高新技术企业达到400家",
}
ITEMS = [GDP, INDUSTRY, INVESTMENT_PLAN, HI_TECH_TARGET]


def _document(items: list[dict[str, Any]] = ITEMS, **changes: Any) -> dict[str, Any]:
    return {
        "code": CODE,
        "title": TITLE,
        "published_on": "2024-07-20",
        "region": "500115",
        "issuer": "长寿区统计局",
        "text": TEXT,
        "items": items,
    } | changes


def _counts(session: Session) -> dict[str, int]:
    """Rows of every table an intake writes to (the session sees the client's writes)."""
    session.expire_all()
    return {
        model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
        for model in (Document, Target, Plan, Observation, AuditEntry)
    }


@pytest.fixture
def keys(session: Session) -> dict[str, str]:
    from app.services import api_keys as k

    made = {
        "analyst": k.create_key(session, "intake-analyst", "analyst"),
        "admin": k.create_key(session, "intake-admin", "admin"),
        "changshou-admin": k.create_key(session, "intake-changshou", "admin", ["500115"]),
    }
    session.commit()
    return made


def _post(client: TestClient, key: str, body: Any, **params: str) -> Any:
    return client.post(URL, json=body, headers=bearer(key), params=params)


# --- what is stored ------------------------------------------------------------------


def test_a_document_is_stored_with_exactly_its_accepted_figures_citing_it(
    client: TestClient, keys: dict[str, str], session: Session
) -> None:
    before = _counts(session)
    response = _post(client, keys["admin"], _document())
    assert response.status_code == 201, response.text
    answer = response.json()
    # One document, one target, one plan, two observations; an audit entry for each.
    assert _counts(session) == {
        "document": before["document"] + 1,
        "target": before["target"] + 1,
        "plan": before["plan"] + 1,
        "observation": before["observation"] + 2,
        "audit_entry": before["audit_entry"] + 5,
    }
    assert answer["stored"] == {
        "targets": 1,
        "plans": 1,
        "cited": 0,
        "observations": 2,
        "pending": 0,
    }
    assert [(o["index"], o["kind"], o["action"]) for o in answer["items"]] == [
        (0, "observation", "recorded"),
        (1, "observation", "recorded"),
        (2, "plan", "created"),
        (3, "target", "created"),
    ]
    assert answer["document"] == answer["document"] | {
        "code": CODE,
        "title": TITLE,
        "title_en": TITLE,
        "issuer": "长寿区统计局",
        "published_on": "2024-07-20",
        "kind": "article",
        "script": "simplified",
        "region": {"code": "500115", "name": "长寿区"},
        "figures": {"targets": 1, "plans": 1, "observations": 2},
    }

    # Every read sees them, each citing the new document with its quote.
    figures = client.get(
        "/api/v1/observations", params={"region": "500115", "period": "2024-H1"}
    ).json()["items"]
    assert sorted(
        (o["indicator"]["code"], o["value"], o["unit"], o["yoy_growth"], o["source"]["document"])
        for o in figures
    ) == [("gdp", 450, "亿元", 6.1, CODE), ("industrial_output", 620, "亿元", 8.2, CODE)]
    assert {o["source"]["quote"] for o in figures} == {GDP["quote"], INDUSTRY["quote"]}
    assert {o["recorded_by"] for o in figures} == {"intake-admin"}
    (plan,) = client.get(
        "/api/v1/plans",
        params={"region": "500115", "year": 2024, "indicator": "fixed_asset_investment"},
    ).json()["items"]
    assert (plan["comparator"], plan["value"], plan["unit"]) == (">=", 380, "亿元")
    assert plan["sources"] == [{"document": CODE, "quote": INVESTMENT_PLAN["quote"]}]
    assert plan["progress"]["status"] == "no_data"
    (target,) = [
        t
        for t in client.get(
            "/api/v1/targets", params={"region": "500115", "indicator": "hi_tech_enterprises"}
        ).json()["items"]
        if t["source"]["document"] == CODE
    ]
    assert (target["start_year"], target["end_year"], target["value"]) == (2024, 2027, 400)
    assert client.get(f"{URL}/{CODE}").json()["figures"] == {
        "targets": 1,
        "plans": 1,
        "observations": 2,
    }

    # The audit names the document by its code, and its text by length and hash.
    audit = client.get(
        "/api/v1/audit", params={"entity": "document"}, headers=bearer(keys["admin"])
    ).json()["items"]
    assert audit[0]["entity_key"] == CODE and audit[0]["entity_id"] is None
    assert audit[0]["actor"] == "intake-admin"
    assert audit[0]["after"]["text_chars"] == len(TEXT)

    # The document's page shows the text sent, each figure marked where its quote stands.
    page = client.get(f"/documents/{CODE}")
    assert page.status_code == 200
    assert page.text.count('<a class="fig"') == 4
    assert f"{HI_TECH_TARGET['quote']}</mark>" in page.text
    assert "长寿区统计局" in page.text
    listing = client.get("/documents")
    assert f'href="/documents/{CODE}"' in listing.text and 'href="/documents/new"' in listing.text


def test_numbers_are_stored_exactly_and_converted_to_the_indicators_unit(
    client: TestClient, keys: dict[str, str]
) -> None:
    """0.045 万亿元 is 450 亿元; the value and unit as stated are kept beside it."""
    text = "全区实现地区生产总值0.045万亿元。"
    gdp = GDP | {"value": "0.045", "unit": "万亿元", "yoy_growth": None, "quote": text[:-1]}
    response = _post(client, keys["analyst"], _document([gdp], text=text))
    assert response.status_code == 201, response.text
    (stored,) = response.json()["observations"]
    assert (stored["value"], stored["unit"]) == (450, "亿元")
    assert (stored["stated_value"], stored["stated_unit"]) == (0.045, "万亿元")


def test_a_goal_another_document_states_alike_gains_a_source_not_a_twin(
    client: TestClient, keys: dict[str, str], session: Session
) -> None:
    """长寿区's 2023 plan of 350 亿元 of fixed-asset investment comes from 004 (2023-02-24);
    a later article restating it is one more source of the same plan, also after the
    seeds are loaded again."""
    quote = "全年固定资产投资完成350亿元"
    text = f"长寿区今年{quote}的目标不变。"
    restated = INVESTMENT_PLAN | {"year": 2023, "value": 350, "quote": quote}
    (seeded,) = [
        p
        for p in client.get(
            "/api/v1/plans",
            params={"region": "500115", "year": 2023, "indicator": "fixed_asset_investment"},
        ).json()["items"]
        if p["value"] == 350
    ]
    before = _counts(session)
    response = _post(
        client,
        keys["admin"],
        _document([restated], code="t_article", published_on="2023-03-10", text=text),
    )
    assert response.status_code == 201, response.text
    answer = response.json()
    assert answer["items"] == [
        {"index": 0, "kind": "plan", "id": seeded["id"], "action": "cited", "state": None}
    ]
    assert answer["stored"]["cited"] == 1 and answer["stored"]["plans"] == 0
    after = _counts(session)
    assert after["plan"] == before["plan"]
    assert after["audit_entry"] == before["audit_entry"] + 2  # the document; the plan's update
    expected_sources = [
        {"document": "004_6da318eeea9b20a6", "quote": seeded["source"]["quote"]},
        {"document": "t_article", "quote": quote},
    ]
    detail = client.get(f"/api/v1/plans/{seeded['id']}")
    assert detail.json()["sources"] == expected_sources
    assert detail.json()["source"]["document"] == "004_6da318eeea9b20a6"
    assert detail.headers["ETag"] == f'"{seeded["id"]}-2"'  # a versioned change
    assert client.get(f"{URL}/t_article").json()["figures"]["plans"] == 1

    load_seeds(session, SEEDS_DIR)  # what every start of the service does
    session.flush()
    plan = session.get(Plan, seeded["id"])
    assert plan is not None
    session.refresh(plan)
    assert plan.sources_json is not None
    assert [s["document"] for s in json.loads(plan.sources_json)] == [
        "004_6da318eeea9b20a6",
        "t_article",
    ]


# --- all or nothing -----------------------------------------------------------------------


def test_one_bad_item_stores_nothing_and_is_named(
    client: TestClient, keys: dict[str, str], session: Session
) -> None:
    before = _counts(session)
    bad_unit = INDUSTRY | {"unit": "万吨"}
    response = _post(client, keys["admin"], _document([GDP, bad_unit, *ITEMS[2:]]))
    assert response.status_code == 422, response.text
    body = response.json()
    assert [e["field"] for e in body["errors"]] == ["items[1].unit"]
    assert "万吨" in body["errors"][0]["message"] and "亿元" in body["errors"][0]["message"]
    assert body["message"].startswith("1 of 4 items are invalid, nothing was stored")
    assert _counts(session) == before
    assert client.get(f"{URL}/{CODE}").status_code == 404


def test_every_problem_of_every_item_comes_in_one_answer(
    client: TestClient, keys: dict[str, str], session: Session
) -> None:
    before = _counts(session)
    items = [
        GDP | {"period": "2024-H3"},
        INDUSTRY | {"indicator": None, "indicator_phrase": "规上工业总产值"},
        INVESTMENT_PLAN | {"comparator": "≥"},
        HI_TECH_TARGET | {"end_year": None},
        "not an item",
        GDP | {"kind": "forecast"},
    ]
    response = _post(client, keys["admin"], _document(items))
    assert response.status_code == 422, response.text
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert set(errors) == {
        "items[0].period",
        "items[1].indicator",
        "items[2].comparator",
        "items[3].end_year",
        "items[4]",
        "items[5].kind",
    }
    assert "规上工业总产值" in errors["items[1].indicator"]
    assert _counts(session) == before


def test_a_quote_not_in_the_text_is_refused(
    client: TestClient, keys: dict[str, str], session: Session
) -> None:
    before = _counts(session)
    misquoted = GDP | {"quote": "全区实现地区生产总值451亿元"}
    response = _post(client, keys["admin"], _document([misquoted, INDUSTRY]))
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["items[0].quote"]
    assert _counts(session) == before
    # Without the text there is nothing to check a quote against: it is taken as sent.
    untexted = _document([misquoted], text=None)
    assert _post(client, keys["admin"], untexted).status_code == 201


def test_a_code_is_registered_once(
    client: TestClient, keys: dict[str, str], session: Session
) -> None:
    assert _post(client, keys["admin"], _document()).status_code == 201
    before = _counts(session)
    again = _post(client, keys["admin"], _document([GDP | {"period": "2024-Q1"}]))
    assert again.status_code == 409
    assert again.json()["error"] == "document_exists"
    assert again.json()["errors"][0]["field"] == "code"
    seeded = _post(client, keys["admin"], _document(code="001_8bd53d08bbbd03ea"))
    assert seeded.status_code == 409
    assert _counts(session) == before
    for reserved in ("new", "New"):
        refused = _post(client, keys["admin"], _document(code=reserved))
        assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "code"


def test_a_retry_with_its_idempotency_key_answers_the_first_answer(
    client: TestClient, keys: dict[str, str], session: Session
) -> None:
    headers = bearer(keys["admin"]) | {"Idempotency-Key": "intake-1"}
    first = client.post(URL, json=_document(), headers=headers)
    assert first.status_code == 201
    before = _counts(session)
    retry = client.post(URL, json=_document(), headers=headers)
    assert (retry.status_code, retry.content) == (201, first.content)
    assert _counts(session) == before
    other = client.post(URL, json=_document([GDP]), headers=headers)
    assert other.status_code == 409 and other.json()["error"] == "idempotency_conflict"


def test_a_dry_run_answers_what_would_be_stored_and_stores_nothing(
    client: TestClient, keys: dict[str, str], session: Session
) -> None:
    before = _counts(session)
    response = _post(client, keys["admin"], _document(), dry_run="true")
    assert response.status_code == 200, response.text
    answer = response.json()
    assert (answer["dry_run"], answer["valid"]) == (True, True)
    assert answer["stored"]["observations"] == 2 and answer["stored"]["plans"] == 1
    assert [o["value"] for o in answer["observations"]] == [450, 620]
    assert _counts(session) == before
    assert client.get(f"{URL}/{CODE}").status_code == 404

    refused = _post(client, keys["admin"], _document([GDP | {"unit": "家"}]), dry_run="true")
    assert refused.status_code == 200
    body = refused.json()
    assert (body["dry_run"], body["valid"], body["document"]) == (True, False, None)
    assert [e["field"] for e in body["errors"]] == ["items[0].unit"]
    assert _counts(session) == before
    # and the real thing afterwards
    assert _post(client, keys["admin"], _document()).status_code == 201


# --- who may publish -------------------------------------------------------------------


def test_targets_and_plans_need_an_admin_key(
    client: TestClient, keys: dict[str, str], session: Session
) -> None:
    before = _counts(session)
    response = _post(client, keys["analyst"], _document())
    assert response.status_code == 403
    body = response.json()
    assert body["error"] == "forbidden"
    assert [e["field"] for e in body["errors"]] == ["items[2].kind", "items[3].kind"]
    assert _counts(session) == before
    # The analyst's own share, the observations, goes through.
    figures_only = _post(client, keys["analyst"], _document([GDP, INDUSTRY]))
    assert figures_only.status_code == 201, figures_only.text
    assert figures_only.json()["stored"]["observations"] == 2


def test_a_scoped_key_registers_documents_and_figures_of_its_regions_only(
    client: TestClient, keys: dict[str, str], session: Session
) -> None:
    before = _counts(session)
    city_document = _post(client, keys["changshou-admin"], _document(region="500000"))
    assert city_document.status_code == 403
    assert city_document.json()["error"] == "region_forbidden"
    assert city_document.json()["errors"] == [
        {"field": "region", "message": "'500000' is outside the key's scope (500115)"}
    ]
    city_figure = _post(
        client, keys["changshou-admin"], _document([GDP, INDUSTRY | {"region": "500000"}])
    )
    assert city_figure.status_code == 403
    assert [e["field"] for e in city_figure.json()["errors"]] == ["items[1].region"]
    assert _counts(session) == before
    zone = _post(client, keys["changshou-admin"], _document([GDP | {"region": "500115-ED"}]))
    assert zone.status_code == 201, zone.text


@pytest.fixture
def review(connection: Connection, database_url: str) -> Iterator[TestClient]:
    """The test client of a service in PUBLISH_MODE=review."""
    app = create_app(Settings(database_url=database_url, publish_mode="review"))
    app.state.sessionmaker = lambda: Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    with TestClient(app) as test_client:
        yield test_client


def test_in_review_mode_an_analysts_figures_wait_for_a_reviewer(
    review: TestClient, keys: dict[str, str]
) -> None:
    response = _post(review, keys["analyst"], _document([GDP, INDUSTRY]))
    assert response.status_code == 201, response.text
    answer = response.json()
    assert answer["stored"]["pending"] == 2
    assert {o["state"] for o in answer["items"]} == {"pending"}
    public = review.get("/api/v1/observations", params={"region": "500115", "period": "2024-H1"})
    assert public.json()["items"] == []
    pending = review.get(
        "/api/v1/observations",
        params={"state": "pending", "region": "500115"},
        headers=bearer(keys["analyst"]),
    ).json()["items"]
    assert sorted(o["value"] for o in pending) == [450, 620]
    assert {o["source"]["document"] for o in pending} == {CODE}
    # The document is public; its pending figures are not counted until approved.
    assert review.get(f"{URL}/{CODE}").json()["figures"]["observations"] == 0
    assert answer["document"]["figures"]["observations"] == 0
    # An admin's figures are published at once, as for any post.
    admin = _post(review, keys["admin"], _document([GDP], code="t_admin"))
    assert admin.status_code == 201
    assert admin.json()["stored"]["pending"] == 0


def test_the_intake_needs_a_key_and_json(client: TestClient, keys: dict[str, str]) -> None:
    assert client.post(URL, json=_document()).status_code == 401
    text = client.post(
        URL, content=TEXT.encode(), headers=bearer(keys["admin"]) | {"Content-Type": "text/plain"}
    )
    assert text.status_code == 415
    for body, field in (
        (b"[1, 2]", "body"),
        (b"{not json", "body"),
        (
            b'{"code": "x", "title": "t", "published_on": "2024-13-01", "region": "500115"}',
            "published_on",
        ),
        (
            b'{"code": "a b", "title": "t", "published_on": "2024-01-01", "region": "500115"}',
            "code",
        ),
    ):
        refused = client.post(
            URL, content=body, headers=bearer(keys["admin"]) | {"Content-Type": "application/json"}
        )
        assert refused.status_code == 422, body
        assert refused.json()["errors"][0]["field"] == field


def test_proposals_of_the_extract_endpoint_are_confirmed_as_they_were_answered(
    client: TestClient, keys: dict[str, str]
) -> None:
    """The round trip the page makes: propose, then confirm the proposals as answered (a
    proposal without an indicator is given one, as the person would)."""
    proposed = client.post(
        "/api/v1/documents/extract",
        content=TEXT.encode(),
        params={"region": "500115", "year": "2024"},
        headers=bearer(keys["admin"]) | {"Content-Type": "text/plain; charset=utf-8"},
    ).json()["items"]
    chosen = {"规上工业总产值": "industrial_output", "高新技术企业": "hi_tech_enterprises"}
    for p in proposed:
        if p["indicator"] is None:
            p["indicator"] = chosen[p["indicator_phrase"]]
    response = _post(client, keys["admin"], _document(proposed))
    assert response.status_code == 201, response.text
    answer = response.json()
    assert len(answer["items"]) == len(proposed)
    observations = [p for p in proposed if p["kind"] == "observation"]
    assert [(o["indicator"]["code"], o["period"], o["value"]) for o in answer["observations"]] == [
        (p["indicator"], p["period"], p["value"]) for p in observations
    ]
