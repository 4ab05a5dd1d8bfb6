"""HTTP semantics every route shares (RFC 9110): HEAD answers as GET without the body, and
a 405 lists in ``Allow`` every method the path takes, not only one route's."""

from __future__ import annotations

import re

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    """A HEAD request runs as a GET; the headers go out (Content-Length included), the body
    does not. FastAPI's routes declare GET only."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b""})
                return
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


def allowed_methods(app: FastAPI, path: str) -> list[str] | None:
    """Every method the API's operations take on this path (HEAD wherever GET is), read
    from the OpenAPI description; None for a path it does not describe."""
    methods: set[str] = set()
    for pattern, operations in _operation_patterns(app):
        if pattern.fullmatch(path):
            methods |= operations
    if not methods:
        return None
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


def _operation_patterns(app: FastAPI) -> list[tuple[re.Pattern[str], set[str]]]:
    cached: list[tuple[re.Pattern[str], set[str]]] | None = getattr(
        app.state, "operation_patterns", None
    )
    if cached is None:
        cached = [
            (
                re.compile(re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))),
                {method.upper() for method in operations},
            )
            for template, operations in app.openapi()["paths"].items()
        ]
        app.state.operation_patterns = cached
    return cached
