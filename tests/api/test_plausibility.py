"""The outlier rule (app/domain/plausibility.py): its SQL reading on Postgres and its
Python reading give the same warnings for the same rows."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.domain.periods import parse_period
from app.domain.plausibility import (
    is_outlier,
    latest_earlier_positive,
    year_so_far,
    ytd_inconsistent,
)
from app.services import posting
from app.services.posting import record_observations
from tests.conftest import bearer

REGION = "500000-SC"  # no seeded GDP or high-tech figures: the history is the test's own


def _row(indicator: str, period: str, value: int) -> dict[str, object]:
    return {"indicator": indicator, "region": REGION, "period": period, "value": value}


HISTORY = [
    _row("gdp", "2015-H1", 100),
    _row("gdp", "2015", 220),
    _row("hi_tech_enterprises", "2015-Q2", 50),
    _row("hi_tech_enterprises", "2015-Q4", 0),  # not positive: never compared with
    _row("gdp", "2017-M10", 3900),
]
BATCH = [
    _row("gdp", "2016-H1", 400),  # 4× 2015-H1: an outlier
    _row("gdp", "2016", 300),  # 1.36× 2015
    _row("gdp", "2016-Q1", 10),  # no 2015-Q1 to compare with
    _row("hi_tech_enterprises", "2016-Q1", 151),  # 3.02× 2015-Q2 (2015-Q4 is 0): an outlier
    _row("hi_tech_enterprises", "2016-Q2", 150),  # exactly 3× 2015-Q2 (batch rows never count)
    _row("hi_tech_enterprises", "2018-Q1", 10),  # 0.2× 2015-Q2, found further back: an outlier
    _row("gdp", "2017-M11", 39000),  # 10× 3,900 by October: above 3 × 3,900 × 11/10 = 12,870
    _row("gdp", "2017", 3800),  # a year-to-date sum below October's: it cannot fall
    _row("gdp", "2017-M12", 12000),  # within 3 × 3,900 × 12/10 = 14,040: no warning
]


def _warnings(session: Session) -> list[tuple[int | None, str]]:
    savepoint = session.begin_nested()
    try:
        outcome = record_observations(session, BATCH, "test", max_rows=100)
        return [(w.row, f"{w.code}: {w.message}") for w in outcome.warnings]
    finally:
        savepoint.rollback()


def test_sql_and_python_find_the_same_outliers(
    session: Session, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if backend != "postgresql":
        pytest.skip("the SQL reading of the rule runs on Postgres only")
    record_observations(
        session, HISTORY, "test", max_rows=100, now=datetime(2020, 1, 1, tzinfo=UTC)
    )
    staged = _warnings(session)
    monkeypatch.setattr(posting, "_uses_staging", lambda _session: False)
    row_wise = _warnings(session)
    assert staged == row_wise
    assert [row for row, _ in staged] == [1, 4, 6, 7, 8]
    assert "4.00× the 2015-H1 figure (100 亿元)" in staged[0][1]
    assert "at most 12870 亿元" in staged[3][1]
    assert "cannot fall" in staged[4][1]


def test_the_python_reading_alone_flags_the_hand_checked_rows(session: Session) -> None:
    record_observations(session, HISTORY, "test", max_rows=100)
    warnings = _warnings(session)
    assert [row for row, _ in warnings] == [1, 4, 6, 7, 8]
    assert [message.split(":")[0] for _, message in warnings] == [
        *("outlier", "outlier", "outlier"),
        *("ytd_inconsistent", "ytd_inconsistent"),
    ]


def test_the_rule_itself() -> None:
    assert is_outlier(Decimal(301), Decimal(100))
    assert not is_outlier(Decimal(300), Decimal(100))
    assert is_outlier(Decimal("33.3"), Decimal(100))
    assert not is_outlier(Decimal(0), Decimal(100))
    assert not is_outlier(Decimal(5), None)
    q2, q4 = parse_period("2015-Q2"), parse_period("2015-Q4")
    found = latest_earlier_positive(parse_period("2016-Q1"), [(q2, Decimal(50)), (q4, Decimal(0))])
    assert found == (q2, Decimal(50))


def test_year_to_date_consistency() -> None:
    m10, m11 = parse_period("2023-M10"), parse_period("2023-M11")
    assert year_so_far(m11, [(m10, Decimal(3900)), (parse_period("2023-H1"), Decimal(2411))]) == (
        m10,
        Decimal(3900),
    )
    assert year_so_far(m11, [(parse_period("2022-M10"), Decimal(3900))]) is None
    october = (m10, Decimal(3900))
    assert ytd_inconsistent(Decimal(39000), m11, october)
    assert not ytd_inconsistent(Decimal(12870), m11, october)  # exactly 3× the pace
    assert ytd_inconsistent(Decimal(3899), m11, october)
    assert not ytd_inconsistent(Decimal(3900), m11, october)


def test_a_year_to_date_figure_ten_times_its_pace_is_answered_with_a_warning(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    """DESIGN's example: 39,000 亿元 by November right after 3,900 by October."""
    headers = bearer(api_keys["analyst"])
    row = {"indicator": "key_project_investment", "region": "500000", "unit": "亿元"}
    october = client.post(
        "/api/v1/observations", json={**row, "period": "2023-M10", "value": 3900}, headers=headers
    )
    assert october.json()["warnings"] == []
    november = client.post(
        "/api/v1/observations", json={**row, "period": "2023-M11", "value": 39000}, headers=headers
    )
    assert november.status_code == 201
    (warning,) = november.json()["warnings"]
    assert (warning["code"], warning["row"], warning["field"]) == ("ytd_inconsistent", 1, "value")
