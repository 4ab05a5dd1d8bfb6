"""How reads use their connections on Postgres (#19): a GET reads in autocommit (no BEGIN
before its statement, no ROLLBACK after); a pooled connection is pinged only when the
server has said something on it (a restart, a terminated backend), not on every checkout;
a read of several statements that must agree (a past summary) reads one snapshot.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from app.db import (
    UnitOfWork,
    autocommit_reader,
    make_engine,
    psycopg_conninfo,
    read_from,
    server_spoke,
)
from app.main import create_app
from app.settings import Settings

REGION = "500000"


@pytest.fixture
def served(postgres: str) -> Iterator[TestClient]:
    """The app with its own engine, as in production, and its response cache off; its
    reads through sessions (direct reads skip them: tests/api/test_direct_reads.py)."""
    app = create_app(
        Settings(
            database_url=postgres,
            backlog_refresher=False,
            response_cache_bytes=0,
            direct_reads=False,
        )
    )
    with TestClient(app) as client:
        yield client


def _first_target_in_force(postgres: str) -> int:
    with psycopg.connect(psycopg_conninfo(postgres), autocommit=True) as conn:
        row = conn.execute(
            "SELECT id FROM target WHERE region_code = %s AND retired_at IS NULL "
            "ORDER BY id LIMIT 1",
            [REGION],
        ).fetchone()
    assert row is not None
    return int(row[0])


def _statements(client: TestClient) -> list[tuple[str, bool]]:
    """Every statement the app's engine sends from now on, with its connection's autocommit."""
    seen: list[tuple[str, bool]] = []

    @event.listens_for(client.app.state.engine, "before_cursor_execute")  # type: ignore[attr-defined]
    def _record(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append((statement.split()[0].upper(), conn.connection.dbapi_connection.autocommit))

    return seen


def test_a_get_sends_its_one_statement_in_autocommit(served: TestClient) -> None:
    seen = _statements(served)
    scorecard = served.get(f"/api/v1/targets?region={REGION}&limit=1000")
    assert scorecard.status_code == 200 and scorecard.json()["items"]
    target_id = scorecard.json()["items"][0]["id"]
    detail = served.get(f"/api/v1/targets/{target_id}")
    assert detail.status_code == 200
    # one SELECT each, no BEGIN sent before it: the connection was in autocommit
    assert seen == [("SELECT", True), ("SELECT", True)]


def test_a_get_that_stores_what_it_computed_writes_in_a_transaction(
    served: TestClient, postgres: str
) -> None:
    """A goal without its stored read is computed by the GET and stored by its unit of
    work: those statements run on a connection out of autocommit, then committed."""
    target_id = _first_target_in_force(postgres)
    with psycopg.connect(psycopg_conninfo(postgres), autocommit=True) as conn:
        conn.execute("UPDATE target SET read_json = NULL WHERE id = %s", [target_id])
    seen = _statements(served)
    page = served.get(f"/api/v1/targets?region={REGION}&limit=1000")
    assert page.status_code == 200
    assert [item["id"] for item in page.json()["items"]].count(target_id) == 1
    writes = [autocommit for verb, autocommit in seen if verb in ("INSERT", "UPDATE", "DELETE")]
    assert writes and not any(writes)
    with psycopg.connect(psycopg_conninfo(postgres), autocommit=True) as conn:
        stored = conn.execute("SELECT read_json FROM target WHERE id = %s", [target_id]).fetchone()
    assert stored is not None and stored[0] is not None


def test_a_unit_of_work_on_a_reading_session_is_all_or_nothing(postgres: str) -> None:
    """A session pointed at the autocommit reader writes in one transaction: a failure
    halfway leaves nothing, where autocommit would have kept the first statement."""
    engine = make_engine(postgres)
    reader = autocommit_reader(engine)
    assert reader is not None
    name = f"round-trip-test-{time.monotonic_ns()}"

    def half_then_fail(session: Session) -> None:
        session.execute(
            text(
                "INSERT INTO api_key (name, role, key_hash, created_at) "
                "VALUES (:name, 'analyst', :hash, now())"
            ),
            {"name": name, "hash": name},
        )
        raise RuntimeError("the second half fails")

    try:
        with Session(engine) as session:
            read_from(session, reader, engine)
            assert session.execute(text("SELECT 1")).scalar() == 1  # read in autocommit
            with pytest.raises(RuntimeError):
                UnitOfWork(session).run(half_then_fail)
        with engine.connect() as conn:
            left = conn.execute(text("SELECT count(*) FROM api_key WHERE name = :n"), {"n": name})
            assert left.scalar() == 0
    finally:
        engine.dispose()


def _backend_query(postgres: str, pid: int) -> str:
    with psycopg.connect(psycopg_conninfo(postgres), autocommit=True) as conn:
        row = conn.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone()
    assert row is not None
    return str(row[0])


def test_a_healthy_pooled_connection_is_not_pinged(postgres: str) -> None:
    engine = make_engine(postgres, pool_size=1, max_overflow=0)
    try:
        with engine.connect() as conn:
            pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
        assert isinstance(pid, int)
        with engine.connect() as conn:
            # the same backend, whose last statement is still the ROLLBACK that ended the
            # first use: no SELECT 1 was sent at this checkout (pool_pre_ping sends one)
            assert _backend_query(postgres, pid) == "ROLLBACK"
            assert conn.execute(text("SELECT pg_backend_pid()")).scalar() == pid
    finally:
        engine.dispose()


def test_a_pooled_connection_the_server_ended_is_replaced_before_use(postgres: str) -> None:
    engine = make_engine(postgres, pool_size=1, max_overflow=0)
    try:
        with engine.connect() as conn:
            pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
            dbapi_connection = conn.connection.dbapi_connection
        assert not server_spoke(dbapi_connection)
        with psycopg.connect(psycopg_conninfo(postgres), autocommit=True) as admin:
            assert admin.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone() == (True,)
        deadline = time.monotonic() + 5
        while not server_spoke(dbapi_connection) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert server_spoke(dbapi_connection)
        with engine.connect() as conn:  # no error: the pool replaced it
            assert conn.execute(text("SELECT pg_backend_pid()")).scalar() != pid
    finally:
        engine.dispose()


def test_a_past_summary_reads_one_snapshot(served: TestClient, postgres: str) -> None:
    """Its statements (timelines summed, goals in force counted, the rest computed) must
    agree: a target retired by a write committed after the first of them is still counted,
    as it was in force at that moment. Read committed, the later statements would see it
    retired."""
    as_of = datetime.now(UTC).isoformat()
    url = f"/api/v1/summary?region={REGION}&as_of={quote(as_of)}"
    before = served.get(url)
    assert before.status_code == 200
    target_id = _first_target_in_force(postgres)
    engine = served.app.state.engine  # type: ignore[attr-defined]
    retired: list[int] = []

    def retire_after_the_first_statement(*_: Any) -> None:
        if not retired:
            retired.append(target_id)
            with psycopg.connect(psycopg_conninfo(postgres), autocommit=True) as other:
                other.execute("UPDATE target SET retired_at = now() WHERE id = %s", [target_id])

    event.listen(engine, "after_cursor_execute", retire_after_the_first_statement)
    try:
        during = served.get(url)
        after = served.get(url)  # a summary begun after the write no longer counts it
    finally:
        event.remove(engine, "after_cursor_execute", retire_after_the_first_statement)
        with psycopg.connect(psycopg_conninfo(postgres), autocommit=True) as conn:
            conn.execute("UPDATE target SET retired_at = NULL WHERE id = %s", [target_id])
    assert retired == [target_id]
    assert during.status_code == 200
    assert during.json()["targets"] == before.json()["targets"]
    assert after.json()["targets"]["total"] == before.json()["targets"]["total"] - 1
