"""Each worker keeps recent read answers in memory and drops those a write touches.

A region's scorecard, or one target with its history, is the same bytes until a write
lands. Served from memory it costs about what ``/healthz`` costs; without the cache it
costs a query and the building of a page. Under a steady trickle of posts (analysts in
3,000 counties) a cache emptied by every write would almost never answer: so each answer
carries the tags it depends on (app/changes.py: its series, its region, its indicator, or
everything), declared by its route through ``depends_on``, and a write drops only the
answers whose tags it touched.

What keeps it correct: after any committed write, no worker serves an answer from before
that write that the write touched.

- **A write in this process** runs the sessions' ``after_commit`` hook (registered by
  ``create_app`` through ``invalidate_on_commit``), which drops what the transaction
  declared it touched (``changes.taken``; a commit that declared nothing drops
  everything). This happens before the writer's own response is sent, so
  the writer's next read is fresh whichever of this worker's threads answers it.
- **A write anywhere else** reaches the listener thread of each worker as a
  ``NOTIFY policy_tracker_changed``, sent when the transaction commits: the app's own
  unit of work sends one naming its series (``changes.announce``; the statement
  triggers stay quiet for it, migration 0011); a write behind the service's back
  (psql, the CLI's COPY) fires the statement triggers of migration 0005, whose notice
  names a table, and drops everything. Between the commit and the notice (well under a
  millisecond on one host) another worker can still serve the old answer.
- **An answer computed while a write commits is not kept** if that write touched one of
  its tags. Every invalidation is logged with a number; an answer is stored only if no
  invalidation since the number read before the request ran touched its tags (or the
  log no longer reaches back that far).
- **An answer read from a lagging hot standby is not kept** (``admission``, set by
  app/read_replica.py): only if the standby had replayed the primary's position seen after
  the cache's last emptying; and a request carrying a write's token is answered from the
  cache only if the token is at or below that position.
- While the listener is not connected (start-up, a database restart, no Postgres), the
  cache does not answer and does not store. Entries also expire after ``ttl_seconds``, a
  backstop for a notice lost with a connection that died silently.

Only ``GET`` answers with status 200 are kept, keyed by path and raw query string. A
request with credentials or conditional headers skips the cache. An answer whose route
declared no tags depends on everything.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import weakref
from collections import OrderedDict, deque
from collections.abc import Iterable
from typing import Any, NamedTuple, Protocol

from sqlalchemy import event
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import changes
from app.background import BackgroundThread
from app.changes import ANY, CHANNEL, Tag
from app.db import psycopg_conninfo

logger = logging.getLogger(__name__)

LISTENER_NAME = "policy_tracker cache listener"

# The reads worth keeping: goal lists and details, observation lists, and the region
# pages (the dashboard is the top region's). The summary is not kept, because its answer
# states the moment it was computed.
CACHEABLE_PATHS = re.compile(
    r"^/api/v1/(?:targets|plans)(?:/\d+)?$|^/api/v1/observations$|^/$|^/regions/[^/]+$"
)

# A request carrying one of these asks for something the stored bytes may not be.
_BYPASS_HEADERS = frozenset(
    {b"authorization", b"cookie", b"if-none-match", b"if-modified-since", b"if-match", b"range"}
)

# Where a route puts the tags its answer depends on (``depends_on``).
_SCOPE_KEY = "policy_tracker.depends_on"
# How many invalidations, and how many of their tags in all, the cache remembers for
# ``put``'s check (a 10,000-row post touches some 30,000 tags); an answer whose request
# began before the oldest of them is not kept.
_LOG_LENGTH = 1024
_LOG_TAGS = 100_000


def depends_on(scope: Scope, tags: Iterable[Tag]) -> None:
    """Declare, from a route, the tags its answer depends on (app/changes.py)."""
    declared = scope.setdefault(_SCOPE_KEY, set())
    declared.update(tags)


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
    """Answers by (path, query string), bounded in bytes, least recently used out first,
    each with the tags it depends on."""

    def __init__(self, max_bytes: int, ttl_seconds: float) -> None:
        self.max_bytes = max_bytes
        self.ttl_seconds = ttl_seconds
        self._entries: OrderedDict[tuple[str, bytes], _Entry] = OrderedDict()
        self._tags: dict[tuple[str, bytes], frozenset[Tag]] = {}
        self._keys_by_tag: dict[Tag, set[tuple[str, bytes]]] = {}
        self._lock = threading.Lock()
        # Invalidations so far, and the latest of them with what each touched (None: all).
        self._generation = 0
        self._log: deque[tuple[int, frozenset[Tag] | None]] = deque()
        self._log_tags = 0
        self._open = False
        self.size = 0
        self.hits = 0
        self.stores = 0
        self.dropped = 0
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

    def invalidate(self, tags: frozenset[Tag] | None = None) -> None:
        """Drop the answers that depend on any of ``tags``; None drops every answer."""
        if tags is None:
            self._reset(is_open=self._open)
            return
        if not tags:
            return
        with self._lock:
            self._generation += 1
            self._remember(tags)
            doomed: set[tuple[str, bytes]] = set()
            for tag in tags:
                doomed |= self._keys_by_tag.get(tag, set())
            for key in doomed:
                self._drop(key)
            self.dropped += len(doomed)

    def _reset(self, *, is_open: bool) -> None:
        with self._lock:
            self._generation += 1
            self._remember(None)
            self.dropped += len(self._entries)
            self._entries.clear()
            self._tags.clear()
            self._keys_by_tag.clear()
            self.size = 0
            self._open = is_open

    def _remember(self, tags: frozenset[Tag] | None) -> None:
        """Log the invalidation just numbered; forget the oldest past the log's bounds."""
        self._log.append((self._generation, tags))
        self._log_tags += len(tags or ())
        while len(self._log) > 1 and (len(self._log) > _LOG_LENGTH or self._log_tags > _LOG_TAGS):
            _, old = self._log.popleft()
            self._log_tags -= len(old or ())

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
        tags: frozenset[Tag] = frozenset({ANY}),
    ) -> None:
        """Keep the answer unless a change since ``generation`` was read touched its tags."""
        if len(body) > self.max_bytes // 8:
            return
        with self._lock:
            if not self._open or not self._unchanged_since(generation, tags):
                return
            if key in self._entries:
                self._drop(key)
            self._entries[key] = _Entry(headers, body, time.monotonic() + self.ttl_seconds)
            self._tags[key] = tags
            for tag in tags:
                self._keys_by_tag.setdefault(tag, set()).add(key)
            self.size += len(body)
            self.stores += 1
            while self.size > self.max_bytes:
                self._drop(next(iter(self._entries)))

    def _unchanged_since(self, generation: int, tags: frozenset[Tag]) -> bool:
        if generation == self._generation:
            return True
        if not self._log or self._log[0][0] > generation + 1:
            return False  # the log no longer reaches back to the request's start
        return not any(
            touched is None or not touched.isdisjoint(tags)
            for number, touched in self._log
            if number > generation
        )

    def _drop(self, key: tuple[str, bytes]) -> None:
        self.size -= len(self._entries.pop(key).body)
        for tag in self._tags.pop(key, ()):
            keys = self._keys_by_tag.get(tag)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._keys_by_tag[tag]


def invalidate_all(tags: frozenset[Tag] | None = None) -> None:
    """Drop what ``tags`` touch (None: everything) from every cache of this process."""
    for cache in list(_CACHES):
        cache.invalidate(tags)


def _after_commit(session: Session) -> None:
    invalidate_all(changes.taken(session))


def invalidate_on_commit(cache: ResponseCache) -> None:
    """Drop from ``cache`` what each commit of any session of this process touched: before
    the writer's own response is sent, so its next read is fresh on whichever thread
    answers it."""
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
            # ``Age`` (RFC 9111): the answer came from a cache, stored this many seconds ago.
            age = max(0, int(time.monotonic() - entry.expires + self.cache.ttl_seconds))
            aged = [*entry.headers, (b"age", str(age).encode())]
            await send({"type": "http.response.start", "status": 200, "headers": aged})
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
            tags = frozenset(scope.get(_SCOPE_KEY) or (ANY,))
            self.cache.put(key, generation, headers, b"".join(chunks), tags)


def _cacheable(scope: Scope) -> bool:
    if scope["type"] != "http" or scope["method"] != "GET":
        return False
    if not CACHEABLE_PATHS.match(scope["path"]):
        return False
    return not any(name in _BYPASS_HEADERS for name, _ in scope["headers"])


class ChangeListener(BackgroundThread):
    """A thread that keeps ``LISTEN policy_tracker_changed`` open and drops from the cache
    what each notice names. The cache is open only while the thread is connected."""

    thread_name = "cache-listener"

    def __init__(
        self, database_url: str, cache: ResponseCache, *, poll_seconds: float = 0.5
    ) -> None:
        self.conninfo = psycopg_conninfo(database_url)
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
            for notify in conn.notifies(timeout=self.poll_seconds, stop_after=1):
                noticed = True
                notice = changes.parse(notify.payload)
                if notice.sender != changes.PROCESS_TOKEN:  # ours: dropped at the commit
                    self.cache.invalidate(notice.tags)
            idle_polls = 0 if noticed else idle_polls + 1
            if idle_polls >= 10:
                # A round trip now and then: a connection that died silently must close
                # the cache rather than leave it deaf.
                conn.execute("SELECT 1")
                idle_polls = 0
