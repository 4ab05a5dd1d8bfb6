"""The hottest reads' one statement on psycopg's own async connections, in the event loop.

A scorecard or a goal's detail that its stored read answers is one statement in
autocommit. Run through a worker thread and a SQLAlchemy session, the thread trip, the
session's opening and closing and the result machinery cost more CPU than the
statement's rows and the answer's rendering (bench/RESULTS.md, #19). Here the same
compiled statement runs on a small pool of ``psycopg.AsyncConnection`` in the loop: no
thread, no session, rows as plain tuples.

The pool is this module's own, a few lines, so that a failure is answered as the
engine's pool answers it (app/main.py's handlers): a refused connection is the driver's
``OperationalError`` at once (a 503), and waiting past ``db_pool_timeout_seconds`` for a
free connection is SQLAlchemy's pool ``TimeoutError`` (a 503 "all connections busy").
An idle connection on which the server spoke (a restart, a terminated backend) is
replaced before use, as ``_ping_when_the_server_spoke`` does for the engine's pool.

Only Postgres. With a read replica, a read takes the standby's or the primary's reader
as the read router chooses (app/read_replica.py); a read that must first wait for the
standby to replay the reader's own write goes the session way, whose router waits.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, NamedTuple

import psycopg
from sqlalchemy.exc import TimeoutError as PoolTimeout

from app.db import is_sqlite, psycopg_conninfo, server_spoke
from app.read_replica import replica_configured
from app.settings import Settings


class DirectReader:
    """Up to ``size`` autocommit connections, opened when first needed and kept."""

    def __init__(self, dsn: str, *, size: int, timeout: float, connect_timeout: int) -> None:
        self._dsn = dsn
        self._timeout = timeout
        self._connect_timeout = connect_timeout
        self._idle: list[psycopg.AsyncConnection[Any]] = []
        self._slots = asyncio.Semaphore(size)
        self._closed = False

    async def fetch(self, sql: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Every row of one statement. A connection that failed or was cut off mid-way
        (the request cancelled) is closed, not kept: its state is unknown."""
        await self._take_slot()
        try:
            conn = await self._connection()
            try:
                cursor = await conn.execute(sql, params)
                rows = await cursor.fetchall()
            except BaseException:
                await conn.close()
                raise
            self._idle.append(conn)
            return rows
        finally:
            self._slots.release()

    async def _take_slot(self) -> None:
        try:
            # the timeout cancels the acquire itself, which hands a permit granted
            # meanwhile on to the next waiter (asyncio.wait_for on 3.11 could lose it)
            async with asyncio.timeout(self._timeout):
                await self._slots.acquire()
        except TimeoutError:
            raise PoolTimeout(f"no direct-read connection free within {self._timeout} s") from None

    async def _connection(self) -> psycopg.AsyncConnection[Any]:
        while self._idle:
            conn = self._idle.pop()  # the most recent: likeliest to be warm
            if not server_spoke(conn):
                return conn
            await conn.close()  # the server ended it, or it has something to say
        if self._closed:
            raise psycopg.OperationalError("the direct reader is closed")
        return await psycopg.AsyncConnection.connect(
            self._dsn, autocommit=True, connect_timeout=self._connect_timeout
        )

    async def close(self) -> None:
        self._closed = True
        idle, self._idle = self._idle, []
        for conn in idle:
            await conn.close()


class DirectReaders(NamedTuple):
    """The primary's direct reader, and the standby's when a read replica is configured
    (which one a read takes is the read router's choice, app/read_replica.py)."""

    primary: DirectReader
    standby: DirectReader | None

    async def close(self) -> None:
        await self.primary.close()
        if self.standby is not None:
            await self.standby.close()


def direct_readers(settings: Settings) -> DirectReaders | None:
    """The app's direct readers: on Postgres, unless turned off."""
    if not settings.direct_reads or is_sqlite(settings.database_url):
        return None
    standby = None
    if replica_configured(settings):
        standby = _reader(settings.database_read_url, settings)
    return DirectReaders(_reader(settings.database_url, settings), standby)


def _reader(url: str, settings: Settings) -> DirectReader:
    return DirectReader(
        psycopg_conninfo(url),
        size=settings.db_pool_size,
        timeout=settings.db_pool_timeout_seconds,
        connect_timeout=settings.db_connect_timeout_seconds,
    )
