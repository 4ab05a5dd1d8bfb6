"""Files out (DESIGN v1.1 "Files in and out", #16): CSV and XLSX exports of targets, plans
and figures with the list's filters, and the import template."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import update
from sqlalchemy.orm import Session

from app.models import Plan
from app.schemas.json_numbers import loads
from tests.conftest import bearer

PROGRESS_NUMBERS = ("actual", "gap", "completion_rate", "elapsed", "schedule_variance_pp")


def _every(client: TestClient, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of a list, page by page, with exact numbers."""
    items: list[dict[str, Any]] = []
    while True:
        page = loads(
            client.get(path, params={**params, "limit": 1000, "offset": len(items)}).content
        )
        items += page["items"]
        if len(items) >= page["total"]:
            assert len(items) == page["total"]
            return items


def _csv(content: bytes) -> list[dict[str, str]]:
    assert content.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def test_a_csv_export_of_every_target_equals_the_json(client: TestClient) -> None:
    items = {t["id"]: t for t in _every(client, "/api/v1/targets")}
    response = client.get("/api/v1/targets", params={"format": "csv", "limit": 1})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="targets-') and '.csv"' in disposition
    rows = _csv(response.content)
    assert len(rows) == len(items) > 20  # no paging: limit=1 does not apply
    compared = 0
    for row in rows:
        item = items[int(row["id"])]
        assert row["indicator"] == item["indicator"]["code"]
        assert row["region_name"] == item["region"]["name"]
        assert Decimal(row["value"]) == item["value"]
        assert row["status"] == item["progress"]["status"]
        assert row["actual_period"] == (item["progress"]["actual_period"] or "")
        for name in PROGRESS_NUMBERS:
            expected = item["progress"].get(name)
            assert row[name] == ("" if expected is None else str(expected)), (name, row)
            compared += expected is not None
        source = item["source"] or {}
        assert row["source_document"] == (source.get("document") or "")
    assert compared > 20


def test_filters_apply_and_the_file_is_named_after_them(client: TestClient) -> None:
    params = {"region": "500000", "indicator": "key_project_investment"}
    total = client.get("/api/v1/plans", params=params).json()["total"]
    response = client.get("/api/v1/plans", params={**params, "format": "csv"})
    rows = _csv(response.content)
    assert len(rows) == total >= 1
    assert {r["indicator"] for r in rows} == {"key_project_investment"}
    assert 'filename="plans-500000-' in response.headers["content-disposition"]
    # the 2023 plan: 2,411 亿元 of 4,300 by H1 = 56.0698 %, 序时进度 50 %
    (plan,) = [r for r in rows if r["year"] == "2023"]
    assert plan["actual"] == "2411" and plan["completion_rate"] == "56.0698"
    assert plan["elapsed"] == "50" and plan["schedule_variance_pp"] == "6.0698"


def test_a_status_filter_in_an_export(client: TestClient) -> None:
    for status in ("on_schedule", "no_data"):
        total = client.get("/api/v1/plans", params={"status": status}).json()["total"]
        rows = _csv(client.get("/api/v1/plans", params={"status": status, "format": "csv"}).content)
        assert len(rows) == total
        assert {r["status"] for r in rows} <= {status}


def test_an_xlsx_export_has_numbers_a_frozen_header_and_words(client: TestClient) -> None:
    items = {t["id"]: t for t in _every(client, "/api/v1/targets")}
    response = client.get("/api/v1/targets", params={"format": "xlsx", "lang": "zh"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert '.xlsx"' in response.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["编号", "指标代码", "指标名称", "地区代码", "地区名称"]
    assert "完成率(%)" in header and "状态说明" in header
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(items)
    at = {name: header.index(name) for name in ("编号", "数值", "完成率(%)", "状态", "状态说明")}
    words = {"on_track": "进展顺利", "achieved": "已完成", "no_data": "暂无数据"}
    for row in rows:
        item = items[row[at["编号"]]]
        assert row[at["数值"]] == float(item["value"])
        rate = item["progress"]["completion_rate"]
        assert row[at["完成率(%)"]] == (None if rate is None else float(rate))
        status = item["progress"]["status"]
        assert row[at["状态"]] == status
        if status in words:
            assert row[at["状态说明"]] == words[status]
    rate_cell = sheet.cell(row=2, column=at["完成率(%)"] + 1)
    if rate_cell.value is not None:
        assert rate_cell.number_format == "0.0000"


def test_an_export_of_figures_with_chinese_headers(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    posted = client.post(
        "/api/v1/observations",
        content=b'{"indicator":"key_project_investment","region":"500000","period":"2023-Q3",'
        b'"value":12345678.123456789012,"unit":"\xe4\xba\xbf\xe5\x85\x83"}',
        headers={**bearer(api_keys["analyst"]), "Content-Type": "application/json"},
    )
    assert posted.status_code == 201, posted.text
    total = client.get("/api/v1/observations").json()["total"]
    response = client.get("/api/v1/observations", params={"format": "csv", "lang": "zh"})
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["编号", "指标代码", "指标名称"]
    assert len(rows) - 1 == total
    value = rows[0].index("数值")
    assert any(r[value] == "12345678.123456789012" for r in rows[1:])  # exact digits


def test_an_unknown_region_is_refused_before_any_file(client: TestClient) -> None:
    as_json = client.get("/api/v1/targets", params={"region": "999999"})
    response = client.get("/api/v1/targets", params={"format": "csv", "region": "999999"})
    assert response.status_code == as_json.status_code == 422
    assert response.json()["errors"][0]["field"] == "region"
    bad = client.get("/api/v1/targets", params={"format": "pdf"})
    assert bad.status_code == 422


def test_the_csv_template_imports_as_it_is(client: TestClient, api_keys: dict[str, str]) -> None:
    template = client.get("/api/v1/observations/template", params={"format": "csv"})
    assert template.status_code == 200
    assert "attachment" in template.headers["content-disposition"]
    dry = client.post(
        "/api/v1/observations/import?dry_run=true",
        content=template.content,
        headers={**bearer(api_keys["analyst"]), "Content-Type": "text/csv"},
    )
    assert dry.status_code == 200, dry.text
    assert dry.json()["valid"] is True and dry.json()["rows"] == 1


def test_the_xlsx_template_lists_the_codes_and_validates_them(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    response = client.get("/api/v1/observations/template", params={"format": "xlsx"})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["observations", "codes"]
    sheet, codes = workbook["observations"], workbook["codes"]
    assert [c.value for c in sheet[1]][:4] == ["indicator", "region", "period", "value"]
    indicators = client.get("/api/v1/indicators", params={"limit": 1000}).json()
    regions = client.get("/api/v1/regions", params={"limit": 1000}).json()
    listed = [r[0] for r in codes.iter_rows(min_row=2, values_only=True) if r[0]]
    assert sorted(listed) == sorted(i["code"] for i in indicators["items"])
    assert len(listed) == indicators["total"]
    region_rows = [r for r in codes.iter_rows(min_row=2, values_only=True) if r[4]]
    assert len(region_rows) == regions["total"]
    first = next(i for i in indicators["items"] if i["code"] == listed[0])
    assert codes.cell(row=2, column=2).value == first["name"]
    assert codes.cell(row=2, column=3).value == first["unit"]
    validations = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert validations == {
        "A2:A10001": f"=codes!$A$2:$A${len(listed) + 1}",
        "B2:B10001": f"=codes!$E$2:$E${regions['total'] + 1}",
    }
    assert all(v.type == "list" for v in sheet.data_validations.dataValidation)
    # the template's own example row imports
    dry = client.post(
        "/api/v1/observations/import?dry_run=true",
        files={"file": ("template.xlsx", response.content)},
        headers=bearer(api_keys["analyst"]),
    )
    assert dry.status_code == 200, dry.text
    assert dry.json()["valid"] is True


def test_an_export_as_of_now_reads_the_stored_progress_and_computes_what_is_missing(
    client: TestClient, session: Session
) -> None:
    """As of now the export takes each goal's stored read; a goal whose read is missing
    (loaded behind the service's back) is computed, and the file is the same either way."""
    before = client.get("/api/v1/plans", params={"format": "csv"}).content
    session.execute(update(Plan).where(Plan.id % 2 == 0).values(read_json=None))
    session.commit()
    after = client.get("/api/v1/plans", params={"format": "csv"}).content
    assert after == before
    rows = _csv(after)
    assert len(rows) == client.get("/api/v1/plans").json()["total"] > 20


def test_an_export_as_of_a_past_moment_equals_the_list_as_of_then(client: TestClient) -> None:
    """Before the first figure was recorded every plan had no data; the export says so."""
    as_of = "2000-01-01T00:00:00Z"
    items = {p["id"]: p for p in _every(client, "/api/v1/plans", as_of=as_of)}
    rows = _csv(client.get("/api/v1/plans", params={"format": "csv", "as_of": as_of}).content)
    assert len(rows) == len(items) > 20
    assert {r["status"] for r in rows} == {"no_data"}
    assert all(r["actual"] == "" for r in rows)
    now = _csv(client.get("/api/v1/plans", params={"format": "csv"}).content)
    assert {r["status"] for r in now} != {"no_data"}


def test_an_export_keeps_its_session_until_the_file_is_sent(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file streams after the handler returns: its session must outlive the handler and
    be closed once, when the last chunk is sent (app/api/files.py, ``stream_file``)."""
    from app.api import files

    closed: list[str] = []
    real_close = files.close_session

    def close(session: Session) -> None:
        closed.append("closed")
        real_close(session)

    monkeypatch.setattr(files, "close_session", close)
    with client.stream("GET", "/api/v1/plans", params={"format": "csv"}) as response:
        assert response.status_code == 200
        chunks = response.iter_bytes()
        first = next(chunks)
        assert first.startswith("\ufeff".encode())
        assert closed == []  # still streaming: the session is open
        rest = b"".join(chunks)
    assert (first + rest).count(b"\n") > 10
    assert closed == ["closed"]
    # A refused export (an unknown region) closes its session before answering.
    assert (
        client.get("/api/v1/plans", params={"format": "csv", "region": "nowhere"}).status_code
        == 422
    )
    assert closed == ["closed", "closed"]
