"""The in-memory answers of each worker: kept, and dropped by every change wherever it is made."""

from __future__ import annotations

import time
from collections.abc import Iterator
from decimal import Decimal

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app.api.response_cache import LISTENER_NAME, ResponseCache
from app.main import create_app
from app.models import Region
from app.settings import Settings
from tests.conftest import KEY_PROJECTS_NOVEMBER_2023, bearer

KEY = ("/api/v1/targets", b"region=500000")
SCORECARD = {"indicator": "key_project_investment", "region": "500000"}


def _cache(client: TestClient) -> ResponseCache:
    cache: ResponseCache = client.app.state.response_cache  # type: ignore[attr-defined]
    return cache


# --- the store itself --------------------------------------------------------------


def test_an_answer_computed_across_a_change_is_not_kept() -> None:
    cache = ResponseCache(max_bytes=1000, ttl_seconds=60)
    cache.open()
    before = cache.generation()
    assert before is not None
    cache.invalidate()  # a write committed while the answer was being computed
    cache.put(KEY, before, [], b"old")
    assert cache.get(KEY) is None
    now = cache.generation()
    assert now is not None
    cache.put(KEY, now, [], b"new")
    assert cache.get(KEY) == ([], b"new", pytest.approx(time.monotonic() + 60, abs=5))


def test_a_closed_cache_neither_answers_nor_keeps() -> None:
    cache = ResponseCache(max_bytes=1000, ttl_seconds=60)
    assert cache.generation() is None
    cache.open()
    generation = cache.generation()
    assert generation is not None
    cache.put(KEY, generation, [], b"x")
    cache.close()
    assert cache.get(KEY) is None
    cache.put(KEY, generation, [], b"x")
    cache.open()
    assert cache.get(KEY) is None


def test_the_least_recently_used_answers_leave_first_and_large_ones_never_enter() -> None:
    cache = ResponseCache(max_bytes=800, ttl_seconds=60)
    cache.open()
    generation = cache.generation()
    assert generation is not None
    for name in ("a", "b", "c"):
        cache.put((name, b""), generation, [], b"x" * 100)
    assert cache.get(("a", b"")) is not None  # a is now the most recently used
    for name in ("d", "e", "f", "g", "h", "i"):
        cache.put((name, b""), generation, [], b"x" * 100)
    assert cache.size == 800
    assert cache.get(("b", b"")) is None
    assert cache.get(("a", b"")) is not None
    cache.put(("big", b""), generation, [], b"x" * 101)  # over an eighth of the budget
    assert cache.get(("big", b"")) is None


def test_answers_expire() -> None:
    cache = ResponseCache(max_bytes=1000, ttl_seconds=0)
    cache.open()
    generation = cache.generation()
    assert generation is not None
    cache.put(KEY, generation, [], b"x")
    assert cache.get(KEY) is None


# --- through the API, writes made in this process ---------------------------------


def test_a_repeated_read_is_answered_from_memory_with_the_same_bytes(client: TestClient) -> None:
    cache = _cache(client)
    first = client.get("/api/v1/targets", params={"region": "500000"})
    hits = cache.hits
    second = client.get("/api/v1/targets", params={"region": "500000"})
    assert cache.hits == hits + 1
    assert second.content == first.content
    assert second.headers["content-type"] == "application/json"
    detail = client.get(f"/api/v1/targets/{first.json()['items'][0]['id']}")
    again = client.get(f"/api/v1/targets/{first.json()['items'][0]['id']}")
    assert cache.hits == hits + 2
    assert again.content == detail.content
    assert again.headers["etag"] == detail.headers["etag"]


def test_credentials_errors_and_the_summary_skip_the_cache(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    cache = _cache(client)
    client.get("/api/v1/targets", params={"region": "500000"})
    hits, stores = cache.hits, cache.stores
    client.get("/api/v1/targets", params={"region": "500000"}, headers=bearer(api_keys["admin"]))
    assert (cache.hits, cache.stores) == (hits, stores)
    for _ in range(2):
        assert client.get("/api/v1/targets", params={"regoin": "500000"}).status_code == 422
        assert client.get("/api/v1/targets/999999").status_code == 404
        client.get("/api/v1/summary")
    assert (cache.hits, cache.stores) == (hits, stores)


def test_a_post_is_seen_by_the_next_read_of_every_cached_answer(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    page = client.get("/api/v1/plans", params=SCORECARD).json()
    plan = next(p for p in page["items"] if p["year"] == 2023)
    client.get(f"/api/v1/plans/{plan['id']}")
    client.get("/api/v1/plans", params=SCORECARD)  # both answers now in memory
    assert plan["progress"]["status"] == "on_schedule"
    posted = client.post(
        "/api/v1/observations", json=KEY_PROJECTS_NOVEMBER_2023, headers=bearer(api_keys["analyst"])
    )
    assert posted.status_code == 201
    after = client.get("/api/v1/plans", params=SCORECARD).json()
    read = next(p for p in after["items"] if p["id"] == plan["id"])
    # 4,512 亿元 against the 4,300 亿元 plan: achieved, 104.93 % complete
    assert read["progress"]["status"] == "achieved"
    assert Decimal(str(read["progress"]["completion_rate"])).quantize(Decimal("0.01")) == Decimal(
        "104.93"
    )
    detail = client.get(f"/api/v1/plans/{plan['id']}").json()
    assert detail["progress"]["status"] == "achieved"
    assert detail["history"][-1]["period"] == "2023-M11"


def test_a_change_committed_by_another_session_of_the_process_empties_the_cache(
    client: TestClient, session: Session
) -> None:
    before = client.get("/api/v1/targets", params={"region": "500000", "limit": 1}).json()
    assert before["items"][0]["region"]["name"] == "重庆市"
    session.execute(update(Region).where(Region.code == "500000").values(name="重庆"))
    session.commit()
    after = client.get("/api/v1/targets", params={"region": "500000", "limit": 1}).json()
    assert after["items"][0]["region"]["name"] == "重庆"


# --- writes made elsewhere: the listener (Postgres) --------------------------------


@pytest.fixture
def served(database_url: str, backend: str) -> Iterator[TestClient]:
    """The app as it runs in production: its own engine, its listener, committed data."""
    if backend != "postgresql":
        pytest.skip("SQLite sends no notices; its cache stays closed")
    app = create_app(Settings(database_url=database_url))
    with TestClient(app) as client:
        cache = _cache(client)
        deadline = time.monotonic() + 10
        while not cache.is_open and time.monotonic() < deadline:
            time.sleep(0.02)
        assert cache.is_open
        yield client


def _conninfo(database_url: str) -> str:
    return make_url(database_url).set(drivername="postgresql").render_as_string(False)


def _eventually(predicate: object, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.02)
    return False


def test_a_change_committed_by_another_process_reaches_the_cache(
    served: TestClient, database_url: str
) -> None:
    def region_name() -> str:
        page = served.get("/api/v1/targets", params={"region": "500000", "limit": 1}).json()
        name: str = page["items"][0]["region"]["name"]
        return name

    assert region_name() == "重庆市"
    hits = _cache(served).hits
    assert region_name() == "重庆市"
    assert _cache(served).hits == hits + 1
    with psycopg.connect(_conninfo(database_url), autocommit=True) as conn:
        try:
            conn.execute("UPDATE region SET name = '渝' WHERE code = '500000'")
            assert _eventually(lambda: region_name() == "渝")
        finally:
            conn.execute("UPDATE region SET name = '重庆市' WHERE code = '500000'")
    assert _eventually(lambda: region_name() == "重庆市")


def test_a_lost_listener_closes_the_cache_until_it_is_back(
    served: TestClient, database_url: str
) -> None:
    cache = _cache(served)
    served.get("/api/v1/targets", params={"region": "500000"})
    with psycopg.connect(_conninfo(database_url), autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE application_name = %s AND datname = current_database()",
            [LISTENER_NAME],
        )
    assert _eventually(lambda: not cache.is_open)
    assert cache.get(("/api/v1/targets", b"region=500000")) is None
    assert _eventually(lambda: cache.is_open, seconds=10)
