"""A write drops from the response cache only the answers that depend on what it touched:
its series, its region, its indicator (app/changes.py); what it cannot name, everything."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app import changes
from app.api.response_cache import ResponseCache
from app.changes import ANY, Change, indicator_tag, region_tag, series_tag
from app.db import UnitOfWork, make_engine
from app.main import create_app
from app.settings import Settings
from tests.conftest import bearer

# Region A, 长寿区: its 2023 plan of 332 亿元 for the year's major projects.
A = "500115"
A_INDICATOR = "annual_major_project_investment"
# Region B, 重庆市: untouched by a post in A.
B = "500000"


def _cache(client: TestClient) -> ResponseCache:
    cache: ResponseCache = client.app.state.response_cache  # type: ignore[attr-defined]
    return cache


def _plan_id(client: TestClient, region: str, indicator: str, year: int = 2023) -> int:
    page = client.get("/api/v1/plans", params={"region": region, "indicator": indicator}).json()
    return int(next(p["id"] for p in page["items"] if p["year"] == year))


def _reads(client: TestClient) -> dict[str, str]:
    """Region A's and region B's scorecard, list, detail and page; and A's list of another
    indicator."""
    b_plan = _plan_id(client, B, "key_project_investment")
    a_plan = _plan_id(client, A, A_INDICATOR)
    return {
        "B scorecard": f"/api/v1/targets?region={B}&limit=1000",
        "B plans": f"/api/v1/plans?region={B}&limit=1000",
        "B detail": f"/api/v1/plans/{b_plan}",
        "B page": f"/regions/{B}",
        "A other indicator": f"/api/v1/plans?region={A}&indicator=fixed_asset_investment",
        "A plans": f"/api/v1/plans?region={A}&limit=1000",
        "A detail": f"/api/v1/plans/{a_plan}",
        "A page": f"/regions/{A}",
    }


def _hit(client: TestClient, url: str) -> tuple[bool, bytes]:
    """Whether the answer came from the cache (its hit counter moved), and the answer."""
    cache = _cache(client)
    hits = cache.hits
    response = client.get(url)
    assert response.status_code == 200, (url, response.text)
    hit = cache.hits == hits + 1
    assert hit == ("age" in response.headers)
    return hit, response.content


# --- in this process: the commit hook --------------------------------------------


def test_a_post_in_one_region_leaves_the_other_regions_answers_cached(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    reads = _reads(client)
    before = {name: client.get(url).content for name, url in reads.items()}
    assert all(_hit(client, url)[0] for url in reads.values())  # all eight now in memory

    posted = client.post(
        "/api/v1/observations",
        json={
            "indicator": A_INDICATOR,
            "region": A,
            "period": "2023-H1",
            "value": 200,
            "unit": "亿元",
        },
        headers=bearer(api_keys["analyst"]),
    )
    assert posted.status_code == 201, posted.text

    served = {name: _hit(client, url) for name, url in reads.items()}
    # B, and A's list of another indicator, come from memory, byte for byte as before;
    # A's answers of the posted series are computed afresh.
    assert {name for name, (hit, _) in served.items() if hit} == {
        "B scorecard",
        "B plans",
        "B detail",
        "B page",
        "A other indicator",
    }
    for name in ("B scorecard", "B plans", "B detail", "B page", "A other indicator"):
        assert served[name][1] == before[name]
    # No stale read: 200 of the 332 亿元 plan, 60.24 % done, everywhere A's plan shows.
    detail = json.loads(served["A detail"][1])
    assert (detail["progress"]["actual"], detail["progress"]["actual_period"]) == (200, "2023-H1")
    assert detail["progress"]["completion_rate"] == pytest.approx(60.241, abs=1e-3)
    listed = json.loads(served["A plans"][1])
    plan = next(p for p in listed["items"] if p["id"] == detail["id"])
    assert plan["progress"]["actual"] == 200
    assert "60.24" in served["A page"][1].decode()
    # ... and A's answers are cached again until the next write touches them.
    assert _hit(client, reads["A detail"])[0]


def test_an_admin_edit_drops_every_answer(client: TestClient, api_keys: dict[str, str]) -> None:
    reads = _reads(client)
    for url in reads.values():
        client.get(url)
    response = client.get(reads["B detail"])
    changed = client.patch(
        reads["B detail"],
        json={"note": "edited"},
        headers={**bearer(api_keys["admin"]), "If-Match": response.headers["etag"]},
    )
    assert changed.status_code == 200, changed.text
    assert not any(_hit(client, url)[0] for url in reads.values())


def test_an_idle_round_of_the_backlog_refresher_drops_nothing(
    client: TestClient, backend: str
) -> None:
    """Each worker's refresher commits a round every second while no post comes; an empty
    round once emptied the whole cache, so a page read less than once a second was never
    answered from memory."""
    if backend != "postgresql":
        pytest.skip("the backlog refresher runs on Postgres only")
    from app.services.backlog_refresher import refresh_round

    reads = _reads(client)
    for url in reads.values():
        client.get(url)
    with client.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        assert refresh_round(UnitOfWork(session)) == 0
    assert all(_hit(client, url)[0] for url in reads.values())


def test_a_round_of_status_timelines_drops_nothing(client: TestClient, backend: str) -> None:
    """Timelines feed only past summaries, which are not cached: the refresher's thread
    builds them in rounds, and a round must not empty the caches of every worker."""
    if backend != "postgresql":
        pytest.skip("the backlog refresher runs on Postgres only")
    from app.services.backlog_refresher import timeline_round

    sessions = client.app.state.sessionmaker  # type: ignore[attr-defined]

    def drop_timelines(session: Session) -> None:
        changes.touch_nothing(session)
        session.execute(text("DELETE FROM goal_status_history"))

    with sessions() as session:
        UnitOfWork(session).run(drop_timelines)
    reads = _reads(client)
    for url in reads.values():
        client.get(url)
    with sessions() as session:
        assert timeline_round(UnitOfWork(session), {}) > 0
    assert all(_hit(client, url)[0] for url in reads.values())


# --- the store: what a change drops, and what an answer computed across one keeps ---


def test_an_answer_is_kept_unless_a_change_since_its_start_touched_its_tags() -> None:
    cache = ResponseCache(max_bytes=10_000, ttl_seconds=60)
    cache.open()
    start = cache.generation()
    assert start is not None
    cache.invalidate(changes.series_tags({(A_INDICATOR, A)}))  # a post in A commits meanwhile
    a_key, b_key = ("/api/v1/targets", b"region=500115"), ("/api/v1/targets", b"region=500000")
    cache.put(a_key, start, [], b"A", frozenset({region_tag(A)}))
    cache.put(b_key, start, [], b"B", frozenset({region_tag(B)}))
    assert cache.get(a_key) is None  # computed across a write to A: not kept
    assert cache.get(b_key) is not None
    cache.invalidate(None)  # something that cannot be told as series
    assert cache.get(b_key) is None
    cache.put(b_key, start, [], b"B", frozenset({region_tag(B)}))
    assert cache.get(b_key) is None


def test_an_answer_older_than_the_remembered_changes_is_not_kept() -> None:
    """The log of changes is bounded (1,024 changes, 100,000 tags): an answer whose request
    began before the oldest change remembered cannot be checked, and is not kept."""
    cache = ResponseCache(max_bytes=10_000, ttl_seconds=60)
    cache.open()
    start = cache.generation()
    assert start is not None
    for n in range(1024):
        cache.invalidate(frozenset({region_tag(f"elsewhere-{n}")}))
    cache.put(("kept", b""), start, [], b"B", frozenset({region_tag(B)}))
    assert cache.get(("kept", b"")) is not None  # 1,024 changes back: still checked
    cache.invalidate(frozenset({region_tag("elsewhere-1024")}))
    cache.put(("lost", b""), start, [], b"B", frozenset({region_tag(B)}))
    assert cache.get(("lost", b"")) is None
    recent = cache.generation()
    assert recent is not None
    cache.invalidate(changes.series_tags((f"i{n}", f"r{n}") for n in range(40_000)))
    cache.put(("recent", b""), recent, [], b"B", frozenset({region_tag(B)}))
    assert cache.get(("recent", b"")) is not None  # 120,001 tags: only this change is left
    cache.put(("lost again", b""), start, [], b"B", frozenset({region_tag(B)}))
    assert cache.get(("lost again", b"")) is None


def test_a_write_drops_its_series_region_indicator_and_the_unfiltered_lists() -> None:
    cache = ResponseCache(max_bytes=10_000, ttl_seconds=60)
    cache.open()
    tags = {
        "series": series_tag(A_INDICATOR, A),
        "region": region_tag(A),
        "indicator": indicator_tag(A_INDICATOR),
        "everything": ANY,
        "other series in A": series_tag("fixed_asset_investment", A),
        "other region": region_tag(B),
        "other indicator": indicator_tag("fixed_asset_investment"),
    }
    generation = cache.generation()
    assert generation is not None
    for name, tag in tags.items():
        cache.put((name, b""), generation, [], name.encode(), frozenset({tag}))
    cache.invalidate(changes.series_tags({(A_INDICATOR, A)}))
    kept = {name for name in tags if cache.get((name, b"")) is not None}
    assert kept == {"other series in A", "other region", "other indicator"}
    assert cache.dropped == 4


def test_a_change_too_large_to_name_by_series_names_regions_then_everything() -> None:
    series = {(f"indicator_{i:03}", f"region_{r:04}") for i in range(100) for r in range(100)}
    change = Change(series=series)
    exact = changes.parse(changes.payload(change, limit=10**7))
    assert exact.tags == changes.series_tags(series)
    wide = changes.parse(changes.payload(change))  # 10,000 series pass 7,900 bytes
    assert len(changes.payload(change).encode()) <= changes.MAX_PAYLOAD
    assert wide.tags is not None and exact.tags <= wide.tags
    assert region_tag("region_0042") in wide.tags
    assert series_tag("other", "region_0042") not in wide.tags
    everything = changes.parse(changes.payload(change, limit=1000))
    assert everything.tags is None
    assert everything.sender == changes.PROCESS_TOKEN
    # a statement trigger's notice names a table: everything
    assert changes.parse("observation").tags is None


# --- across processes (Postgres) -------------------------------------------------


def _conninfo(database_url: str) -> str:
    return make_url(database_url).set(drivername="postgresql").render_as_string(False)


def _eventually(predicate: Callable[[], bool], seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


@pytest.fixture
def served(database_url: str, backend: str) -> Iterator[TestClient]:
    """The app as it runs in production: its own engine, its listener, committed data."""
    if backend != "postgresql":
        pytest.skip("SQLite sends no notices; its cache stays closed")
    app = create_app(Settings(database_url=database_url, backlog_refresher=False))
    with TestClient(app) as client:
        assert _eventually(lambda: _cache(client).is_open, seconds=10)
        yield client


def _listening(database_url: str) -> psycopg.Connection[tuple[object, ...]]:
    conn = psycopg.connect(_conninfo(database_url), autocommit=True)
    conn.execute(f"LISTEN {changes.CHANNEL}")
    return conn


def _notices(conn: psycopg.Connection[tuple[object, ...]]) -> list[str]:
    return [n.payload for n in conn.notifies(timeout=0.5)]


def test_another_workers_notice_drops_only_what_it_names(
    served: TestClient, database_url: str
) -> None:
    reads = _reads(served)
    for url in reads.values():
        served.get(url)
    assert all(_hit(served, url)[0] for url in reads.values())
    cache = _cache(served)
    dropped = cache.dropped
    another_worker = Change(series={(A_INDICATOR, A)})
    with psycopg.connect(_conninfo(database_url), autocommit=True) as conn:
        conn.execute(
            "SELECT pg_notify(%s, %s)",
            [changes.CHANNEL, changes.payload(another_worker).replace(changes.PROCESS_TOKEN, "w2")],
        )
        # A's plans, detail and page, and the plans of A's indicator _reads looked up
        assert _eventually(lambda: cache.dropped == dropped + 4)
        assert {name for name, url in reads.items() if _hit(served, url)[0]} == {
            "B scorecard",
            "B plans",
            "B detail",
            "B page",
            "A other indicator",
        }
        # A change too large to name: everything goes.
        conn.execute("SELECT pg_notify(%s, %s)", [changes.CHANNEL, json.dumps({"all": True})])
        assert _eventually(lambda: cache.size == 0)


def test_a_write_made_elsewhere_drops_what_it_touches(
    served: TestClient, database_url: str
) -> None:
    """A figure inserted with psql: the statement trigger's notice names a table, which
    drops everything; the next read shows the figure."""
    reads = _reads(served)
    for url in reads.values():
        served.get(url)

    def periods() -> list[str]:
        detail = served.get(reads["A detail"]).json()
        return [figure["period"] for figure in detail["history"]]

    assert "2023-M10" not in periods()
    with psycopg.connect(_conninfo(database_url), autocommit=True) as conn:
        conn.execute(
            """
            INSERT INTO observation (indicator_code, region_code, period, period_year,
                period_end_month, revision, value, unit, recorded_at, recorded_by, state,
                published_at)
            VALUES (%s, %s, '2023-M10', 2023, 10, 1, 300, '亿元', now(), 'psql', 'published',
                now())
            """,
            [A_INDICATOR, A],
        )
        try:
            assert _eventually(lambda: "2023-M10" in periods())
            assert not _hit(served, reads["B scorecard"])[0]  # a table named: everything
        finally:
            conn.execute("DELETE FROM observation WHERE recorded_by = 'psql'")
        assert _eventually(lambda: "2023-M10" not in periods())


def test_the_apps_own_write_sends_one_notice_naming_its_series(
    database_url: str, backend: str
) -> None:
    """The statement triggers stay quiet for it (migration 0011): a write is one notice,
    not also one per table, which would drop everything."""
    if backend != "postgresql":
        pytest.skip("SQLite sends no notices")
    engine = make_engine(database_url)
    listener = _listening(database_url)
    try:

        def work(session: Session) -> None:
            changes.touch_series(session, {(A_INDICATOR, A)})
            # fires the statement trigger on region, and changes nothing
            session.execute(text("UPDATE region SET name = name WHERE code = :c"), {"c": A})

        with Session(engine) as session:
            UnitOfWork(session).run(work)
            UnitOfWork(session).run(work, dry_run=True)  # rolled back: no notice
        notices = _notices(listener)
        assert len(notices) == 1
        assert changes.parse(notices[0]) == changes.Notice(
            changes.PROCESS_TOKEN, changes.series_tags({(A_INDICATOR, A)})
        )
        # the same statement outside the app's unit of work: the trigger names the table
        with engine.begin() as conn:
            conn.execute(text("UPDATE region SET name = name WHERE code = :c"), {"c": A})
        assert _notices(listener) == ["region"]
    finally:
        listener.close()
        engine.dispose()
