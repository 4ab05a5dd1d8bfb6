"""#17: every quote holds every number of its row, and no goal is stated twice.

The number a row records must be written in its quote (``numbers_in_text.holds_number``
says how: digits, Chinese magnitudes, a few words for shares); a number taken from another
sentence, such as the growth rates 004 states only in its summary, fails here. Two goals
equal in every field DESIGN names (indicator, region, basis, comparator, value after unit
conversion, years) are one goal: rows of several documents the loader merges are fine, a
second goal in the database is not.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.units import convert
from app.models import Indicator, Plan, Target
from tests.seeds.numbers_in_text import (
    holds_completion_rate,
    holds_number,
    magnitude_of,
)
from tests.seeds.test_seed_files import all_rows, fail_if, indicators, where

# --------------------------------------------------------------------------- the helper


@pytest.mark.parametrize(
    ("unit", "magnitude"),
    [
        ("家", 1),
        ("万家", 10_000),
        ("亿元", 10**8),
        ("万亿元", 10**12),
        ("千亿元", 10**11),
        ("公里", 1),
        ("千瓦", 1),
        ("万千瓦", 10_000),
        ("%", 1),
        ("万人次", 10_000),
        ("吨/万元", 1),
    ],
)
def test_magnitude_of_a_unit_as_written(unit: str, magnitude: int) -> None:
    assert magnitude_of(unit) == magnitude


@pytest.mark.parametrize(
    ("text", "number", "unit"),
    [
        ("总量分别达到1.27万家和8.6万家", "1.27", "万家"),  # as written
        ("总量分别达到1.27万家和8.6万家", "12700", "家"),  # 1.27万 in a 家 row
        ("地区生产总值迈上4万亿元台阶", "40000", "亿元"),  # 4万亿 in an 亿元 row
        ("地区生产总值迈上4万亿元台阶", "4", "万亿元"),
        ("新增科技型企业7616家、同比增长130.5%", "130.5", "%"),
        ("规上工业增加值下降2.1%", "-2.1", "%"),  # a fall: the sign is the word's
        ("全年完成投资１２.５亿元", "12.5", "亿元"),  # full-width digits
        ("累计完成投资1,234.5亿元", "1234.5", "亿元"),  # thousands commas
        ("两大万亿级优势产业集群", "1", "万亿元"),  # a magnitude alone before 级
        ("功率半导体、液晶面板产量迈入全国前三", "3", "位"),
        ("长江干流水质稳定保持Ⅱ类", "2", "类"),
        ("实现“双倍增”", "100", "%"),
        ("千万亩高标准农田改造提升", "1", "千万亩"),
        ("新建1千万亩高标准农田", "1", "千万亩"),
        ("全年接待過夜游客100萬人次", "100", "万人次"),  # Traditional magnitudes
        ("全年接待過夜游客100萬人次", "1000000", "人次"),
        ("每年城镇新增就业60万人以上", "600000", "人"),
        ("新增装机500千瓦", "500", "千瓦"),  # 千 of the unit, not a magnitude
        ("新增装机300万千瓦", "300", "万千瓦"),
        ("新增装机300万千瓦", "3000000", "千瓦"),
    ],
)
def test_a_number_is_found_in_its_spellings(text: str, number: str, unit: str) -> None:
    assert holds_number(text, Decimal(number), unit)


@pytest.mark.parametrize(
    ("text", "number", "unit"),
    [
        ("全年完成固定資產投資310.2億元", "5.2", "%"),  # 004's growth from another sentence
        ("全年完成固定資產投資310.2億元", "10.2", "亿元"),  # never part of a longer number
        ("全年完成固定資產投資310.2億元", "310", "亿元"),
        ("空气质量优良天数稳定在300天以上", "30", "天"),
        ("总量分别达到1.27万家和8.6万家", "1.27", "家"),  # 1.27 家 is not 1.27万家
        ("总量分别达到1.27万家和8.6万家", "127", "万家"),
        ("实现“双倍增”", "100", "家"),  # doubling is a share, never a count
        ("实现“双倍增”", "200", "%"),
        ("长江干流水质稳定保持Ⅲ类", "2", "类"),
        ("接待过夜游客120万人", "1.2", "万人"),
        ("新增装机500千瓦", "500000", "千瓦"),
    ],
)
def test_a_number_not_written_is_not_found(text: str, number: str, unit: str) -> None:
    assert not holds_number(text, Decimal(number), unit)


def test_a_completion_rate_over_100_may_be_written_as_the_excess() -> None:
    quote = "5個川渝共建年度重大項目完成投資33億元,超年度計劃73%"
    assert holds_completion_rate(quote, Decimal(173))
    assert holds_completion_rate("完成年度计划的54.7%", Decimal("54.7"))
    assert not holds_completion_rate("完成年度计划的54.7%", Decimal("154.7"))  # no 超
    assert not holds_completion_rate(quote, Decimal(73) + Decimal(1))


# --------------------------------------------------------------------------- the rows


def _numbers(kind: str, row: dict[str, str]) -> list[tuple[str, Decimal, str]]:
    """(column, number, unit as written) of every number the row records."""
    out = []
    if row.get("value"):
        out.append(("value", Decimal(row["value"]), row.get("unit", "")))
    if row.get("baseline_value"):
        out.append(("baseline_value", Decimal(row["baseline_value"]), row.get("unit", "")))
    if kind == "observations":
        if row.get("yoy_growth"):
            out.append(("yoy_growth", Decimal(row["yoy_growth"]), "%"))
        if row.get("reported_completion_rate"):
            out.append(("reported_completion_rate", Decimal(row["reported_completion_rate"]), "%"))
    return out


def test_every_quote_holds_every_number_of_its_row() -> None:
    problems = []
    for doc, kind, line, row in all_rows():
        numbers = _numbers(kind, row)
        if not numbers:
            problems.append(f"{where(doc, kind, line)}: records no number")
        for column, number, unit in numbers:
            if column == "reported_completion_rate":
                ok = holds_completion_rate(row["quote"], number)
            else:
                ok = holds_number(row["quote"], number, unit)
            if not ok:
                missing = f"{column} {number} {unit} not in {row['quote']!r}"
                problems.append(f"{where(doc, kind, line)}: {missing}")
    fail_if(problems, "numbers their quotes do not hold")


# --------------------------------------------------------------------------- one goal once


def _design_key(kind: str, row: dict[str, Any]) -> tuple[Any, ...]:
    """DESIGN v1.1's fields of a goal: indicator, region, basis, comparator, value after
    unit conversion, years."""
    value = Decimal(row["value"])
    if row["basis"] in ("value", "cumulative"):
        value = convert(value, row["unit"], indicators()[row["indicator"]]["unit"])
    years = (row["start_year"], row["end_year"]) if kind == "targets" else (row["year"],)
    return (kind, row["indicator"], row["region"], row["basis"], row["comparator"], value, years)


def test_rows_equal_in_every_design_field_are_one_goal_of_several_documents() -> None:
    """Such rows are merged by the loader, so they must come from different documents and
    agree on the stretch flag (which the loader's key holds too): otherwise they would be
    two goals equal in every field DESIGN names."""
    groups: dict[tuple[Any, ...], list[tuple[str, str, int, dict[str, str]]]] = defaultdict(list)
    for doc, kind, line, row in all_rows():
        if kind != "observations":
            groups[_design_key(kind, row)].append((doc, kind, line, row))
    problems = []
    for members in groups.values():
        docs = [doc for doc, *_ in members]
        stretch = {row.get("stretch", "") for *_, row in members}
        if len(docs) != len(set(docs)) or len(stretch) > 1:
            problems.append(" and ".join(where(d, k, n) for d, k, n, _ in members))
    fail_if(problems, "goals stated twice")


def test_the_database_holds_no_two_goals_equal_in_every_design_field(session: Session) -> None:
    units = dict(session.execute(select(Indicator.code, Indicator.unit)).tuples().all())
    problems = []
    for model in (Target, Plan):
        seen: dict[tuple[Any, ...], int] = {}
        for goal in session.scalars(select(model).where(model.retired_at.is_(None))):
            value = goal.value
            if goal.basis in ("value", "cumulative"):
                value = convert(value, goal.unit, units[goal.indicator_code])
            years = (goal.start_year, goal.end_year) if isinstance(goal, Target) else (goal.year,)
            key = (goal.indicator_code, goal.region_code, goal.basis, goal.comparator, value, years)
            if key in seen:
                problems.append(f"{model.__name__} {goal.id} repeats {seen[key]}: {key}")
            seen.setdefault(key, goal.id)
    fail_if(problems, "goals stated twice in the database")
