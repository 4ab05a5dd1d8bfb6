"""Files in (DESIGN v1.1 "Files in and out", #16): CSV in UTF-8 or GBK and XLSX through
``POST /api/v1/observations/import``, JSON only on ``POST /api/v1/observations``, and
``dry_run`` on both."""

from __future__ import annotations

import io
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.conftest import bearer

IMPORT = "/api/v1/observations/import"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = "indicator,region,period,value,unit,yoy_growth,reported_completion_rate,note"


def _stored(client: TestClient, indicator: str, period: str) -> list[dict[str, Any]]:
    answer = client.get(
        "/api/v1/observations",
        params={"indicator": indicator, "region": "500000", "period": period},
    )
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


def _workbook(rows: list[list[Any]], *, percent_cell: str | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "figures"
    for row in rows:
        sheet.append(row)
    if percent_cell is not None:
        sheet[percent_cell].number_format = "0.0%"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_json_only_on_the_posting_endpoint(client: TestClient, api_keys: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/observations",
        content=f"{HEADER}\nkey_project_investment,500000,2023-Q3,3480,亿元,,,\n".encode(),
        headers={**bearer(api_keys["analyst"]), "Content-Type": "text/csv"},
    )
    assert response.status_code == 415, response.text
    (error,) = response.json()["errors"]
    assert error["field"] == "content-type"
    assert "/api/v1/observations/import" in error["message"]


def test_a_gbk_csv_with_chinese_text_is_read(client: TestClient, api_keys: dict[str, str]) -> None:
    # what Chinese Excel saves as "CSV (逗号分隔)": GBK, thousands separators quoted, and a
    # row of empty cells at the end
    csv_text = (
        f"{HEADER}\r\n"
        'key_project_investment,500000,2023-Q3,"3,480.5",亿元,12.1,79.1,季度通报\r\n'
        ",,,,,,,\r\n"
        ",,,,,,,\r\n"
    )
    body = csv_text.encode("gbk")
    assert body.decode("gbk") == csv_text
    response = client.post(
        IMPORT, content=body, headers={**bearer(api_keys["analyst"]), "Content-Type": "text/csv"}
    )
    assert response.status_code == 201, response.text
    (item,) = response.json()["items"]
    assert item["value"] == 3480.5
    assert item["note"] == "季度通报"
    assert item["unit"] == "亿元"
    (stored,) = _stored(client, "key_project_investment", "2023-Q3")
    assert stored["note"] == "季度通报"


def test_the_charset_parameter_is_honoured(client: TestClient, api_keys: dict[str, str]) -> None:
    csv_text = f"{HEADER}\nkey_project_investment,500000,2023-Q3,3480,亿元,,,重庆\n"
    response = client.post(
        IMPORT,
        content=csv_text.encode("gb18030"),
        headers={**bearer(api_keys["analyst"]), "Content-Type": "text/csv; charset=GBK"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["items"][0]["note"] == "重庆"
    # the same bytes said to be UTF-8: the charset wins, and they are not UTF-8
    refused = client.post(
        IMPORT,
        content=csv_text.encode("gb18030"),
        headers={**bearer(api_keys["analyst"]), "Content-Type": "text/csv; charset=utf-8"},
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "body"


def test_an_xlsx_with_a_percent_cell_and_trailing_empty_rows(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    content = _workbook(
        [
            HEADER.split(","),
            ["key_project_investment", "500000", "2023-Q3", 3480.5, "亿元", 0.121, "79.1", "季度"],
            ["retail_sales", 500000, "2023-Q3", "1,234.56", "亿元", None, None, None],
            [None] * 8,
            [None] * 8,
        ],
        percent_cell="F2",
    )
    response = client.post(
        IMPORT,
        files={"file": ("figures.xlsx", content, XLSX)},
        headers=bearer(api_keys["analyst"]),
    )
    assert response.status_code == 201, response.text
    first, second = response.json()["items"]
    assert first["value"] == 3480.5
    assert first["yoy_growth"] == 12.1  # 0.121 shown as 12.1%
    assert first["reported_completion_rate"] == 79.1
    assert second["indicator"]["code"] == "retail_sales"
    assert second["value"] == 1234.56
    (stored,) = _stored(client, "key_project_investment", "2023-Q3")
    assert stored["yoy_growth"] == 12.1


def test_an_xlsx_as_a_raw_body_and_a_named_sheet(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    first.append(["notes, not figures"])
    second = workbook.create_sheet("data")
    second.append(HEADER.split(","))
    second.append(["key_project_investment", "500000", "2023-Q3", 3480, "亿元"])
    out = io.BytesIO()
    workbook.save(out)
    for media in (XLSX, "application/octet-stream"):
        response = client.post(
            IMPORT,
            params={"sheet": "data", "dry_run": "true"},
            content=out.getvalue(),
            headers={**bearer(api_keys["analyst"]), "Content-Type": media},
        )
        assert response.status_code == 200, response.text
        assert response.json()["valid"] is True
        assert [i["value"] for i in response.json()["items"]] == [3480]
    missing = client.post(
        IMPORT,
        params={"sheet": "nope"},
        content=out.getvalue(),
        headers={**bearer(api_keys["analyst"]), "Content-Type": XLSX},
    )
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "sheet"
    assert "data" in missing.json()["errors"][0]["message"]


def test_every_problem_of_every_row_in_one_answer(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    rows = [
        "key_project_investment,500000,2023-Q3,3480,亿元,,,",
        "key_project_investment,500000,2023-Q2,3480,公斤,,,",  # row 2: a bad unit
        "key_project_investment,500000,2023-Q1,3480,亿元,,,",
        "key_project_investment,500000,2023-Q4,abc,亿元,,,",  # row 4: not a number
        "key_project_investment,999999,2023-Q3,3480,亿元,,,",  # row 5: an unknown region
        "key_project_investment,500000,2022-Q4,3480,亿元,,,,too many",  # row 6: a cell more
    ]
    response = client.post(
        IMPORT,
        content=("\n".join([HEADER, *rows]) + "\n").encode(),
        headers={**bearer(api_keys["analyst"]), "Content-Type": "text/csv"},
    )
    assert response.status_code == 422, response.text
    errors = {(e["row"], e["field"]) for e in response.json()["errors"]}
    assert errors == {(2, "unit"), (4, "value"), (5, "region"), (6, "column 9")}
    assert _stored(client, "key_project_investment", "2023-Q1") == []


def test_an_xlsx_row_with_more_cells_and_a_date_cell_are_named(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    from datetime import datetime

    content = _workbook(
        [
            ["indicator", "region", "period", "value", "unit"],
            ["key_project_investment", "500000", "2023-Q3", 3480, "亿元", "stray"],
            ["key_project_investment", "500000", datetime(2023, 9, 1), 3480, "亿元"],
        ]
    )
    response = client.post(
        IMPORT, files={"file": ("f.xlsx", content, XLSX)}, headers=bearer(api_keys["analyst"])
    )
    assert response.status_code == 422, response.text
    errors = {(e["row"], e["field"]) for e in response.json()["errors"]}
    assert (1, "column 6") in errors
    assert (2, "period") in errors


def _counts(session: Session) -> tuple[int, int, int]:
    def count(table: str) -> int:
        return int(session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())

    return count("observation"), count("audit_entry"), count("idempotency_record")


def test_a_dry_run_writes_nothing(
    client: TestClient, api_keys: dict[str, str], session: Session
) -> None:
    before = _counts(session)
    headers = {**bearer(api_keys["analyst"]), "Idempotency-Key": "dry-1"}
    row = {
        "indicator": "key_project_investment",
        "region": "500000",
        "period": "2023-Q3",
        "value": 3480,
        "unit": "亿元",
    }
    answer = client.post("/api/v1/observations?dry_run=true", json=[row], headers=headers)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["dry_run"] is True and body["valid"] is True and body["rows"] == 1
    assert body["errors"] == []
    assert [i["revision"] for i in body["items"]] == [1]
    # the 2023 plan as it would be: 3480 / 4300 = 80.9302 % done by Q3
    (plan,) = [p for p in body["plans"] if p["year"] == 2023]
    assert plan["progress"]["actual_period"] == "2023-Q3"
    assert abs(plan["progress"]["completion_rate"] - 80.9302) < 1e-4
    assert _counts(session) == before
    unchanged = client.get(
        "/api/v1/plans", params={"indicator": "key_project_investment", "region": "500000"}
    ).json()
    (stored_plan,) = [p for p in unchanged["items"] if p["year"] == 2023]
    assert stored_plan["progress"]["actual_period"] == "2023-H1"
    assert _stored(client, "key_project_investment", "2023-Q3") == []
    # the same key for real afterwards is a first request (no record was kept)
    real = client.post("/api/v1/observations", json=[row], headers=headers)
    assert real.status_code == 201, real.text
    after = _counts(session)
    assert after == (before[0] + 1, before[1] + 1, before[2] + 1)
    # a dry run now sees the stored figure: its row would be revision 2
    again = client.post("/api/v1/observations?dry_run=true", json=[row], headers=headers)
    assert [i["revision"] for i in again.json()["items"]] == [2]
    assert _counts(session) == after


def test_a_dry_run_of_a_bad_file_lists_its_errors_with_200(
    client: TestClient, api_keys: dict[str, str], session: Session
) -> None:
    before = _counts(session)
    csv_text = (
        f"{HEADER}\n"
        "key_project_investment,500000,2023-Q3,3480,亿元,,,\n"
        "key_project_investment,999999,2023-Q3,3480,亿元,,,\n"
    )
    response = client.post(
        IMPORT,
        params={"dry_run": "true"},
        content=csv_text.encode(),
        headers={**bearer(api_keys["analyst"]), "Content-Type": "text/csv"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["valid"] is False and body["rows"] == 2
    assert [(e["row"], e["field"]) for e in body["errors"]] == [(2, "region")]
    assert _counts(session) == before


def test_a_file_is_idempotent_by_its_bytes(client: TestClient, api_keys: dict[str, str]) -> None:
    csv_text = f"{HEADER}\nkey_project_investment,500000,2023-Q3,3480,亿元,,,\n"
    headers = {**bearer(api_keys["analyst"]), "Idempotency-Key": "file-1"}
    first = client.post(
        IMPORT, files={"file": ("a.csv", csv_text.encode(), "text/csv")}, headers=headers
    )
    assert first.status_code == 201, first.text
    # multipart again (another boundary), then as a raw body: the same file, the same answer
    again = client.post(
        IMPORT, files={"file": ("a.csv", csv_text.encode(), "text/csv")}, headers=headers
    )
    raw = client.post(
        IMPORT, content=csv_text.encode(), headers={**headers, "Content-Type": "text/csv"}
    )
    assert again.status_code == raw.status_code == 201
    assert again.json() == raw.json() == first.json()
    assert len(_stored(client, "key_project_investment", "2023-Q3")) == 1
    other = client.post(
        IMPORT,
        content=csv_text.replace("3480", "3481").encode(),
        headers={**headers, "Content-Type": "text/csv"},
    )
    assert other.status_code == 409


def test_a_file_over_the_row_limit_is_a_413(client: TestClient, api_keys: dict[str, str]) -> None:
    rows = [["indicator", "region", "period", "value", "unit"]]
    rows += [
        ["key_project_investment", "500000", f"{1990 + i % 30}", i, "亿元"] for i in range(10_001)
    ]
    response = client.post(
        IMPORT,
        files={"file": ("big.xlsx", _workbook(rows), XLSX)},
        headers=bearer(api_keys["analyst"]),
    )
    assert response.status_code == 413, response.text
