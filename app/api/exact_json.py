"""Exact JSON numbers at the HTTP edge (DESIGN: exact decimals end to end).

FastAPI reads a JSON body with ``json.loads``, through binary floats, before Pydantic sees
it: ``12345678901234567.5`` would arrive as ``12345678901234568``. ``ExactJSONRoute`` hands
its endpoints an ``ExactJSONRequest``, whose ``json()`` reads numbers from their text as
decimals. Routers whose bodies FastAPI parses (targets and plans) use it with
``APIRouter(route_class=ExactJSONRoute)``.

``ExactJSONResponse`` is the answer's side: it writes the marked numbers of the schemas'
``Number``/``Computed``/``Projected`` fields as bare JSON numbers (``json_numbers.splice``).
The app uses it as its default response class, so that no route can send a mark. A router
with ``route_class=ExactJSONRoute`` also splices what its handlers answer; once every
router has it, the default response class can go and FastAPI's faster serialisation
(Pydantic straight to bytes, about half the time for a page of 1,000 observations) is used.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

from app.schemas.json_numbers import is_marked, loads, splice


class ExactJSONRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = loads(await self.body())
        return self._json


class ExactJSONRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def exact_handler(request: Request) -> Response:
            response = await handler(ExactJSONRequest(request.scope, request.receive))
            body = getattr(response, "body", None)
            if isinstance(body, bytes) and is_marked(body):
                # FastAPI's own fast serialisation (no custom response class) wrote marks
                response.body = splice(body)
                response.headers["content-length"] = str(len(response.body))
            return response

        return exact_handler


class ExactJSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return splice(
            json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode(
                "utf-8"
            )
        )
