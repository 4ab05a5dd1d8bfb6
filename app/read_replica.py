"""Reads from a Postgres hot standby (``DATABASE_READ_URL``); every writer reads its own writes.

Writes always go to the primary: the unit of work (app/db.py) moves a request's session back
to the primary before it begins a write, and the session stays there for the rest of the
request. A ``GET`` reads from the standby when the rules of ``choose`` allow it:

- **Lag.** A monitor thread (``ReplicaMonitor``) reads the primary's WAL position and then
  the standby's replay position every ``read_replica_check_seconds / 2``. The standby's lag
  is the time since the newest remembered primary position it has replayed: everything
  committed before that moment is on the standby. A standby whose lag is over
  ``read_replica_max_lag_seconds``, unreachable, promoted, or whose last check is older than
  ``read_replica_check_seconds``, is not read from. So a reader who never wrote sees data at
  most ``max_lag + check_seconds`` old (2.5 s by default; docs/SCALING.md).
- **Read your writes.** When a request's unit of work commits, the primary's WAL position
  after the commit (``pg_current_wal_lsn()``) is the request's *token*: it is sent back as
  the ``X-Read-After`` header and a cookie, and remembered in this process for the request's
  API key. A later read carrying a token (header, cookie or key) reads from the standby
  only once the standby has replayed that far, waiting up to ``read_after_wait_ms``;
  otherwise from the primary.
- **The response cache** (app/api/response_cache.py) keeps an answer read from the standby
  only if the standby had replayed, before the read, the primary's position seen after the
  cache's last emptying (its *floor*), and answers a request carrying a token only if the
  token is at or below that floor: a stale answer is never kept after an invalidation, and
  a writer never gets from the cache an answer older than its write.

On SQLite, or without ``DATABASE_READ_URL``, none of this is built and nothing changes.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from fastapi import Request
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.background import BackgroundThread
from app.db import autocommit_reader, engine_for, is_sqlite, psycopg_conninfo, read_from
from app.errors import invalid
from app.queries.replication import (
    PRIMARY_POSITION,
    REPLAY_POSITION,
    primary_position,
    replay_position,
)
from app.settings import Settings

logger = logging.getLogger(__name__)

READ_AFTER_HEADER = "X-Read-After"
READ_AFTER_COOKIE = "read_after"
# Where a request's reads went: "standby" or "primary" (absent on an answer from the cache).
READ_FROM_HEADER = "X-Read-From"
# Keys of the ASGI scope: the request's ReadMark, and the token its commit produced.
MARK_KEY = "policy_tracker.read_mark"
TOKEN_KEY = "policy_tracker.read_after"


# ---------------------------------------------------------------- pure rules


def parse_lsn(value: str) -> int:
    """A WAL position as Postgres writes it, ``16/B374D848``, as one number."""
    high, sep, low = value.strip().partition("/")
    if not sep or not high or not low or len(high) > 8 or len(low) > 8:
        raise ValueError(f"not a WAL position: {value!r}")
    return (int(high, 16) << 32) | int(low, 16)


def format_lsn(value: int) -> str:
    return f"{value >> 32:X}/{value & 0xFFFFFFFF:X}"


def lag_seconds(
    history: Sequence[tuple[float, int]], replay_lsn: int, checked_at: float
) -> float | None:
    """How far behind the standby is, from ``history``: (moment, the primary's WAL position
    read just after it), oldest first. Every commit before the newest moment whose position
    the standby has replayed is on the standby; None if it has replayed none of them."""
    for moment, lsn in reversed(history):
        if lsn <= replay_lsn:
            return max(0.0, checked_at - moment)
    return None


@dataclass(frozen=True)
class StandbyState:
    """One check of the standby. ``checked_at``: time.monotonic() when the check began."""

    checked_at: float
    replay_lsn: int | None  # None: unreachable, or not in recovery
    lag_seconds: float | None  # None: unknown, or behind every remembered position
    reason: str | None = None


class Route(StrEnum):
    STANDBY = "standby"
    PRIMARY = "primary"
    WAIT = "wait"  # the standby, once it has replayed the token; else the primary


def choose(
    state: StandbyState | None,
    now: float,
    token: int | None,
    *,
    max_lag: float,
    check_seconds: float,
    wait_ms: int,
) -> Route:
    """Where a read goes, by the rules of this module's docstring."""
    if state is None or state.replay_lsn is None or state.lag_seconds is None:
        return Route.PRIMARY
    if now - state.checked_at > check_seconds or state.lag_seconds > max_lag:
        return Route.PRIMARY
    if token is None or token <= state.replay_lsn:
        return Route.STANDBY
    return Route.WAIT if wait_ms > 0 else Route.PRIMARY


Floor = tuple[int, int]  # (cache generation, the primary's WAL position read after it began)


def may_keep(read_lsn: int | None, floor: Floor | None, generation: int) -> bool:
    """Whether an answer may enter the cache: read from the primary (``read_lsn`` None), or
    from a standby that had replayed the floor of the generation the answer is kept in."""
    if read_lsn is None:
        return True
    return floor is not None and floor[0] == generation and read_lsn >= floor[1]


def may_answer(token: int | None, floor: Floor | None, generation: int | None) -> bool:
    """Whether the cache may answer a request carrying ``token``: every entry of the current
    generation is at least as new as its floor."""
    if token is None:
        return True
    return floor is not None and floor[0] == generation and token <= floor[1]


# ---------------------------------------------------------------- the monitor


class ReplicaMonitor(BackgroundThread):
    """Checks the standby's replay position against the primary's WAL position."""

    thread_name = "replica-monitor"

    def __init__(
        self,
        primary_url: str,
        standby_url: str,
        *,
        check_seconds: float,
        max_lag: float,
        generation: Callable[[], int | None] = lambda: None,
    ) -> None:
        self.primary_conninfo = psycopg_conninfo(primary_url)
        self.standby_conninfo = psycopg_conninfo(standby_url)
        self.check_seconds = check_seconds
        self.keep_seconds = max_lag + 2 * check_seconds
        self.generation = generation
        self.state: StandbyState | None = None
        self.floor: Floor | None = None
        self._history: deque[tuple[float, int]] = deque()
        self._connections: dict[str, Any] = {}
        super().__init__()

    def _query(self, which: str, sql: str) -> Any:
        import psycopg

        conn = self._connections.get(which)
        try:
            if conn is None or conn.closed:
                conninfo = self.primary_conninfo if which == "primary" else self.standby_conninfo
                conn = psycopg.connect(
                    conninfo,
                    autocommit=True,
                    connect_timeout=2,
                    application_name="policy_tracker replica monitor",
                    options="-c statement_timeout=2000",
                )
                self._connections[which] = conn
            return conn.execute(sql).fetchone()
        except psycopg.Error:
            self._connections.pop(which, None)
            if conn is not None:
                conn.close()
            raise

    def check(self) -> StandbyState:
        import psycopg

        started = time.monotonic()
        generation = self.generation()
        try:
            row = self._query("primary", PRIMARY_POSITION)
        except psycopg.Error as exc:
            return self._set(StandbyState(started, None, None, f"primary unreachable: {exc}"))
        primary_lsn = parse_lsn(row[0])
        self._history.append((started, primary_lsn))
        while self._history and self._history[0][0] < started - self.keep_seconds:
            self._history.popleft()
        if generation is not None and (self.floor is None or self.floor[0] != generation):
            self.floor = (generation, primary_lsn)
        try:
            row = self._query("standby", REPLAY_POSITION)
        except psycopg.Error as exc:
            return self._set(StandbyState(started, None, None, f"standby unreachable: {exc}"))
        if row[0] is None:
            return self._set(StandbyState(started, None, None, "not a standby (not in recovery)"))
        replay = parse_lsn(row[0])
        return self._set(StandbyState(started, replay, lag_seconds(self._history, replay, started)))

    def _set(self, state: StandbyState) -> StandbyState:
        if state.reason and (self.state is None or self.state.reason != state.reason):
            logger.warning("reads go to the primary: %s", state.reason)
        self.state = state
        return state

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.check()
            except Exception:  # the thread must outlive any surprise; reads then go primary
                logger.exception("replica check failed")
            self._stop.wait(self.check_seconds / 2)
        for conn in self._connections.values():
            conn.close()


# ---------------------------------------------------------------- the router


@dataclass(frozen=True)
class ReadMark:
    """Where one request's reads went, and the standby's replay position before them."""

    source: Route
    replay_lsn: int | None = None


class ReadRouter:
    """Points each GET's session at the standby or the primary; hands out and honours tokens."""

    def __init__(
        self, primary: Engine, standby: Engine, settings: Settings, monitor: ReplicaMonitor
    ) -> None:
        self.primary = primary
        self.standby = standby
        # GETs read the standby in autocommit, as they read the primary (app/db.py).
        self.standby_reads = autocommit_reader(standby) or standby
        self.monitor = monitor
        self.max_lag = settings.read_replica_max_lag_seconds
        self.check_seconds = settings.read_replica_check_seconds
        self.wait_ms = settings.read_after_wait_ms
        # After this long any standby that is read from holds the write: a token expires.
        self.token_seconds = math.ceil(self.max_lag + self.check_seconds)
        self._tokens: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def stop(self) -> None:
        self.monitor.stop()
        self.standby.dispose()

    # -- reading

    def route(self, session: Session, request: Request) -> ReadMark:
        mark, token = self._choose(request)
        if mark is None and token is not None:  # wait for the standby to replay the write
            replayed = self._wait_for(token)
            mark = ReadMark(Route.STANDBY, replayed) if replayed is not None else None
        mark = mark or ReadMark(Route.PRIMARY)
        if mark.source is Route.STANDBY:
            read_from(session, self.standby_reads, self.primary)
        request.scope[MARK_KEY] = mark
        return mark

    def route_without_waiting(self, request: Request) -> ReadMark | None:
        """``route``'s choice for a read that does not go through a session (the direct
        reads, app/direct_reads.py), noted on the request; None when the standby must
        first replay the reader's own write, a wait left to ``route`` in a thread."""
        mark, _ = self._choose(request)
        if mark is not None:
            request.scope[MARK_KEY] = mark
        return mark

    def _choose(self, request: Request) -> tuple[ReadMark | None, int | None]:
        """Where a read goes, None for "wait for the token", and the request's token."""
        token = self.token_of(request)
        state = self.monitor.state  # read once: the monitor replaces it meanwhile
        decision = choose(
            state,
            time.monotonic(),
            token,
            max_lag=self.max_lag,
            check_seconds=self.check_seconds,
            wait_ms=self.wait_ms,
        )
        if decision is Route.STANDBY and state is not None:
            return ReadMark(Route.STANDBY, state.replay_lsn), token
        if decision is Route.WAIT and token is not None:
            return None, token
        return ReadMark(Route.PRIMARY), token

    def token_of(self, request: Request) -> int | None:
        """The newest token the request carries: header (a bad one is a 422 naming it),
        cookie (a bad one is ignored), or remembered for its API key."""
        tokens: list[int] = []
        header = request.headers.get(READ_AFTER_HEADER)
        if header:
            try:
                tokens.append(parse_lsn(header))
            except ValueError:
                raise invalid(
                    READ_AFTER_HEADER, "give the value of an earlier X-Read-After answer"
                ) from None
        cookie = request.cookies.get(READ_AFTER_COOKIE)
        if cookie:
            with contextlib.suppress(ValueError):
                tokens.append(parse_lsn(cookie))
        remembered = self._remembered(request.headers.get("authorization"))
        if remembered is not None:
            tokens.append(remembered)
        return max(tokens) if tokens else None

    def _wait_for(self, token: int) -> int | None:
        """The standby's replay position once it reaches ``token``; None after the wait."""
        deadline = time.monotonic() + self.wait_ms / 1000
        try:
            with self.standby.connect() as conn:
                while True:
                    value = replay_position(conn)
                    if value is not None and parse_lsn(value) >= token:
                        return parse_lsn(value)
                    if value is None or time.monotonic() >= deadline:
                        return None
                    time.sleep(0.005)
        except SQLAlchemyError as exc:
            logger.warning("standby unreachable while waiting for a write: %s", exc)
            return None

    # -- writing

    def note_commit(self, request: Request, _session: Session) -> None:
        """After a unit of work committed: the primary's WAL position is the request's token.
        Read on a connection of its own: the session stays out of a transaction, as a
        commit leaves it."""
        try:
            with self.primary.connect() as conn:
                value = primary_position(conn)
        except SQLAlchemyError as exc:
            logger.warning("no read-after token for a committed write: %s", exc)
            return
        token = parse_lsn(value)
        previous = request.scope.get(TOKEN_KEY)
        request.scope[TOKEN_KEY] = max(token, previous or 0)
        authorization = request.headers.get("authorization")
        if authorization:
            self._remember(authorization, token)

    @staticmethod
    def _digest(authorization: str) -> str:
        return hashlib.sha256(authorization.encode()).hexdigest()

    def _remember(self, authorization: str, token: int) -> None:
        now = time.monotonic()
        key = self._digest(authorization)
        with self._lock:
            if len(self._tokens) > 10_000:
                self._tokens = {k: v for k, v in self._tokens.items() if v[1] > now}
            old = self._tokens.get(key)
            self._tokens[key] = (max(token, old[0] if old else 0), now + self.token_seconds)

    def _remembered(self, authorization: str | None) -> int | None:
        if not authorization:
            return None
        with self._lock:
            found = self._tokens.get(self._digest(authorization))
        if found is None or found[1] <= time.monotonic():
            return None
        return found[0]

    # -- the response cache's admission (app/api/response_cache.py)

    def may_answer(self, scope: Scope, generation: int | None) -> bool:
        token = None
        for name, value in scope["headers"]:
            if name == b"x-read-after":
                try:
                    token = parse_lsn(value.decode("latin-1"))
                except ValueError:
                    return False  # the app answers it (a 422)
        return may_answer(token, self.monitor.floor, generation)

    def may_keep(self, scope: Scope, generation: int) -> bool:
        mark: ReadMark | None = scope.get(MARK_KEY)
        if mark is None or mark.source is not Route.STANDBY:
            return True
        if mark.replay_lsn is None:
            return False
        return may_keep(mark.replay_lsn, self.monitor.floor, generation)

    # -- /readyz

    def describe(self) -> dict[str, Any]:
        """The standby as /readyz reports it; its absence never makes the service unready."""
        state = self.monitor.state
        now = time.monotonic()
        reason: str | None
        route = choose(
            state, now, None, max_lag=self.max_lag, check_seconds=self.check_seconds, wait_ms=0
        )
        if state is None:
            status, reason = "unknown", "not checked yet"
        elif state.replay_lsn is None:
            status, reason = "down", state.reason
        elif route is Route.PRIMARY:
            status, reason = "lagging", f"over {self.max_lag:g} s behind, or its check is old"
        else:
            status, reason = "up", None
        lag = state.lag_seconds if state is not None else None
        return {
            "status": status,
            "reads": route.value if route is Route.STANDBY else "primary",
            "lag_seconds": round(lag, 3) if lag is not None else None,
            "max_lag_seconds": self.max_lag,
            "reason": reason,
        }


def start_read_router(
    settings: Settings, primary: Engine, generation: Callable[[], int | None]
) -> ReadRouter | None:
    """The standby's engine and its monitor, when ``DATABASE_READ_URL`` names one."""
    if not replica_configured(settings):
        return None
    standby = engine_for(settings.database_read_url, settings)
    monitor = ReplicaMonitor(
        settings.database_url,
        settings.database_read_url,
        check_seconds=settings.read_replica_check_seconds,
        max_lag=settings.read_replica_max_lag_seconds,
        generation=generation,
    )
    monitor.start()
    return ReadRouter(primary, standby, settings, monitor)


def replica_configured(settings: Settings) -> bool:
    return bool(settings.database_read_url) and not is_sqlite(settings.database_url)


class ReadAfterMiddleware:
    """Sends a request's token (``X-Read-After`` and its cookie) and where it read from."""

    def __init__(self, app: ASGIApp, cookie_seconds: int) -> None:
        self.app = app
        self.cookie_seconds = cookie_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                mark: ReadMark | None = scope.get(MARK_KEY)
                if mark is not None:
                    headers.append((b"x-read-from", mark.source.value.encode()))
                token: int | None = scope.get(TOKEN_KEY)
                if token is not None:
                    value = format_lsn(token)
                    headers.append((b"x-read-after", value.encode()))
                    cookie = (
                        f"{READ_AFTER_COOKIE}={value}; Max-Age={self.cookie_seconds}; Path=/; "
                        "HttpOnly; SameSite=Lax"
                    )
                    headers.append((b"set-cookie", cookie.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, sending)
