"""The tally the summary sums always equals counting the goals in force, whoever writes."""

from __future__ import annotations

from collections import Counter

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from app.models import GoalStatusTally, Plan, Target
from app.queries import goals as q
from tests.conftest import KEY_PROJECTS_NOVEMBER_2023, bearer

Goal = type[Target] | type[Plan]


def _counted(session: Session, model: Goal, region: str | None = None) -> Counter[str]:
    stmt = select(model.status, func.count()).where(model.retired_at.is_(None))
    if region:
        stmt = stmt.where(model.region_code == region)
    rows = session.execute(stmt.group_by(model.status)).all()
    return Counter({status: n for status, n in rows if status is not None})


def _assert_tally_matches(session: Session) -> None:
    session.expire_all()
    for model in (Target, Plan):
        for region in (None, "500000", "500115"):
            assert q.status_counts(session, model, region)[0] == _counted(session, model, region)


def _rows(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(GoalStatusTally)) or 0


def test_the_tally_starts_equal_to_the_counts(session: Session) -> None:
    assert sum(_counted(session, Target).values()) > 0
    _assert_tally_matches(session)


def test_writes_through_the_api_and_behind_its_back_keep_the_tally_right(
    client: TestClient, session: Session, api_keys: dict[str, str]
) -> None:
    row = KEY_PROJECTS_NOVEMBER_2023
    posted = client.post("/api/v1/observations", json=row, headers=bearer(api_keys["analyst"]))
    assert posted.status_code == 201
    _assert_tally_matches(session)
    target_id, plan_id = (
        session.scalars(select(model.id).order_by(model.id).limit(1)).one()
        for model in (Target, Plan)
    )
    session.execute(update(Target).where(Target.id == target_id).values(retired_at=func.now()))
    session.execute(update(Plan).where(Plan.id == plan_id).values(region_code="500115"))
    session.execute(update(Plan).values(status=None))
    session.execute(delete(Target).where(Target.id != target_id).where(Target.id < target_id + 3))
    session.commit()
    _assert_tally_matches(session)
    summary = client.get("/api/v1/summary").json()  # computes the missing statuses
    session.expire_all()
    assert summary["plans"]["total"] == sum(_counted(session, Plan).values())
    _assert_tally_matches(session)


def test_compaction_leaves_one_row_per_group_and_the_same_counts(
    client: TestClient, session: Session, api_keys: dict[str, str]
) -> None:
    session.execute(update(Target).values(status=None))
    session.commit()
    client.get("/api/v1/summary")  # every target's status is computed again: two deltas each
    before = {m: q.status_counts(session, m, None)[0] for m in (Target, Plan)}
    rows_before = _rows(session)
    q.compact_tallies(session)
    session.commit()
    groups = session.execute(
        select(GoalStatusTally.kind, GoalStatusTally.region_code, GoalStatusTally.status).distinct()
    ).all()
    assert _rows(session) == len(groups) < rows_before
    assert {m: q.status_counts(session, m, None)[0] for m in (Target, Plan)} == before
    _assert_tally_matches(session)


def test_the_summary_compacts_once_it_reads_too_many_rows(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    session.execute(update(Plan).values(status=None))
    session.commit()
    expected = client.get("/api/v1/summary").json()
    grown = _rows(session)
    monkeypatch.setattr(q, "COMPACT_TALLIES_AT", 10)
    assert client.get("/api/v1/summary").json()["plans"] == expected["plans"]
    assert _rows(session) < grown
    again = client.get("/api/v1/summary").json()
    assert (again["targets"], again["plans"]) == (expected["targets"], expected["plans"])
