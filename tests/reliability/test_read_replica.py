"""Reads from a streaming hot standby, with read-your-writes for the writer (DESIGN v1.1).

A primary (the reliability tests' throwaway cluster) and a standby made from it with
``pg_basebackup -R`` on a second throwaway cluster; the real service runs with
``DATABASE_URL`` on the primary and ``DATABASE_READ_URL`` on the standby.

No assertion depends on timing luck: to know that a read came from the standby, the
standby's replay is *paused* (``pg_wal_replay_pause()``) before a post, so the standby
provably lacks the new figure; a read that shows the old figure came from it, one that
shows the new one came from the primary, and the service says which in ``X-Read-From``.
Every wait is a poll with a deadline on a state the service or Postgres reports.

Skipped only where there are no Postgres binaries to build clusters with, and never under
``CI``, where that is a failure.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from app.read_replica import parse_lsn
from tests.reliability.conftest import SEEDED_TEMPLATE, PgTemplate, ServiceFactory
from tests.reliability.support import PgCluster, postgres_bindir, postgres_skip_reason

SERIES = {"indicator": "gdp", "region": "500115-ED", "unit": "亿元"}
DEADLINE = 30.0
# A check of the standby stays good for 4 s (checked every 2 s): on a loaded machine a
# starved monitor thread must not send a read the test expects on the standby elsewhere.
CHECK_SECONDS = 4


@dataclass
class Pair:
    primary: PgCluster
    standby: PgCluster
    database: str
    key: str

    @property
    def primary_url(self) -> str:
        return self.primary.url(self.database)

    @property
    def standby_url(self) -> str:
        return self.standby.url(self.database)


@pytest.fixture(scope="module")
def pair(request: pytest.FixtureRequest) -> Iterator[Pair]:
    reason = postgres_skip_reason()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the read-replica test: {reason}")
        pytest.skip(reason)
    template: PgTemplate = request.getfixturevalue("pg_template")
    primary = template.cluster
    if not primary.running():
        primary.start()
    database = f"replica_{uuid.uuid4().hex[:8]}"
    primary.admin(f"CREATE DATABASE {database} TEMPLATE {SEEDED_TEMPLATE}")
    bindir = postgres_bindir()
    assert bindir is not None
    standby = PgCluster(bindir)
    try:
        standby.basebackup_from(primary)
        standby.start()
        assert standby.query("SELECT pg_is_in_recovery()") is True
        yield Pair(primary, standby, database, template.key)
    finally:
        standby.destroy()
        if primary.running():
            primary.admin(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


def poll(what: str, check: Callable[[], Any], deadline: float = DEADLINE) -> Any:
    """``check()``'s first truthy answer, or a failure naming ``what`` after ``deadline`` s."""
    end = time.monotonic() + deadline
    last: Any = None
    while time.monotonic() < end:
        last = check()
        if last:
            return last
        time.sleep(0.05)
    raise AssertionError(f"{what}: not within {deadline} s (last: {last!r})")


def replica_state(client: httpx.Client) -> dict[str, Any]:
    response = client.get("/readyz")
    assert response.status_code == 200, response.text  # the standby never makes it unready
    state: dict[str, Any] = response.json()["replica"]
    return state


def pause_replay(standby: PgCluster) -> None:
    standby.query("SELECT pg_wal_replay_pause()")
    poll(
        "replay paused", lambda: standby.query("SELECT pg_get_wal_replay_pause_state()") == "paused"
    )


def resume_replay(standby: PgCluster, token: str) -> None:
    standby.query("SELECT pg_wal_replay_resume()")
    poll(
        "the standby replays the write",
        lambda: (
            parse_lsn(standby.query("SELECT pg_last_wal_replay_lsn()::text")) >= parse_lsn(token)
        ),
    )


def post(client: httpx.Client, key: str, period: str, value: int) -> str:
    """Posts one figure; returns the write's token (its X-Read-After)."""
    response = client.post(
        "/api/v1/observations",
        json={**SERIES, "period": period, "value": value},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 201, response.text
    token = response.headers["X-Read-After"]
    assert response.cookies.get("read_after") == token
    client.cookies.clear()  # the client reads as anyone would; the tests send the token
    return token


def read(
    client: httpx.Client, period: str, limit: int = 50, **kwargs: Any
) -> tuple[str | None, int]:
    """(where the service read from, how many figures the period has)."""
    params = {**SERIES, "period": period, "limit": str(limit)}
    del params["unit"]
    response = client.get("/api/v1/observations", params=params, **kwargs)
    assert response.status_code == 200, response.text
    return response.headers.get("X-Read-From"), response.json()["total"]


def test_reads_come_from_the_standby_and_the_writer_reads_its_own_write(
    pair: Pair, service_factory: ServiceFactory
) -> None:
    # A lag limit far above the test's length: a paused standby still serves readers
    # without a token, which is what shows that reads come from it.
    service = service_factory(
        pair.primary_url,
        database_read_url=pair.standby_url,
        read_replica_max_lag_seconds=3600,
        read_replica_check_seconds=CHECK_SECONDS,
    )
    period = "1999-M06"
    with httpx.Client(base_url=service.base_url, timeout=10) as client:
        poll("the standby up", lambda: replica_state(client)["status"] == "up")
        assert read(client, period) == ("standby", 0)
        # a scorecard and a goal, which read without a session (app/direct_reads.py)
        scorecard = client.get("/api/v1/targets?region=500000&limit=5")
        assert scorecard.headers.get("X-Read-From") == "standby"
        goal = f"/api/v1/targets/{scorecard.json()['items'][0]['id']}"
        assert client.get(goal).headers.get("X-Read-From") == "standby"

        pause_replay(pair.standby)
        token = post(client, pair.key, period, 123)
        # the writer's token: the standby would have to replay it first, so the goal is
        # read through a session, whose router waits, then from the primary
        after = client.get(goal, headers={"X-Read-After": token})
        assert (after.status_code, after.headers.get("X-Read-From")) == (200, "primary")

        # Anyone without a token reads the standby, which lacks the write; twice, because
        # the first stale answer must not have been kept by the response cache.
        assert read(client, period) == ("standby", 0)
        assert read(client, period) == ("standby", 0)
        # The writer reads its own write: by its token (header or cookie) or by its key,
        # from the primary since the paused standby never reaches the token.
        assert read(client, period, headers={"X-Read-After": token}) == ("primary", 1)
        with httpx.Client(base_url=service.base_url, timeout=10) as browser:
            browser.cookies.set("read_after", token)
            assert read(browser, period) == ("primary", 1)
        key_header = {"Authorization": f"Bearer {pair.key}"}
        assert read(client, period, headers=key_header) == ("primary", 1)
        # A token that is not one is refused, naming the header.
        bad = client.get("/api/v1/observations", headers={"X-Read-After": "soon"})
        assert bad.status_code == 422, bad.text
        assert bad.json()["errors"][0]["field"] == "X-Read-After"

        resume_replay(pair.standby, token)
        # Once the standby holds the write, the writer reads it there (on a URL not read yet:
        # the cache may hold the answer read from the primary, which is current).
        assert read(client, period, limit=10, headers={"X-Read-After": token}) == ("standby", 1)
        assert read(client, period, headers=key_header) == ("standby", 1)
        from_anywhere = read(client, period)
        assert from_anywhere[1] == 1
        assert from_anywhere[0] in ("standby", None)  # None: from the response cache


def test_a_lagging_standby_is_not_read_from_and_the_primary_answers(
    pair: Pair, service_factory: ServiceFactory
) -> None:
    service = service_factory(
        pair.primary_url,
        database_read_url=pair.standby_url,
        read_replica_max_lag_seconds=1,
        read_replica_check_seconds=CHECK_SECONDS,
    )
    period = "1998-M06"
    with httpx.Client(base_url=service.base_url, timeout=10) as client:
        poll("the standby up", lambda: replica_state(client)["status"] == "up")
        pause_replay(pair.standby)
        token = post(client, pair.key, period, 7)
        lagging = poll(
            "the standby reported lagging",
            lambda: replica_state(client)["status"] == "lagging" and replica_state(client),
        )
        assert lagging["reads"] == "primary"
        # Past the limit nobody reads the standby: a reader without a token sees the write.
        assert read(client, period) == ("primary", 1)

        resume_replay(pair.standby, token)
        poll("the standby up again", lambda: replica_state(client)["status"] == "up")
        # (a URL not read yet: the answer above, read from the primary, may be in the cache)
        fresh = {"headers": {"X-Read-After": token}, "limit": 10}
        assert read(client, period, **fresh) == ("standby", 1)


def test_a_standby_that_is_down_leaves_the_service_ready_and_reading_the_primary(
    pair: Pair, service_factory: ServiceFactory
) -> None:
    service = service_factory(
        pair.primary_url,
        database_read_url=pair.standby_url,
        read_replica_check_seconds=CHECK_SECONDS,
    )
    with httpx.Client(base_url=service.base_url, timeout=10) as client:
        poll("the standby up", lambda: replica_state(client)["status"] == "up")
        pair.standby.stop("fast")
        try:
            down = poll(
                "the standby reported down",
                lambda: replica_state(client)["status"] == "down" and replica_state(client),
            )
            assert down["reads"] == "primary"
            assert "standby unreachable" in down["reason"]
            assert read(client, "1997-M06") == ("primary", 0)
        finally:
            pair.standby.start()
        poll("the standby up again", lambda: replica_state(client)["status"] == "up")
        assert read(client, "1997-M06", limit=10) == ("standby", 0)
