"""``kill -9`` of the real service: what was answered 201 is there, what was not is not.

On a SQLite file and, where Postgres binaries are installed, on a throwaway cluster;
checked through the restarted service and on the database directly.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from tests.reliability.conftest import Database, ServiceFactory
from tests.reliability.support import Service, batch_rows, report

BATCH_ROWS = 10_000
WAL_GROWTH = 256 * 1024


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> Database:
    fixture = "sqlite_database" if request.param == "sqlite" else "pg_database"
    db: Database = request.getfixturevalue(fixture)
    return db


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def counts(url: str, note: str, actor: str) -> dict[str, int]:
    """Rows of the batch (by its note), audit entries and idempotency records, read directly."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                "observations": conn.execute(
                    text("SELECT count(*) FROM observation WHERE note = :n"), {"n": note}
                ).scalar_one(),
                "audit": conn.execute(
                    text("SELECT count(*) FROM audit_entry WHERE actor = :a"), {"a": actor}
                ).scalar_one(),
                "idempotency": conn.execute(
                    text("SELECT count(*) FROM idempotency_record")
                ).scalar_one(),
            }
    finally:
        engine.dispose()


def _sqlite_path(url: str) -> Path:
    return Path(make_url(url).database or "")


def _sqlite_wal_size(url: str) -> int:
    wal = _sqlite_path(url).with_name(_sqlite_path(url).name + "-wal")
    return wal.stat().st_size if wal.exists() else 0


def _sqlite_write_locked(url: str) -> bool:
    # The service opens a writer with BEGIN IMMEDIATE: while it holds the write lock, ours
    # is refused at once.
    conn = sqlite3.connect(_sqlite_path(url), timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            return True
        raise
    finally:
        conn.close()


def _postgres_uncommitted_inserts(url: str) -> bool:
    # A session in an open transaction whose latest statement is an INSERT: rows written
    # and not committed.
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return bool(
                conn.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                        " AND xact_start IS NOT NULL AND query ILIKE 'INSERT INTO%'"
                    )
                ).scalar_one()
            )
    finally:
        engine.dispose()


def _writing(url: str, wal_before: int) -> bool:
    """Is the service inside its write transaction, with rows of the batch already written?

    Postgres shows the INSERT of an open transaction. SQLite keeps a transaction's pages in
    its cache until they no longer fit, then spills them, uncommitted, into the WAL: the
    write lock held and the WAL grown by a few hundred kB mean rows are being inserted.
    """
    if url.startswith("sqlite"):
        grown = _sqlite_wal_size(url) - wal_before > WAL_GROWTH
        return grown and _sqlite_write_locked(url)
    return _postgres_uncommitted_inserts(url)


def _writer_gone(url: str) -> bool:
    if url.startswith("sqlite"):
        return not _sqlite_write_locked(url)
    return not _postgres_uncommitted_inserts(url)


def _post_acknowledged_then_kill(service: Service, db: Database) -> dict[int, dict[str, Any]]:
    note = f"durable-{uuid.uuid4().hex}"
    rows = [
        {
            "indicator": "gdp",
            "region": "500000",
            "period": p,
            "value": v,
            "unit": "亿元",
            "note": note,
        }
        for p, v in (("2021-M03", 6100.5), ("2021-M04", 8200.25), ("2021-M05", 10300))
    ]
    with httpx.Client(base_url=service.base_url, timeout=10) as client:
        one = client.post("/api/v1/observations", json=rows[0], headers=bearer(db.key))
        assert one.status_code == 201, one.text
        two = client.post("/api/v1/observations", json=rows[1:], headers=bearer(db.key))
        assert two.status_code == 201, two.text
        # The answer is in: SIGKILL leaves no shutdown, no flush, no chance to commit late.
        service.kill9()
    posted = {o["id"]: o for o in one.json()["items"] + two.json()["items"]}
    assert len(posted) == 3
    return posted


def _check_acknowledged(service: Service, posted: dict[int, dict[str, Any]]) -> None:
    with httpx.Client(base_url=service.base_url, timeout=10) as client:
        assert client.get("/readyz").status_code == 200
        listed = client.get(
            "/api/v1/observations",
            params={
                "indicator": "gdp",
                "region": "500000",
                "include_revisions": "true",
                "limit": 1000,
            },
        )
    assert listed.status_code == 200
    found = {o["id"]: o for o in listed.json()["items"] if o["id"] in posted}
    assert set(found) == set(posted), "an observation answered 201 is gone after kill -9"
    for oid, observation in found.items():
        for field in ("period", "value", "revision", "note", "recorded_at"):
            assert observation[field] == posted[oid][field]


def _wait_for_writer_gone(url: str) -> None:
    """The killed service's transaction is over (Postgres notices the closed socket)."""
    deadline = time.monotonic() + 10
    while not _writer_gone(url):
        assert time.monotonic() < deadline, "the killed writer's transaction never ended"
        time.sleep(0.05)


def test_kill_9_keeps_what_was_answered_and_drops_what_was_not(
    database: Database, service_factory: ServiceFactory
) -> None:
    """1. Writes answered 201, then ``kill -9``: after a restart on the same database they
    are all there, unchanged. 2. A 10,000-row batch, ``kill -9`` while the service is inside
    its write transaction: nothing of it is stored, not even its audit lines."""
    backend = "sqlite" if database.url.startswith("sqlite") else "postgresql"
    service = service_factory(database.url)
    posted = _post_acknowledged_then_kill(service, database)
    service.start()
    _check_acknowledged(service, posted)

    note = f"interrupted-{uuid.uuid4().hex}"
    body = json.dumps(batch_rows(BATCH_ROWS, note)).encode()
    headers = {
        **bearer(database.key),
        "Content-Type": "application/json",
        "Idempotency-Key": f"batch-{note}",
    }
    outcome: dict[str, Any] = {}

    def send() -> None:
        try:
            response = httpx.post(
                f"{service.base_url}/api/v1/observations",
                content=body,
                headers=headers,
                timeout=60,
            )
            outcome["status"] = response.status_code
        except httpx.HTTPError as exc:
            outcome["error"] = repr(exc)

    wal_before = _sqlite_wal_size(database.url) if backend == "sqlite" else 0
    sender = threading.Thread(target=send, daemon=True)
    sent = time.monotonic()
    sender.start()
    seen = None
    deadline = sent + 30
    while time.monotonic() < deadline and sender.is_alive():
        if _writing(database.url, wal_before):
            seen = time.monotonic()
            break
        time.sleep(0.01)
    assert seen is not None, f"never saw the writer mid-transaction: {outcome}"
    service.kill9()
    killed = time.monotonic()
    sender.join(timeout=15)
    assert not sender.is_alive()
    assert "status" not in outcome, f"the batch was answered before the kill: {outcome}"

    _wait_for_writer_gone(database.url)
    # All or nothing; no COMMIT had been sent, so nothing: not one row, no audit line beyond
    # the 3 acknowledged writes', no record of its Idempotency-Key (a retry is processed
    # afresh).
    after_kill = counts(database.url, note, database.key_name)
    assert after_kill == {"observations": 0, "audit": len(posted), "idempotency": 0}, after_kill
    # And what was acknowledged before is still there.
    assert counts(database.url, posted[min(posted)]["note"], database.key_name)["observations"] == 3
    report(
        f"crash ({backend}): 3 rows answered 201 then kill -9 -> all 3 back after restart; "
        f"{BATCH_ROWS}-row batch seen mid-transaction {(seen - sent) * 1000:.0f} ms after "
        f"sending (rows being inserted, uncommitted), killed {(killed - seen) * 1000:.0f} ms "
        f"later -> 0 of its rows, 0 audit "
        f"entries, 0 idempotency records"
    )
