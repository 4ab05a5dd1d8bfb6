"""Each worker keeps recent read answers in memory and drops them all when any data changes.

A region's scorecard, or one target with its history, is the same bytes until a write
lands. Served from memory it costs about what ``/healthz`` costs; without the cache it
costs a query and the building of a page.

What keeps it correct: after any committed write, no worker serves an answer from before
that write.

- **A write in this process** runs the sessions' ``after_commit`` hook (registered by
  ``create_app`` through ``invalidate_on_commit``), which empties every cache of the
  process. This happens before the writer's own response is sent, so
  the writer's next read is fresh whichever of this worker's threads answers it.
- **A write anywhere else** (another worker or replica, the CLI, psql, a COPY) fires the
  statement triggers of migration 0005, which ``NOTIFY policy_tracker_changed`` when the
  transaction commits. A listener thread in each worker empties its cache on each notice.
  Between the commit and the notice (well under a millisecond on one host) another
  worker can still serve the old answer.
- **An answer computed while a write commits is not kept.** The cache has a generation
  that every invalidation raises. An answer is stored only if the generation is still the
  one read before the request ran.
- **An answer read from a lagging hot standby is not kept** (``admission``, set by
  app/read_replica.py): only if the standby had replayed the primary's position seen after
  the cache's last emptying; and a request carrying a write's token is answered from the
  cache only if the token is at or below that position.
- While the listener is not connected (start-up, a database restart, no Postgres), the
  cache does not answer and does not store. Entries also expire after ``ttl_seconds``, a
  backstop for a notice lost with a connection that died silently.

Only ``GET`` answers with status 200 are kept, keyed by path and raw query string. A
request with credentials or conditional headers skips the cache.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import weakref
from collections import OrderedDict
from typing import Any, NamedTuple, Protocol

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.background import BackgroundThread

logger = logging.getLogger(__name__)

CHANNEL = "policy_tracker_changed"
LISTENER_NAME = "policy_tracker cache listener"

# The reads worth keeping: goal lists and details, and observation lists. The summary is
# not kept, because its answer states the moment it was computed.
CACHEABLE_PATHS = re.compile(r"^/api/v1/(?:targets|plans)(?:/\d+)?$|^/api/v1/observations$")

# A request carrying one of these asks for something the stored bytes may not be.
_BYPASS_HEADERS = frozenset(
    {b"authorization", b"cookie", b"if-none-match", b"if-modified-since", b"if-match", b"range"}
)


class _Entry(NamedTuple):
    headers: list[tuple[bytes, bytes]]
    body: bytes
    expires: float


_CACHES: weakref.WeakSet[ResponseCache] = weakref.WeakSet()


class Admission(Protocol):
    """Whether the cache may answer a request, and keep an answer (app/read_replica.py)."""

    def may_answer(self, scope: Scope, generation: int | None) -> bool: ...

    def may_keep(self, scope: Scope, generation: int) -> bool: ...


class ResponseCache:
    """Answers by (path, query string), bounded in bytes, least recently used out first."""

    def __init__(self, max_bytes: int, ttl_seconds: float) -> None:
        self.max_bytes = max_bytes
        self.ttl_seconds = ttl_seconds
        self._entries: OrderedDict[tuple[str, bytes], _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._generation = 0
        self._open = False
        self.size = 0
        self.hits = 0
        self.stores = 0
        self.admission: Admission | None = None

    @property
    def is_open(self) -> bool:
        return self._open

    def open(self) -> None:
        """Start answering: changes from now on reach this cache."""
        self._reset(is_open=True)

    def close(self) -> None:
        """Stop answering: a change could now go unnoticed."""
        self._reset(is_open=False)

    def invalidate(self) -> None:
        self._reset(is_open=self._open)

    def _reset(self, *, is_open: bool) -> None:
        with self._lock:
            self._generation += 1
            self._entries.clear()
            self.size = 0
            self._open = is_open

    def generation(self) -> int | None:
        """The generation to pass to ``put``, or None while the cache is closed."""
        return self._generation if self._open and self.max_bytes > 0 else None

    def get(self, key: tuple[str, bytes]) -> _Entry | None:
        with self._lock:
            if not self._open:
                return None
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry.expires <= time.monotonic():
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry

    def put(
        self,
        key: tuple[str, bytes],
        generation: int,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
    ) -> None:
        """Keep the answer unless the data may have changed since ``generation`` was read."""
        if len(body) > self.max_bytes // 8:
            return
        with self._lock:
            if not self._open or generation != self._generation:
                return
            if key in self._entries:
                self._drop(key)
            self._entries[key] = _Entry(headers, body, time.monotonic() + self.ttl_seconds)
            self.size += len(body)
            self.stores += 1
            while self.size > self.max_bytes:
                self._drop(next(iter(self._entries)))

    def _drop(self, key: tuple[str, bytes]) -> None:
        self.size -= len(self._entries.pop(key).body)


def invalidate_all() -> None:
    """Empty every cache of this process (a write committed here)."""
    for cache in list(_CACHES):
        cache.invalidate()


def _after_commit(_session: Session) -> None:
    invalidate_all()


def invalidate_on_commit(cache: ResponseCache) -> None:
    """Empty ``cache`` whenever any session of this process commits: before the writer's
    own response is sent, so its next read is fresh on whichever thread answers it."""
    _CACHES.add(cache)
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)


class ResponseCacheMiddleware:
    """Answers a cacheable GET from the cache, or runs it and keeps a 200 answer."""

    def __init__(self, app: ASGIApp, cache: ResponseCache) -> None:
        self.app = app
        self.cache = cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _cacheable(scope):
            await self.app(scope, receive, send)
            return
        key = (scope["path"], scope["query_string"])
        admission = self.cache.admission
        if admission is not None and not admission.may_answer(scope, self.cache.generation()):
            await self.app(scope, receive, send)
            return
        entry = self.cache.get(key)
        if entry is not None:
            await send({"type": "http.response.start", "status": 200, "headers": entry.headers})
            await send({"type": "http.response.body", "body": entry.body})
            return
        generation = self.cache.generation()
        if generation is None:
            await self.app(scope, receive, send)
            return
        status = 0
        headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []
        complete = False
        # An answer too large to keep (a streamed export) is not held while it streams.
        room = self.cache.max_bytes // 8
        recorded = 0

        async def recording_send(message: Message) -> None:
            nonlocal status, headers, complete, recorded
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                body = message.get("body", b"")
                recorded += len(body)
                if recorded <= room:
                    chunks.append(body)
                else:
                    chunks.clear()
                complete = not message.get("more_body", False)
            await send(message)

        await self.app(scope, receive, recording_send)
        if (
            status == 200
            and complete
            and recorded <= room
            and not any(k == b"set-cookie" for k, _ in headers)
            and (admission is None or admission.may_keep(scope, generation))
        ):
            self.cache.put(key, generation, headers, b"".join(chunks))


def _cacheable(scope: Scope) -> bool:
    if scope["type"] != "http" or scope["method"] != "GET":
        return False
    if not CACHEABLE_PATHS.match(scope["path"]):
        return False
    return not any(name in _BYPASS_HEADERS for name, _ in scope["headers"])


class ChangeListener(BackgroundThread):
    """A thread that keeps ``LISTEN policy_tracker_changed`` open and empties the cache on
    every notice. The cache is open only while the thread is connected."""

    thread_name = "cache-listener"

    def __init__(
        self, database_url: str, cache: ResponseCache, *, poll_seconds: float = 0.5
    ) -> None:
        url = make_url(database_url).set(drivername="postgresql")
        self.conninfo = url.render_as_string(hide_password=False)
        self.cache = cache
        self.poll_seconds = poll_seconds
        super().__init__()

    def stop(self) -> None:
        """The thread ends within ``poll_seconds``."""
        super().stop()
        self.cache.close()

    def _run(self) -> None:
        import psycopg

        backoff = self.poll_seconds
        while not self._stop.is_set():
            try:
                with psycopg.connect(
                    self.conninfo,
                    autocommit=True,
                    connect_timeout=2,
                    application_name=LISTENER_NAME,
                ) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.cache.open()
                    backoff = self.poll_seconds
                    self._listen(conn)
            except psycopg.Error as exc:
                logger.warning("response cache closed: change listener lost (%s)", exc)
            self.cache.close()
            self._stop.wait(backoff)
            backoff = min(backoff * 2, 10.0)

    def _listen(self, conn: Any) -> None:
        idle_polls = 0
        while not self._stop.is_set():
            noticed = False
            for _notice in conn.notifies(timeout=self.poll_seconds, stop_after=1):
                noticed = True
                self.cache.invalidate()
            idle_polls = 0 if noticed else idle_polls + 1
            if idle_polls >= 10:
                # A round trip now and then: a connection that died silently must close
                # the cache rather than leave it deaf.
                conn.execute("SELECT 1")
                idle_polls = 0
