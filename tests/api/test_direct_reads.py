"""Direct reads (app/direct_reads.py): a current scorecard or goal read by its one
statement on psycopg's async connections answers byte for byte, headers included, what
the session path answers; anything its stored reads cannot answer (a stale series, a
missing read, an unknown code, a past moment) falls back to the session path; and a
database away or every connection busy is the same 503."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.exc import TimeoutError as PoolTimeout

from app.db import psycopg_conninfo
from app.direct_reads import DirectReader
from app.main import create_app
from app.models import Target
from app.queries import goals as q
from app.services.goal_reads import GoalFilter
from app.settings import Settings
from tests.answers import same_answer

REGION = "500000"


def _served(database_url: str, *, direct: bool) -> TestClient:
    return TestClient(
        create_app(
            Settings(
                database_url=database_url,
                backlog_refresher=False,
                response_cache_bytes=0,
                direct_reads=direct,
            )
        )
    )


@pytest.fixture
def direct(postgres: str) -> Iterator[TestClient]:
    with _served(postgres, direct=True) as client:
        yield client


@pytest.fixture
def sessions(postgres: str) -> Iterator[TestClient]:
    with _served(postgres, direct=False) as client:
        yield client


def _engine_statements(client: TestClient) -> list[str]:
    """Every statement the app's engine (its sessions) sends from now on."""
    seen: list[str] = []

    @event.listens_for(client.app.state.engine, "before_cursor_execute")  # type: ignore[attr-defined]
    def _record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement.split()[0].upper())

    return seen


def _ids(postgres: str) -> tuple[int, int, int]:
    """A target and a plan in force in REGION, and a retired goal's id if any (else 0)."""
    with psycopg.connect(psycopg_conninfo(postgres), autocommit=True) as conn:
        target, plan = (
            conn.execute(
                f"SELECT min(id) FROM {table} WHERE region_code = %s AND retired_at IS NULL",
                [REGION],
            ).fetchone()[0]  # type: ignore[index]
            for table in ("target", "plan")
        )
        retired = conn.execute(
            "SELECT coalesce(min(id), 0) FROM target WHERE retired_at IS NOT NULL"
        ).fetchone()
    return int(target), int(plan), int(retired[0])  # type: ignore[index]


def test_a_direct_read_answers_what_the_session_path_answers(
    direct: TestClient, sessions: TestClient, postgres: str
) -> None:
    target, plan, retired = _ids(postgres)
    indicator = direct.get(f"/api/v1/targets/{target}").json()["indicator"]["code"]
    urls = [
        f"/api/v1/targets?region={REGION}&limit=1000",
        f"/api/v1/plans?region={REGION}&limit=3&offset=2",
        "/api/v1/targets?limit=7&offset=3",
        f"/api/v1/targets?region={REGION}&indicator={indicator}",
        "/api/v1/targets?end_year=2027&limit=5",
        f"/api/v1/targets/{target}",
        f"/api/v1/plans/{plan}",
        "/api/v1/targets?region=nowhere",  # unknown: the session path's 422
        "/api/v1/targets?offset=100000",  # past the end: empty, the total still counted
        "/api/v1/targets/2000000000",  # no such goal: 404
    ]
    if retired:
        urls.append(f"/api/v1/targets/{retired}")
    statuses = [same_answer(direct, sessions, url) for url in urls]
    assert statuses[:7] == [200] * 7
    assert statuses[7:10] == [422, 200, 404]
    assert direct.get(urls[0]).json()["items"], "the region has targets"


def test_a_current_read_sends_nothing_through_a_session(direct: TestClient, postgres: str) -> None:
    target, plan, _ = _ids(postgres)
    seen = _engine_statements(direct)
    for url in (
        f"/api/v1/targets?region={REGION}&limit=1000",
        f"/api/v1/plans?region={REGION}",
        f"/api/v1/targets/{target}",
        f"/api/v1/plans/{plan}",
    ):
        assert direct.get(url).status_code == 200, url
    assert seen == []
    # a moment in the past, a status or a name search go the session way
    for url in (
        f"/api/v1/targets/{target}?as_of=2025-01-01T00:00:00Z",
        f"/api/v1/targets?region={REGION}&status=on_track",
        "/api/v1/targets?q=GDP",
    ):
        before = len(seen)
        assert direct.get(url).status_code == 200, url
        assert len(seen) > before, url


def test_a_direct_read_sends_the_statement_a_session_sends(sessions: TestClient) -> None:
    """The bench measures "the app's own SQL" as the sessions send it: the direct reads'
    statements must be those."""
    sent: list[str] = []

    @event.listens_for(sessions.app.state.engine, "before_cursor_execute")  # type: ignore[attr-defined]
    def _record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    target = sessions.get(f"/api/v1/targets?region={REGION}").json()["items"][0]["id"]
    sessions.get(f"/api/v1/targets/{target}")
    shape = GoalFilter(region=REGION).shape(Target)
    assert shape is not None
    assert sent == [q.direct_page_statement(shape).sql, q.direct_detail_statement(Target).sql]


def test_a_stale_series_falls_back_to_computing_it(
    direct: TestClient, sessions: TestClient, postgres: str
) -> None:
    """A goal whose series is in the backlog is computed, not read from its stored read:
    the direct read sees the mark in the same statement and leaves it to the session."""
    target, _, _ = _ids(postgres)
    with psycopg.connect(psycopg_conninfo(postgres), autocommit=True) as conn:
        indicator, region = conn.execute(
            "SELECT indicator_code, region_code FROM target WHERE id = %s", [target]
        ).fetchone()  # type: ignore[misc]
        stored = conn.execute("SELECT read_json FROM target WHERE id = %s", [target]).fetchone()
        conn.execute(
            "INSERT INTO stale_series (indicator_code, region_code, from_year, marked_at) "
            "VALUES (%s, %s, 2000, now())",
            [indicator, region],
        )
        # the stored read now says something a computation would not: only a fallback
        # to computing it answers the truth
        conn.execute(
            "UPDATE target SET read_json = replace(read_json, '\"status\":', '\"statuz\":') "
            "WHERE id = %s",
            [target],
        )
    try:
        seen = _engine_statements(direct)
        for url in (f"/api/v1/targets/{target}", f"/api/v1/targets?region={REGION}&limit=1000"):
            same_answer(direct, sessions, url)
            body = direct.get(url).text
            assert '"statuz":' not in body and '"status":' in body, url
        assert seen, "the fallback read through a session"
    finally:
        with psycopg.connect(psycopg_conninfo(postgres), autocommit=True) as conn:
            conn.execute(
                "DELETE FROM stale_series WHERE indicator_code = %s AND region_code = %s",
                [indicator, region],
            )
            conn.execute("UPDATE target SET read_json = %s WHERE id = %s", [stored[0], target])  # type: ignore[index]


def test_a_database_away_is_the_same_503(postgres: str) -> None:
    nowhere = "postgresql+psycopg://postgres@127.0.0.1:1/none"
    with _served(nowhere, direct=True) as a, _served(nowhere, direct=False) as b:
        for url in (f"/api/v1/targets?region={REGION}", "/api/v1/targets/1"):
            ra, rb = a.get(url), b.get(url)
            assert ra.status_code == rb.status_code == 503, url
            assert ra.json() == rb.json()
            assert ra.headers["Retry-After"] == rb.headers["Retry-After"] == "1"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@asynccontextmanager
async def _reader(
    postgres: str, size: int = 1, timeout: float = 0.3
) -> AsyncIterator[DirectReader]:
    reader = DirectReader(psycopg_conninfo(postgres), size=size, timeout=timeout, connect_timeout=2)
    try:
        yield reader
    finally:
        await reader.close()


@pytest.mark.anyio
async def test_every_connection_busy_past_the_timeout_is_the_pools_timeout(
    postgres: str,
) -> None:
    async with _reader(postgres, size=1, timeout=0.3) as reader:
        slow = asyncio.create_task(reader.fetch("SELECT pg_sleep(1)", {}))
        await asyncio.sleep(0.1)
        started = time.monotonic()
        with pytest.raises(PoolTimeout):
            await reader.fetch("SELECT 1", {})
        assert 0.25 <= time.monotonic() - started < 0.9
        await slow
        assert await reader.fetch("SELECT 1", {}) == [(1,)]  # the slot came back


@pytest.mark.anyio
async def test_a_connection_is_kept_and_replaced_once_the_server_ended_it(postgres: str) -> None:
    async with _reader(postgres) as reader:
        [(pid,)] = await reader.fetch("SELECT pg_backend_pid()", {})
        assert await reader.fetch("SELECT pg_backend_pid()", {}) == [(pid,)]  # kept
        with psycopg.connect(psycopg_conninfo(postgres), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        await asyncio.sleep(0.2)
        [(again,)] = await reader.fetch("SELECT pg_backend_pid()", {})  # no error
        assert again != pid


@pytest.mark.anyio
async def test_a_cancelled_read_closes_its_connection(postgres: str) -> None:
    """Cut off mid-statement, a connection's state is unknown: it is closed, not kept."""
    async with _reader(postgres) as reader:
        [(pid,)] = await reader.fetch("SELECT pg_backend_pid()", {})
        task = asyncio.create_task(reader.fetch("SELECT pg_sleep(5)", {}))
        await asyncio.sleep(0.2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        [(after,)] = await reader.fetch("SELECT pg_backend_pid()", {})
        assert after != pid
        assert await reader.fetch("SELECT 1", {}) == [(1,)]
