"""The short way in for the hottest reads (app/api/hot_reads.py): it answers byte for byte,
headers included, what the framework's routing answers, errors too; it takes only the
plainest forms of a scorecard and a goal's detail, and leaves everything else to the
app."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from starlette.types import Message, Receive, Scope, Send

from app.api.hot_reads import HotReads
from app.main import create_app
from app.models import Plan, Target
from app.settings import Settings
from tests.answers import same_answer

REGION = "500000"


@pytest.fixture
def routed(connection: Connection, database_url: str) -> Iterator[TestClient]:
    """The app without the short way: every request through the framework's routing."""
    app = create_app(Settings(database_url=database_url, hot_reads=False))
    app.state.sessionmaker = lambda: Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(autouse=True)
def _no_response_cache(client: TestClient) -> None:
    """Every request reaches the routes: these are the reads on a cache miss."""
    client.app.state.response_cache.close()  # type: ignore[attr-defined]


def _ids(session: Session) -> tuple[int, int]:
    target = session.scalars(select(Target.id).where(Target.region_code == REGION)).first()
    plan = session.scalars(select(Plan.id).where(Plan.region_code == REGION)).first()
    assert target is not None and plan is not None
    return target, plan


PLAIN_LISTS = [
    f"/api/v1/targets?region={REGION}&limit=1000",
    f"/api/v1/targets?region={REGION}",
    f"/api/v1/plans?region={REGION}&limit=3&offset=2",
    "/api/v1/targets?limit=5&offset=1",
    "/api/v1/plans",
    "/api/v1/targets?offset=100000",  # past the end: an empty page, the total still counts
    "/api/v1/targets?region=nowhere",  # unknown region: the app's 422
]
NOT_PLAIN = [
    f"/api/v1/targets?region={REGION}&region=500100",
    f"/api/v1/targets?region={REGION}&status=achieved",
    f"/api/v1/targets?region={REGION}&as_of=2024-01-01T00:00:00Z",
    "/api/v1/targets?region=%E6%B8%9D",
    "/api/v1/targets?region=",
    "/api/v1/targets?limit=0",
    "/api/v1/targets?limit=1001",
    "/api/v1/targets?offset=1000000001",
    "/api/v1/targets?limt=5",
    "/api/v1/targets?region=500000%00",
    "/api/v1/targets/0",
    "/api/v1/targets/2147483648",
    "/api/v1/targets/",
    "/api/v1/observations?region=500000",
]


def test_the_short_way_answers_what_the_routing_answers(
    client: TestClient, routed: TestClient, session: Session
) -> None:
    target, plan = _ids(session)
    urls = [
        *PLAIN_LISTS,
        *NOT_PLAIN,
        f"/api/v1/targets/{target}",
        f"/api/v1/plans/{plan}",
        f"/api/v1/targets/{target}?as_of=2024-01-01T00:00:00Z",
        "/api/v1/targets/999999999",  # no such target: the app's 404
    ]
    statuses = {url: same_answer(client, routed, url) for url in urls}
    assert statuses[f"/api/v1/targets/{target}"] == 200
    assert statuses[f"/api/v1/targets?region={REGION}&limit=1000"] == 200
    assert statuses["/api/v1/targets?region=nowhere"] == 422
    assert statuses["/api/v1/targets/999999999"] == 404
    assert statuses["/api/v1/targets?limit=0"] == 422
    # A HEAD is a GET without its body, by either way.
    head = client.head(f"/api/v1/targets?region={REGION}")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(
        len(routed.get(f"/api/v1/targets?region={REGION}").content)
    )


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # as uvicorn runs the app


class _Recorder:
    """The app behind the short way, recording what reached it."""

    def __init__(self) -> None:
        self.reached: list[str] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.reached.append(scope["path"])
        await send({"type": "http.response.start", "status": 599, "headers": []})
        await send({"type": "http.response.body", "body": b""})


async def _call(lane: HotReads, app: object, url: str) -> int:
    path, _, query = url.partition("?")
    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "query_string": query.encode(),
        "headers": [],
        "app": app,
    }
    statuses: list[int] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    await lane(scope, receive, send)
    return statuses[0]


@pytest.mark.anyio
async def test_only_the_plainest_reads_take_the_short_way(
    client: TestClient, session: Session
) -> None:
    target, plan = _ids(session)
    inner = _Recorder()
    lane = HotReads(inner)
    for url in [
        f"/api/v1/targets?region={REGION}&limit=1000",
        f"/api/v1/plans?region={REGION}&limit=3&offset=2",
        f"/api/v1/targets/{target}",
        f"/api/v1/plans/{plan}",
    ]:
        assert await _call(lane, client.app, url) == 200, url
    assert inner.reached == []
    # What fails on the short way is answered there, by the app's own error handlers.
    assert await _call(lane, client.app, "/api/v1/targets?region=nowhere") == 422
    assert await _call(lane, client.app, "/api/v1/targets/999999999") == 404
    assert inner.reached == []
    for url in NOT_PLAIN:
        assert await _call(lane, client.app, url) == 599, url
    assert len(inner.reached) == len(NOT_PLAIN)
