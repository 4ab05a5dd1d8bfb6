"""A short way in for the reads clients make most: a region's scorecard and one goal.

Routing a request through FastAPI (matching, solving its parameters and dependencies,
the route's wrappers) costs more CPU than building the 76 KB scorecard from its stored
reads (bench/RESULTS.md, #19). This middleware, the innermost, recognises the plainest
form of the two hottest reads and calls the routes' own handlers directly:

- ``GET /api/v1/targets`` or ``/plans`` whose query is only ``region``, ``limit`` and
  ``offset``, each at most once, with values that need no decoding and are in range;
- ``GET /api/v1/targets/{id}`` or ``/plans/{id}`` with no query.

Everything else goes on to the app unchanged, which answers it as always: the validation
and every other request keep one implementation. An error on the short way (an unknown
region, a missing goal, the database away) is answered by the app's own handler for it.
What the short way answers is built by the same code, so it is byte for byte the app's
answer, errors included (tests/api/test_hot_reads.py compares them). The middlewares
outside it (the response cache, read-after-write, HEAD) apply to it as to any route.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qsl

from starlette._utils import is_async_callable
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from app.api.deps import as_of_moment
from app.api.routes.goals import GoalList, read_detail
from app.models import Plan, Target
from app.schemas.goal_query import PlanListQuery, TargetListQuery

_LIST = re.compile(r"/api/v1/(targets|plans)")
_DETAIL = re.compile(r"/api/v1/(targets|plans)/([1-9][0-9]{0,9})")
# Values the app would read as they are: no percent-encoding, no '+', no control character.
_VALUE = {
    "region": re.compile(r"[A-Za-z0-9_.-]{1,32}"),
    "limit": re.compile(r"[0-9]{1,4}"),
    "offset": re.compile(r"[0-9]{1,10}"),
}
_MAX_ID = 2**31 - 1
_MODELS: dict[str, type[Target] | type[Plan]] = {"targets": Target, "plans": Plan}

Answer = Callable[[Request], Awaitable[Response]]


class HotReads:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        answer = _recognise(scope) if scope["type"] == "http" else None
        if answer is None:
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            response = await answer(request)
        except Exception as error:
            response = await _error_answer(request, error)
        await response(scope, receive, send)


async def _error_answer(request: Request, error: Exception) -> Response:
    """What the app answers to ``error``: its own handler for the nearest class (an unknown
    region's 422, a missing goal's 404, the database away's 503). Going through the app
    again would only repeat the work, and a wait for a connection with it."""
    handlers = request.app.exception_handlers
    for kind in type(error).__mro__:
        handler = handlers.get(kind)
        if handler is not None:
            if is_async_callable(handler):
                response: Response = await handler(request, error)
            else:
                response = await run_in_threadpool(handler, request, error)
            return response
    raise error


def _recognise(scope: Scope) -> Answer | None:
    """The handler for a request in one of the plainest forms; None for any other."""
    if scope["method"] != "GET":
        return None
    path: str = scope["path"]
    query: bytes = scope["query_string"]
    if not query:
        detail = _DETAIL.fullmatch(path)
        if detail is not None and int(detail[2]) <= _MAX_ID:
            return _detail(_MODELS[detail[1]], int(detail[2]))
    listed = _LIST.fullmatch(path)
    if listed is None:
        return None
    values = _plain_query(query)
    if values is None:
        return None
    limit = int(values.get("limit", "50"))
    offset = int(values.get("offset", "0"))
    if not (1 <= limit <= 1000 and offset <= 1_000_000_000):
        return None
    model = _MODELS[listed[1]]
    kind = TargetListQuery if model is Target else PlanListQuery
    goal_query = kind.model_construct(region=values.get("region"), limit=limit, offset=offset)

    async def page(request: Request) -> Response:
        return await GoalList(request, goal_query).answer(request, model)

    return page


def _plain_query(query: bytes) -> dict[str, str] | None:
    """``region``, ``limit``, ``offset``, each at most once and plain; None otherwise."""
    try:
        text = query.decode("ascii")
    except UnicodeDecodeError:
        return None
    if "%" in text or "+" in text:  # decoded, a value could pass the patterns below
        return None
    pairs = parse_qsl(text, keep_blank_values=True)
    values = dict(pairs)
    if len(values) != len(pairs):
        return None
    for name, value in values.items():
        pattern = _VALUE.get(name)
        if pattern is None or not pattern.fullmatch(value):
            return None
    return values


def _detail(model: type[Target] | type[Plan], goal_id: int) -> Answer:
    async def detail(request: Request) -> Response:
        return await read_detail(request, model, goal_id, as_of_moment(None), False)

    return detail
