"""The import tool's batching and error reporting, through the HTTP API."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from app.importer import Sender, local_sender, run_import
from app.models import Observation
from tests.conftest import bearer

HEADER = "indicator,region,period,value,unit\n"


def client_sender(client: TestClient, key: str) -> Sender:
    def send(body: bytes, idempotency_key: str) -> tuple[int, dict[str, Any]]:
        response = client.post(
            "/api/v1/observations",
            content=body,
            headers={
                **bearer(key),
                "Content-Type": "application/json",
                "Idempotency-Key": idempotency_key,
                "Prefer": "return=minimal",
            },
        )
        return response.status_code, response.json()

    return send


def test_import_in_batches_and_rerun_records_nothing_twice(
    client: TestClient, api_keys: dict[str, str], tmp_path: Path
) -> None:
    sheet = tmp_path / "figures.csv"
    rows = [f"gdp,500000,2023-M0{m},{m * 2500},亿元\n" for m in range(1, 6)]
    sheet.write_text(HEADER + "".join(rows), encoding="utf-8")
    out = io.StringIO()
    send = client_sender(client, api_keys["analyst"])
    assert run_import(sheet, send, batch_size=2, out=out) == 0
    assert "5/5 rows" in out.getvalue()
    assert run_import(sheet, send, batch_size=2, out=io.StringIO()) == 0
    every = client.get(
        "/api/v1/observations",
        params={"indicator": "gdp", "include_revisions": "true", "limit": 1000},
    ).json()["items"]
    posted = [o for o in every if o["recorded_by"] == "test-analyst"]
    assert len(posted) == 5


def test_import_names_the_file_row_of_an_error(
    client: TestClient, api_keys: dict[str, str], tmp_path: Path
) -> None:
    sheet = tmp_path / "bad.csv"
    sheet.write_text(
        HEADER
        + "gdp,500000,2023-M01,2500,亿元\n"
        + "gdp,500000,2023-M02,5000,亿元\n"
        + "gdp,500000,2023-M13,1,亿元\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    assert run_import(sheet, client_sender(client, api_keys["analyst"]), batch_size=2, out=out) == 1
    assert "data row 3: period:" in out.getvalue()
    assert "2 rows were stored before this batch" in out.getvalue()


def test_a_local_import_run_twice_stores_each_figure_once(
    connection: Connection, api_keys: dict[str, str], tmp_path: Path
) -> None:
    """Without --url the rows take the same write path as over HTTP, idempotency included."""
    sheet = tmp_path / "figures.csv"
    rows = [f"gdp,500000,2023-M0{m},{m * 2500},亿元\n" for m in range(1, 6)]
    sheet.write_text(HEADER + "".join(rows), encoding="utf-8")

    def sessions() -> Session:
        return Session(bind=connection, join_transaction_mode="create_savepoint")

    send = local_sender(api_keys["analyst"], sessions)
    assert run_import(sheet, send, batch_size=2, out=io.StringIO()) == 0
    assert run_import(sheet, send, batch_size=2, out=io.StringIO()) == 0
    with sessions() as session:
        stored = session.scalar(
            select(func.count()).where(
                Observation.recorded_by == "test-analyst", Observation.indicator_code == "gdp"
            )
        )
    assert stored == 5


def test_a_local_import_and_one_over_http_are_the_same_request(
    client: TestClient, connection: Connection, api_keys: dict[str, str], tmp_path: Path
) -> None:
    sheet = tmp_path / "figures.csv"
    sheet.write_text(HEADER + "gdp,500000,2023-M01,2500,亿元\n", encoding="utf-8")

    def sessions() -> Session:
        return Session(bind=connection, join_transaction_mode="create_savepoint")

    assert run_import(sheet, local_sender(api_keys["analyst"], sessions), out=io.StringIO()) == 0
    out = io.StringIO()
    assert run_import(sheet, client_sender(client, api_keys["analyst"]), out=out) == 0
    every = client.get(
        "/api/v1/observations",
        params={"indicator": "gdp", "period": "2023-M01", "include_revisions": "true"},
    ).json()["items"]
    assert [o["recorded_by"] for o in every].count("test-analyst") == 1


def _xlsx(path: Path, rows: list[list[Any]]) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    sheet["D2"].number_format = "0.0%"  # a share typed as 12.5%
    workbook.save(path)
    return path


def test_an_xlsx_imports_locally_and_over_http_as_one_request(
    client: TestClient, connection: Connection, api_keys: dict[str, str], tmp_path: Path
) -> None:
    sheet = _xlsx(
        tmp_path / "figures.xlsx",
        [
            ["indicator", "region", "period", "yoy_growth", "value", "unit"],
            ["gdp", "500000", "2023-M01", 0.125, 2500, "亿元"],
            ["gdp", "500000", "2023-M02", None, "5,000.5", "亿元"],
            [None, None, None, None, None, None],
        ],
    )

    def sessions() -> Session:
        return Session(bind=connection, join_transaction_mode="create_savepoint")

    out = io.StringIO()
    assert run_import(sheet, local_sender(api_keys["analyst"], sessions), out=out) == 0
    assert "2/2 rows" in out.getvalue()
    assert run_import(sheet, client_sender(client, api_keys["analyst"]), out=io.StringIO()) == 0
    every = client.get(
        "/api/v1/observations",
        params={"indicator": "gdp", "region": "500000", "include_revisions": "true"},
    ).json()["items"]
    mine = {o["period"]: o for o in every if o["recorded_by"] == "test-analyst"}
    assert sorted(mine) == ["2023-M01", "2023-M02"]  # once each, not twice
    assert mine["2023-M01"]["yoy_growth"] == 12.5
    assert mine["2023-M02"]["value"] == 5000.5


def test_an_unreadable_xlsx_row_is_named_and_nothing_is_sent(
    client: TestClient, api_keys: dict[str, str], tmp_path: Path
) -> None:
    sheet = _xlsx(
        tmp_path / "bad.xlsx",
        [
            ["indicator", "region", "period", "value", "unit"],
            ["gdp", "500000", "2023-M01", 2500, "亿元", "stray"],
        ],
    )
    sent: list[bytes] = []

    def send(body: bytes, key: str) -> tuple[int, dict[str, Any]]:
        sent.append(body)
        return 201, {}

    out = io.StringIO()
    assert run_import(sheet, send, out=out) == 1
    assert "data row 1: column 6:" in out.getvalue()
    assert sent == []
