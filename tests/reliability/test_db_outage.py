"""The database goes away under load, and comes back; the pool runs dry.

The real service runs as a subprocess on a throwaway Postgres cluster of the test's own.
While three threads keep reading (and one of them posting), the cluster is stopped
(``pg_ctl stop -m fast``, then ``-m immediate``): every request meanwhile must be a JSON
503 with ``Retry-After`` within 2 s (never a 500, never a hang), and once the cluster
accepts connections again the very same service process serves again: a request sent
within 1 s succeeds, and so does every one sent after that.
"""

from __future__ import annotations

import json
import statistics
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from app.queries.locks import LOCK_NAMESPACE, LOCK_SLOTS
from tests.reliability.conftest import Database, ServiceFactory
from tests.reliability.support import PgCluster, batch_rows, report

ENDPOINTS = ("/api/v1/plans?limit=5", "/api/v1/summary")
CLIENT_TIMEOUT = 3.0  # a hang shows as a client timeout, well past the 2 s allowed
OUTAGE_ANSWER_LIMIT = 2.0
RECOVERY_LIMIT = 1.0
OK = (200, 201)
# The largest batch: the write must hold the one connection long enough for the reads that
# come in meanwhile to be refused (posting got fast; 2,000 rows no longer did).
WRITE_ROWS = 10_000
POSTED = {"indicator": "gdp", "region": "500115-ED", "period": "2022-M06", "unit": "亿元"}


@dataclass
class Sample:
    path: str
    started: float
    ended: float
    status: int | None = None
    error: str | None = None
    retry_after: str | None = None
    error_code: str | None = None

    @property
    def duration(self) -> float:
        return self.ended - self.started

    def describe(self) -> str:
        return (
            f"{self.path} -> {self.status or self.error} in {self.duration:.3f}s "
            f"(retry-after {self.retry_after}, error {self.error_code})"
        )


def timed(client: httpx.Client, method: str, path: str, **kwargs: Any) -> Sample:
    started = time.monotonic()
    try:
        response = client.request(method, path, **kwargs)
    except httpx.HTTPError as exc:
        return Sample(f"{method} {path}", started, time.monotonic(), error=repr(exc))
    ended = time.monotonic()
    code = None
    if response.headers.get("content-type", "").startswith("application/json"):
        body = response.json()
        code = body.get("error") if isinstance(body, dict) else None
    return Sample(
        f"{method} {path}",
        started,
        ended,
        response.status_code,
        None,
        response.headers.get("retry-after"),
        code,
    )


def timed_get(client: httpx.Client, path: str) -> Sample:
    return timed(client, "GET", path)


class Load:
    """A few threads reading (and one also posting) in a loop, bounded in count and time."""

    def __init__(
        self,
        base_url: str,
        key: str,
        threads: int = 3,
        per_thread: int = 4000,
        seconds: float = 60,
    ) -> None:
        self.base_url = base_url
        self.key = key
        self.per_thread = per_thread
        self.deadline = time.monotonic() + seconds
        self.samples: list[Sample] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._loop, args=(i,), daemon=True) for i in range(threads)
        ]

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=CLIENT_TIMEOUT + 5)

    def snapshot(self) -> list[Sample]:
        with self._lock:
            return list(self.samples)

    def wait_for(self, condition: Callable[[list[Sample]], bool], seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if condition(self.snapshot()):
                return True
            time.sleep(0.02)
        return False

    def _request(self, client: httpx.Client, thread: int, i: int) -> Sample:
        if thread == 0 and i % 2:
            # The write path too: auth, BEGIN, advisory locks, INSERT, COMMIT.
            return timed(
                client,
                "POST",
                "/api/v1/observations",
                json={**POSTED, "value": 100 + i % 50},
                headers={"Authorization": f"Bearer {self.key}"},
            )
        return timed_get(client, ENDPOINTS[(i + thread) % len(ENDPOINTS)])

    def _loop(self, thread: int) -> None:
        with httpx.Client(base_url=self.base_url, timeout=CLIENT_TIMEOUT) as client:
            for i in range(self.per_thread):
                if self._stop.is_set() or time.monotonic() > self.deadline:
                    return
                sample = self._request(client, thread, i)
                with self._lock:
                    self.samples.append(sample)
                time.sleep(0.01)


@dataclass
class Cycle:
    mode: str
    stop_began: float
    down: float  # pg_ctl stop returned: nothing is listening
    start_began: float
    up: float  # pg_ctl -w start returned: the server accepts connections


def is_unavailable(sample: Sample) -> bool:
    return sample.status == 503 and sample.error_code == "unavailable" and bool(sample.retry_after)


def test_outage_answers_503_fast_and_recovers_without_restart(
    pg_cluster: PgCluster, pg_database: Database, service_factory: ServiceFactory
) -> None:
    service = service_factory(pg_database.url)
    pid = service.pid
    with httpx.Client(base_url=service.base_url, timeout=CLIENT_TIMEOUT) as client:
        for path in ENDPOINTS:
            assert client.get(path).status_code == 200

    cycles: list[Cycle] = []
    with Load(service.base_url, pg_database.key) as load:
        for mode in ("fast", "immediate"):
            assert load.wait_for(lambda s: sum(x.status in OK for x in s) >= 10, 10)
            stop_began = time.monotonic()
            pg_cluster.stop(mode)
            down = time.monotonic()
            # Let the outage last a second and until enough requests have met it (bounded).
            load.wait_for(lambda s, down=down: sum(x.started >= down for x in s) >= 30, 3)
            time.sleep(max(0.0, down + 1.0 - time.monotonic()))
            start_began = time.monotonic()
            pg_cluster.start()
            up = time.monotonic()
            cycles.append(Cycle(mode, stop_began, down, start_began, up))
            # Keep the traffic going a while after the first success.
            load.wait_for(
                lambda s, up=up: sum(x.started >= up and x.status in OK for x in s) >= 20, 5
            )
        samples = load.snapshot()

    # Never a 500, never a hang (the client gives up after 3 s), never a dropped connection.
    broken = [s for s in samples if s.status not in (*OK, 503)]
    assert not broken, "\n".join(s.describe() for s in broken[:10])
    assert any(s.status == 201 for s in samples), "no write went through"
    unexplained = [s for s in samples if s.status == 503 and not is_unavailable(s)]
    assert not unexplained, "\n".join(s.describe() for s in unexplained[:10])

    for index, cycle in enumerate(cycles):
        window_end = cycles[index + 1].stop_began if index + 1 < len(cycles) else float("inf")
        # Sent while the database was going down, down or coming up: answered within 2 s.
        affected = [s for s in samples if cycle.stop_began <= s.started <= cycle.up]
        slow = [s for s in affected if s.duration > OUTAGE_ANSWER_LIMIT]
        assert not slow, "\n".join(s.describe() for s in slow[:10])
        # Sent and answered while nothing listened: every one a JSON 503 with Retry-After.
        during = [s for s in samples if s.started >= cycle.down and s.ended <= cycle.start_began]
        assert len(during) >= 5, f"{cycle.mode}: only {len(during)} requests met the outage"
        wrong = [s for s in during if not is_unavailable(s)]
        assert not wrong, "\n".join(s.describe() for s in wrong[:10])

        # Back within 1 s of the cluster accepting connections, in the same process: a
        # request sent in that second succeeds, and so does every one sent after it.
        after_up = [s for s in samples if s.started >= cycle.up and s.ended < window_end]
        first_ok = next((s for s in after_up if s.status in OK), None)
        assert first_ok is not None, f"{cycle.mode}: no request succeeded after the restart"
        assert first_ok.started - cycle.up <= RECOVERY_LIMIT, first_ok.describe()
        failed_after = [s for s in after_up if s.status not in OK]
        late_failures = [s for s in failed_after if s.started > cycle.up + RECOVERY_LIMIT]
        assert not late_failures, "\n".join(s.describe() for s in late_failures[:10])
        last_503 = max(s.ended for s in affected + after_up if s.status == 503)
        worst = max(s.duration for s in affected)

        report(
            f"outage ({cycle.mode} stop): {len(during)} requests while down, all 503 + "
            f"Retry-After; median {statistics.median(s.duration for s in during) * 1000:.0f} ms, "
            f"max {max(s.duration for s in during) * 1000:.0f} ms; slowest of the "
            f"{len(affected)} sent from stop to restart {worst * 1000:.0f} ms; after the "
            f"cluster accepted connections: {len(failed_after)} failures, last "
            f"503 answered at {(last_503 - cycle.up) * 1000:+.0f} ms, first success sent at "
            f"+{(first_ok.started - cycle.up) * 1000:.0f} ms and answered at "
            f"+{(first_ok.ended - cycle.up) * 1000:.0f} ms (pg_ctl stop "
            f"{(cycle.down - cycle.stop_began) * 1000:.0f} ms, start "
            f"{(cycle.up - cycle.start_began) * 1000:.0f} ms)"
        )

    assert service.alive() and service.pid == pid and service.starts == 1
    with httpx.Client(base_url=service.base_url, timeout=CLIENT_TIMEOUT) as client:
        assert client.get("/readyz").status_code == 200


def burst(base_url: str, size: int, path: str) -> tuple[list[Sample], Sample]:
    """``size`` concurrent GETs released together, and a /healthz timed meanwhile."""
    clients = [httpx.Client(base_url=base_url, timeout=CLIENT_TIMEOUT) for _ in range(size + 1)]
    barrier = threading.Barrier(size)

    def one(client: httpx.Client) -> Sample:
        barrier.wait(timeout=10)
        return timed_get(client, path)

    try:
        with ThreadPoolExecutor(max_workers=size) as pool:
            futures = [pool.submit(one, c) for c in clients[:size]]
            time.sleep(0.2)
            # The process itself stays responsive while its pool is dry.
            health = timed_get(clients[size], "/healthz")
            return [f.result(timeout=30) for f in futures], health
    finally:
        for c in clients:
            c.close()


def waiting_for_locks(url: str) -> bool:
    """Is a session of the service waiting for a lock (the series locks the test holds)?"""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            waiting = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
                )
            ).scalar_one()
            return bool(waiting)
    finally:
        engine.dispose()


def test_pool_exhaustion_answers_503_fast(
    pg_database: Database, service_factory: ServiceFactory
) -> None:
    """One connection, no overflow, 0.5 s to wait for it.

    First 24 concurrent reads of /summary; then a 10,000-row write holds the one connection
    while 12 more reads come in: it is kept waiting for its series locks, which the test
    holds from outside until the reads are answered (a timing-free way to hold the pool dry
    on a loaded machine). Whoever does not get the connection in time is told 503 +
    Retry-After at once (never a 500, never a wait past the client's patience), the write
    is not disturbed, and the pool is whole afterwards."""
    service = service_factory(
        pg_database.url, db_pool_size=1, db_max_overflow=0, db_pool_timeout_seconds=0.5
    )
    with httpx.Client(base_url=service.base_url, timeout=CLIENT_TIMEOUT) as client:
        single = timed_get(client, "/api/v1/summary")
        assert single.status == 200

    reads, health_reads = burst(service.base_url, 24, "/api/v1/summary")

    body = json.dumps(batch_rows(WRITE_ROWS, "pool-exhaustion")).encode()
    written: dict[str, Sample] = {}

    def write() -> None:
        with httpx.Client(base_url=service.base_url, timeout=60) as client:
            written["post"] = timed(
                client,
                "POST",
                "/api/v1/observations",
                content=body,
                headers={
                    "Authorization": f"Bearer {pg_database.key}",
                    "Content-Type": "application/json",
                },
            )

    locks = create_engine(pg_database.url, poolclass=NullPool)
    with locks.connect() as holder:
        holder.execute(
            text("SELECT count(pg_advisory_lock(:ns, slot)) FROM generate_series(0, :last) slot"),
            {"ns": LOCK_NAMESPACE, "last": LOCK_SLOTS - 1},
        )
        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        deadline = time.monotonic() + 10
        while not waiting_for_locks(pg_database.url):
            assert time.monotonic() < deadline and writer.is_alive(), "the write never began"
            time.sleep(0.01)
        held, health_held = burst(service.base_url, 12, "/api/v1/summary")
        holder.execute(text("SELECT pg_advisory_unlock_all()"))
    locks.dispose()
    writer.join(timeout=60)
    post = written["post"]
    assert post.status == 201, post.describe()

    samples = reads + held
    broken = [s for s in samples if s.status not in (200, 503)]
    assert not broken, "\n".join(s.describe() for s in broken[:10])
    refused = [s for s in samples if s.status == 503]
    served = [s for s in samples if s.status == 200]
    assert all(is_unavailable(s) for s in refused), "\n".join(s.describe() for s in refused[:5])
    # While the write held the connection, nobody else got it.
    assert all(s.status == 503 for s in held if s.ended < post.ended), [s.describe() for s in held]
    assert refused, "the pool never ran dry"
    # 0.5 s waiting for the pool, plus the queueing in front of it (the write keeps the GIL
    # busy): within the same 2 s as during an outage.
    assert max(s.duration for s in refused) <= OUTAGE_ANSWER_LIMIT, [s.describe() for s in refused]
    for health in (health_reads, health_held):
        assert health.status == 200 and health.duration < OUTAGE_ANSWER_LIMIT, health.describe()

    # No connection leaked: the one connection serves again, one request at a time.
    with httpx.Client(base_url=service.base_url, timeout=CLIENT_TIMEOUT) as client:
        for _ in range(3):
            assert client.get("/api/v1/summary").status_code == 200
        assert client.get("/readyz").status_code == 200

    def ms(values: list[float]) -> str:
        return f"{min(values) * 1000:.0f}-{max(values) * 1000:.0f} ms" if values else "-"

    report(
        f"pool exhaustion (pool 1, overflow 0, timeout 0.5 s): one /summary alone "
        f"{single.duration * 1000:.0f} ms; 24 concurrent -> "
        f"{sum(s.status == 200 for s in reads)} x 200 "
        f"({ms([s.duration for s in reads if s.status == 200])}), "
        f"{sum(s.status == 503 for s in reads)} x 503 "
        f"({ms([s.duration for s in reads if s.status == 503])}); "
        f"12 while a {WRITE_ROWS}-row write held it ({post.duration:.1f} s) -> "
        f"{sum(s.status == 503 for s in held)} x 503 + Retry-After "
        f"({ms([s.duration for s in held if s.status == 503])}), "
        f"{sum(s.status == 200 for s in held)} x 200; "
        f"/healthz meanwhile {max(health_reads.duration, health_held.duration) * 1000:.0f} ms; "
        f"{len(served)} served, {len(refused)} refused in all"
    )
