"""Large batches: revision numbers, audit rows and plausibility warnings checked row by row.

The expectations are computed here from every stored revision, independently of the
posting code's set-based queries: the latest revision per key recorded so far, then the
rule (a level against the latest earlier period with a positive figure, a flow against
the same period a year before; more than 3× or less than ⅓ warns).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.periods import parse_period
from app.errors import ValidationFailed
from app.models import AuditEntry, Indicator, Observation
from app.queries import revisions
from app.services import posting
from app.services.posting import record_observations
from tests.conftest import bearer

FLOWS = ("key_project_investment", "retail_sales")
LEVELS = ("hi_tech_enterprises", "forest_coverage")
REGIONS = ("500000", "500000-MA", "500000-NE")
KINDS = ("Y", "H1", "H2", "Q1", "Q2", "Q3", "Q4", "M03", "M06", "M11")
NOW = datetime(2025, 6, 1, tzinfo=UTC)


def _period(year: int, kind: str) -> str:
    return str(year) if kind == "Y" else f"{year}-{kind}"


def _value(rng: random.Random) -> Decimal | None:
    """Figures around 10, 100 or 1,000 (so many rows warn), some zero, some missing."""
    draw = rng.random()
    if draw < 0.08:
        return None
    if draw < 0.12:
        return Decimal(0)
    return Decimal(rng.choice([10, 100, 1000]) * rng.randint(80, 120)) / 100


def _row(indicator: str, region: str, period: str, value: Decimal | None) -> dict[str, Any]:
    row: dict[str, Any] = {"indicator": indicator, "region": region, "period": period}
    if value is None:
        row["yoy_growth"] = 5
    else:
        # #14.10: enterprises in 家 are a whole count; forest cover is a share, at most 100 %
        if indicator == LEVELS[0]:
            value = value.to_integral_value()
        elif indicator == LEVELS[1]:
            value = value / 20
        row["value"] = str(value)
    return row


def _history(rng: random.Random) -> Iterator[list[dict[str, Any]]]:
    """Earlier batches: mixed period kinds, revisions, and a series with a long gap."""
    first: list[dict[str, Any]] = []
    for indicator in FLOWS + LEVELS:
        for region in REGIONS:
            if (indicator, region) == (LEVELS[0], REGIONS[2]):
                # Nothing after 2019: its 2023-2024 levels look back past the 2-year window.
                years = [2018, 2019]
            elif (indicator, region) == (LEVELS[1], REGIONS[2]):
                continue  # no history at all
            else:
                years = list(range(2019, 2025))
            for year in years:
                for kind in rng.sample(KINDS, 5):
                    first.append(_row(indicator, region, _period(year, kind), _value(rng)))
    yield first
    # Revisions of a third of those keys, some of them making a figure missing or zero.
    yield [_row(r["indicator"], r["region"], r["period"], _value(rng)) for r in first[::3]]
    yield [_row(r["indicator"], r["region"], r["period"], _value(rng)) for r in first[::7]]


def _batch(rng: random.Random) -> list[dict[str, Any]]:
    """Some keys that have revisions already, many new periods, and new series."""
    keys = set()
    for indicator in FLOWS + LEVELS:
        for region in REGIONS:
            for year in (2022, 2023, 2024):
                for kind in KINDS:
                    keys.add((indicator, region, _period(year, kind)))
    chosen = sorted(keys)
    rng.shuffle(chosen)
    return [_row(i, r, p, _value(rng)) for i, r, p in chosen[:300]]


def _expected_year_so_far(
    newest: dict[tuple[str, str, str], Observation],
    measures: dict[str, str],
    rows: list[dict[str, Any]],
) -> dict[int, str]:
    """Row number → the earlier year-to-date period of the same year that a flow's figure
    cannot follow (below it, or above 3× its pace): ``ytd_inconsistent``, written anew."""
    expected = {}
    for number, row in enumerate(rows, start=1):
        if row.get("value") is None or measures[row["indicator"]] != "flow":
            continue
        value, period = Decimal(row["value"]), parse_period(row["period"])
        candidates = [
            (parse_period(text).sort_key, other.value, text)
            for (indicator, region, text), other in newest.items()
            if (indicator, region) == (row["indicator"], row["region"])
            and other.value is not None
            and other.value > 0
            and parse_period(text).year == period.year
            and parse_period(text).end_month < period.end_month
        ]
        if candidates:
            _, previous, text = max(candidates)
            pace = 3 * previous * period.end_month / parse_period(text).end_month
            if value < previous or value > pace:
                expected[number] = text
    return expected


def _expected_warnings(
    session: Session, rows: list[dict[str, Any]], as_of: datetime
) -> tuple[dict[int, str], dict[int, str]]:
    """Row number → the period the row is compared with and found implausible: outliers,
    and year-to-date figures that do not follow the year so far."""
    measures = {i.code: i.measure for i in session.scalars(select(Indicator))}
    newest: dict[tuple[str, str, str], Observation] = {}
    for obs in session.scalars(select(Observation).where(Observation.recorded_at <= as_of)):
        key = (obs.indicator_code, obs.region_code, obs.period)
        if key not in newest or obs.revision > newest[key].revision:
            newest[key] = obs
    expected = {}
    for number, row in enumerate(rows, start=1):
        if row.get("value") is None or Decimal(row["value"]) <= 0:
            continue
        value, period = Decimal(row["value"]), parse_period(row["period"])
        candidates = []
        for (indicator, region, other_text), other in newest.items():
            if (indicator, region) != (row["indicator"], row["region"]):
                continue
            if other.value is None or other.value <= 0:
                continue
            other_period = parse_period(other_text)
            if measures[indicator] == "flow":
                if (other_period.kind, other_period.index, other_period.year) == (
                    period.kind,
                    period.index,
                    period.year - 1,
                ):
                    candidates.append((other_period.sort_key, other.value, other_text))
            elif other_period.sort_key < period.sort_key:
                candidates.append((other_period.sort_key, other.value, other_text))
        if candidates:
            _, previous, previous_text = max(candidates)
            ratio = value / previous
            if ratio > 3 or ratio < Decimal(1) / 3:
                expected[number] = previous_text
    return expected, _expected_year_so_far(newest, measures, rows)


def _top(session: Session) -> dict[tuple[str, str, str], int]:
    stmt = select(
        Observation.indicator_code,
        Observation.region_code,
        Observation.period,
        func.max(Observation.revision),
    ).group_by(Observation.indicator_code, Observation.region_code, Observation.period)
    return {(i, r, p): n for i, r, p, n in session.execute(stmt)}


@pytest.fixture(params=[revisions.SQLITE_MAX_PARAMS, 7], ids=["chunks-900", "chunks-7"])
def chunking(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """On SQLite, also with tiny chunks: keys split over many statements."""
    monkeypatch.setattr(revisions, "SQLITE_MAX_PARAMS", request.param)


@pytest.fixture(params=[posting.PART_ROWS, 1, 5], ids=["parts-default", "parts-1", "parts-5"])
def parts(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches checked (and on Postgres stored) in parts of this many rows."""
    monkeypatch.setattr(posting, "PART_ROWS", request.param)


@pytest.mark.usefixtures("chunking", "parts")
def test_a_batch_gets_the_right_revisions_audit_rows_and_warnings(session: Session) -> None:
    rng = random.Random(20240601)
    for earlier in _history(rng):
        record_observations(session, earlier, "history", max_rows=10_000, now=NOW)
    rows = _batch(rng)
    top_before = _top(session)
    assert sum(1 for r in rows if (r["indicator"], r["region"], r["period"]) in top_before) > 20
    expected_warnings, expected_ytd = _expected_warnings(session, rows, datetime.now(UTC))
    assert len(expected_warnings) > 10
    assert len(expected_ytd) > 5
    audit_before = session.scalar(select(func.max(AuditEntry.id))) or 0

    outcome = record_observations(session, rows, "batch", max_rows=10_000, now=NOW)

    warned = {w.row: w.message for w in outcome.warnings if w.code == "outlier"}
    assert {n: m.split(" the ")[1].split(" figure")[0] for n, m in warned.items()} == (
        expected_warnings
    )
    ytd = {w.row: w.message for w in outcome.warnings if w.code == "ytd_inconsistent"}
    assert {n: m.split(" by ")[2].split(":")[0] for n, m in ytd.items()} == expected_ytd
    assert {w.code for w in outcome.warnings} == {"outlier", "ytd_inconsistent"}
    assert [w.row for w in outcome.warnings] == sorted(w.row or 0 for w in outcome.warnings)
    assert {w.field for w in outcome.warnings} == {"value"}

    stored = outcome.observations
    assert [(o.indicator_code, o.region_code, o.period) for o in stored] == [
        (r["indicator"], r["region"], r["period"]) for r in rows
    ]
    for obs in stored:
        key = (obs.indicator_code, obs.region_code, obs.period)
        assert obs.revision == top_before.get(key, 0) + 1
    (recorded_at,) = {o.recorded_at for o in stored}
    in_db = {
        o.id: o
        for o in session.scalars(
            select(Observation).where(Observation.id.in_([o.id for o in stored]))
        )
    }
    assert len(in_db) == len(rows)
    for obs in stored:
        row = in_db[obs.id]
        assert (row.indicator_code, row.region_code, row.period, row.revision) == (
            obs.indicator_code,
            obs.region_code,
            obs.period,
            obs.revision,
        )
        assert (row.value, row.yoy_growth, row.recorded_at) == (
            obs.value,
            obs.yoy_growth,
            recorded_at,
        )

    audit = session.scalars(
        select(AuditEntry).where(AuditEntry.id > audit_before).order_by(AuditEntry.id)
    ).all()
    assert [a.entity_id for a in audit] == [o.id for o in stored]
    for entry, obs in zip(audit, stored, strict=True):
        assert (entry.actor, entry.action, entry.entity, entry.before) == (
            "batch",
            "create",
            "observation",
            None,
        )
        assert entry.at == recorded_at
        assert entry.after == {
            "indicator": obs.indicator_code,
            "region": obs.region_code,
            "period": obs.period,
            "revision": obs.revision,
            "value": None if obs.value is None else format(obs.value, "f"),
            "unit": obs.unit,
            "stated_value": None if obs.stated_value is None else format(obs.stated_value, "f"),
            "stated_unit": obs.stated_unit,
            "yoy_growth": None if obs.yoy_growth is None else format(obs.yoy_growth, "f"),
            "reported_completion_rate": None,
            "document": None,
            "note": None,
        }
    assert _top(session) == {
        **top_before,
        **{(o.indicator_code, o.region_code, o.period): o.revision for o in stored},
    }


@pytest.mark.usefixtures("parts")
def test_each_row_is_compared_with_the_right_earlier_figure(session: Session) -> None:
    level, flow, region = "hi_tech_enterprises", "retail_sales", "500000-NE"
    history = [
        _row(level, region, "2016-Q4", Decimal(100)),
        _row(level, region, "2022-Q4", Decimal(1000)),
        _row(level, region, "2023-Q4", Decimal(100)),
        _row(level, region, "2023-M12", Decimal(1000)),  # ends with 2023-Q4, ranks before it
        _row(flow, region, "2022-H1", Decimal(100)),
        _row(flow, region, "2023-H1", Decimal(1000)),
        _row(flow, region, "2023-H2", Decimal(100)),
        _row(flow, region, "2023", Decimal(1000)),
    ]
    record_observations(session, history, "history", max_rows=10, now=NOW)
    # A later revision that is no longer a figure: the period no longer counts.
    record_observations(session, [_row(flow, region, "2023", None)], "history", max_rows=1)
    rows = [
        _row(level, region, "2024-Q1", Decimal(1000)),  # against 2023-Q4 (100): warns
        _row(level, region, "2019", Decimal(100)),  # against 2016-Q4: plausible
        # Past three empty years: 2016-Q4, not the 2019 figure posted with it (even when
        # an earlier part of the batch is stored already).
        _row(level, region, "2020-Q1", Decimal(1000)),
        _row(flow, region, "2024-H1", Decimal(1000)),  # against 2023-H1 (1000): plausible
        _row(flow, region, "2024-H2", Decimal(1000)),  # against 2023-H2 (100): warns
        _row(flow, region, "2024", Decimal(1000)),  # 2023 has no figure now: nothing
        _row(flow, region, "2023-Q1", Decimal(1000)),  # no 2022-Q1: nothing
    ]
    # The batch's own rows are not compared with each other, even once a part is stored.
    outcome = record_observations(session, rows, "batch", max_rows=10, now=NOW)
    assert [(w.row, w.message.split(" the ")[1].split(" figure")[0]) for w in outcome.warnings] == [
        (1, "2023-Q4"),
        (3, "2016-Q4"),
        (5, "2023-H2"),
    ]


def test_a_bad_last_row_stores_nothing(session: Session) -> None:
    rows = _batch(random.Random(7))
    rows[-1] = {**rows[-1], "value": "1", "unit": "公里"}
    observations = session.scalar(select(func.count()).select_from(Observation))
    audits = session.scalar(select(func.count()).select_from(AuditEntry))
    with pytest.raises(ValidationFailed) as failure:
        record_observations(session, rows, "batch", max_rows=10_000, now=NOW)
    assert [(e.row, e.field) for e in failure.value.errors] == [(len(rows), "unit")]
    assert session.scalar(select(func.count()).select_from(Observation)) == observations
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == audits


def _total(client: TestClient) -> int:
    every = client.get("/api/v1/observations", params={"include_revisions": "true", "limit": 1})
    total: int = every.json()["total"]
    return total


def test_a_batch_over_http_answers_every_row_as_read_back(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    rows = _batch(random.Random(11))[:200]
    rows += [
        {
            "indicator": "key_project_investment",
            "region": "500000-MA",
            "period": "2021-Q3",
            "value": "0.25",
            "unit": "万亿元",
            "note": "注",
        }
    ]
    headers = bearer(api_keys["analyst"])
    first = client.post("/api/v1/observations", json=rows[:50], headers=headers)
    assert first.status_code == 201, first.text
    response = client.post("/api/v1/observations", json=rows, headers=headers)
    assert response.status_code == 201, response.text
    items = response.json()["items"]
    assert len(items) == len(rows)
    assert [i["revision"] for i in items[:50]] == [i["revision"] + 1 for i in first.json()["items"]]
    assert len({i["recorded_at"] for i in items}) == 1
    assert items[-1]["value"] == 2500 and items[-1]["stated_value"] == 0.25
    assert items[-1]["stated_unit"] == "万亿元" and items[-1]["note"] == "注"
    read_back = {}
    for indicator in FLOWS + LEVELS:
        page = client.get(
            "/api/v1/observations", params={"indicator": indicator, "limit": 1000}
        ).json()["items"]
        read_back.update({i["id"]: i for i in page})
    for item in items:
        assert read_back[item["id"]] == item

    stored = _total(client)
    negative = {"indicator": "retail_sales", "region": "500000", "period": "2015", "value": -5}
    refused = client.post("/api/v1/observations", json=[*rows[:100], negative], headers=headers)
    assert refused.status_code == 422
    assert [(e["row"], e["field"]) for e in refused.json()["errors"]] == [(101, "value")]
    assert _total(client) == stored
