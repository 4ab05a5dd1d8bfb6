"""``python -m app documents extract FILE``: a document's proposals in the seed format."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

from tests.test_cli import run

REPORT = (
    "璧山区2024年国民经济和社会发展计划执行情况及2025年计划草案的报告\n"
    "一、2024年国民经济和社会发展计划执行情况\n"
    "全年实现地区生产总值1050.2亿元,同比增长6.1%。\n"
    "二、2025年国民经济和社会发展计划草案\n"
    "城镇新增就业1.5万人以上。\n"
)


def test_proposals_print_as_csv_json_and_seed_files(tmp_path: Path) -> None:
    source = tmp_path / "report.txt"
    source.write_text(REPORT, encoding="utf-8")
    db = tmp_path / "none.db"  # no schema: the indicators stay unmatched, the figures do not

    rows = list(csv.DictReader(io.StringIO(run(["documents", "extract", str(source)], db).stdout)))
    assert [(r["kind"], r["value"], r["unit"], r["period"], r["year"]) for r in rows] == [
        ("plan", "1.5", "万人", "", "2025"),
        ("observation", "1050.2", "亿元", "2024", ""),
    ]
    assert rows[1]["yoy_growth"] == "6.1"
    assert rows[1]["note"] == "indicator? 地区生产总值"

    printed = run(["documents", "extract", str(source), "--json"], db).stdout
    answer = json.loads(printed, parse_float=Decimal)
    # the numbers are bare JSON numbers with their digits, as the API answers them
    (gdp,) = [item for item in answer["items"] if item["kind"] == "observation"]
    assert gdp["value"] == Decimal("1050.2") and gdp["yoy_growth"] == Decimal("6.1")
    assert (
        answer["total"] == 2
        and answer["items"][0]["quote"] == "全年实现地区生产总值1050.2亿元,同比增长6.1%"
    )

    out = tmp_path / "seeds"
    run(["documents", "extract", str(source), "--out", str(out), "--region", "500115"], db)
    plans = (out / "plans.csv").read_text(encoding="utf-8").splitlines()
    header = "indicator,region,year,basis,comparator,value,unit,"
    assert plans[0] == header + "baseline_year,baseline_value,stretch,quote,note"
    assert (
        plans[1] == ",500115,2025,value,>=,1.5,万人,,,,城镇新增就业1.5万人,indicator? 城镇新增就业"
    )
    assert (out / "targets.csv").read_text(encoding="utf-8").count("\n") == 1


def test_an_unreadable_file_is_refused(tmp_path: Path) -> None:
    result = run(
        ["documents", "extract", str(tmp_path / "missing.txt")], tmp_path / "x.db", check=False
    )
    assert result.returncode == 1 and "cannot read" in result.stderr
