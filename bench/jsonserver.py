"""The PostgREST-style baseline: Postgres builds the whole JSON, a minimal handler serves it.

A bare ASGI app (no framework) with a few psycopg async connections. ``GET /scorecard?region=X``
answers what a PostgREST request with resource embedding would: each target of the region with
its indicator, its region and the latest revision of every observation of its series, in one
``json_agg`` statement. It does no progress arithmetic: it is the floor of serving this data
over HTTP from this database, not a replacement for the app.

Run: ``BENCH_CONNINFO='host=127.0.0.1 dbname=...' uvicorn bench.jsonserver:app``
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

import psycopg

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

SCORECARD_SQL = """
SELECT json_build_object('items', coalesce(json_agg(t ORDER BY t.id), '[]'::json),
                         'total', count(*))::text
FROM (
  SELECT g.id, g.basis, g.comparator, g.value, g.unit, g.start_year, g.end_year,
         g.baseline_year, g.baseline_value, g.document_code, g.quote,
         json_build_object('code', i.code, 'name', i.name, 'unit', i.unit,
                           'measure', i.measure) AS indicator,
         json_build_object('code', r.code, 'name', r.name) AS region,
         (SELECT coalesce(json_agg(json_build_object(
                     'period', o.period, 'value', o.value, 'unit', o.unit,
                     'yoy_growth', o.yoy_growth,
                     'reported_completion_rate', o.reported_completion_rate,
                     'revision', o.revision, 'recorded_at', o.recorded_at)
                   ORDER BY o.period_year, o.period_end_month, o.period), '[]'::json)
            FROM observation o
           WHERE o.indicator_code = g.indicator_code AND o.region_code = g.region_code
             AND o.recorded_at <= now()
             AND NOT EXISTS (
                   SELECT 1 FROM observation n
                    WHERE n.indicator_code = o.indicator_code
                      AND n.region_code = o.region_code AND n.period = o.period
                      AND n.recorded_at <= now() AND n.revision > o.revision)
         ) AS observations
    FROM target g
    JOIN indicator i ON i.code = g.indicator_code
    JOIN region r ON r.code = g.region_code
   WHERE g.region_code = %s AND g.retired_at IS NULL
) AS t
"""

POOL_SIZE = int(os.environ.get("BENCH_POOL_SIZE", "4"))


class Pool:
    def __init__(self, conninfo: str, size: int) -> None:
        self.conninfo = conninfo
        self.size = size
        self.queue: asyncio.Queue[psycopg.AsyncConnection[Any]] = asyncio.Queue()

    async def open(self) -> None:
        for _ in range(self.size):
            conn = await psycopg.AsyncConnection.connect(self.conninfo, autocommit=True)
            await self.queue.put(conn)

    async def close(self) -> None:
        while not self.queue.empty():
            await (await self.queue.get()).close()

    async def fetch_text(self, sql: str, params: tuple[object, ...]) -> str:
        conn = await self.queue.get()
        try:
            cur = await conn.execute(sql, params)
            row = await cur.fetchone()
        finally:
            await self.queue.put(conn)
        return "null" if row is None else _json_text(row[0])


def _json_text(value: object) -> str:
    import json

    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


class App:
    def __init__(self) -> None:
        self.pool: Pool | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        assert scope["type"] == "http"
        path = scope["path"]
        if path == "/healthz":
            await _respond(send, 200, b'{"status":"ok"}')
            return
        if path != "/scorecard":
            await _respond(send, 404, b'{"error":"not_found"}')
            return
        region = parse_qs(scope["query_string"].decode()).get("region", [""])[0]
        assert self.pool is not None
        body = await self.pool.fetch_text(SCORECARD_SQL, (region,))
        await _respond(send, 200, body.encode())

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                # The statement casts its JSON to text: the handler passes Postgres' bytes on.
                self.pool = Pool(os.environ["BENCH_CONNINFO"], POOL_SIZE)
                await self.pool.open()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.pool is not None:
                    await self.pool.close()
                await send({"type": "lifespan.shutdown.complete"})
                return


async def _respond(send: Send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


app = App()
