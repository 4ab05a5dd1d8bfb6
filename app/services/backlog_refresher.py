"""Works off the backlog of stale series (app/models/backlog.py) while the worker is quiet.

Reads are right without it: a stale goal is computed from the figures on every read. What
it saves is that work, and the summary's and status filters' own recomputation of the
series in their scope. A thread per worker, Postgres only. It waits while this worker is
posting, and for ``quiet_seconds`` after: on a two-core machine, recomputing alongside a
bulk load would only slow the load down. One round at a time across all workers (an
advisory try-lock), each round ``PAIRS_PER_ROUND`` series in one transaction.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from app import changes
from app.background import BackgroundThread
from app.db import UnitOfWork
from app.queries import backlog
from app.queries.locks import try_lock_refresher
from app.services.stored_reads import PAIRS_PER_ROUND, refresh_stale

logger = logging.getLogger("app.backlog")


class WriteActivity:
    """Posts in flight in this process, and when the last one ended."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._in_flight = 0
        self._last_end = 0.0

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self._lock:
            self._in_flight += 1
        try:
            yield
        finally:
            with self._lock:
                self._in_flight -= 1
                self._last_end = time.monotonic()

    def quiet_for(self, seconds: float) -> bool:
        with self._lock:
            return self._in_flight == 0 and time.monotonic() - self._last_end >= seconds


WRITES = WriteActivity()


def refresh_round(uow: UnitOfWork) -> int:
    """One round: up to ``PAIRS_PER_ROUND`` of the oldest backlog series recomputed and
    committed; how many were. 0 when the backlog is empty or another worker is at it."""
    return uow.run(_round)


def _round(session: Session) -> int:
    changes.touch_nothing(session)  # only the series it recomputes (``refresh_stale``)
    pairs = backlog.oldest(session, PAIRS_PER_ROUND)
    if not pairs or not try_lock_refresher(session):
        return 0
    return refresh_stale(session, pairs)


class BacklogRefresher(BackgroundThread):
    thread_name = "backlog-refresher"

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        activity: WriteActivity = WRITES,
        quiet_seconds: float = 1.0,
        poll_seconds: float = 1.0,
    ) -> None:
        self.sessions = sessions
        self.activity = activity
        self.quiet_seconds = quiet_seconds
        self.poll_seconds = poll_seconds
        super().__init__()

    def _run(self) -> None:
        while not self._stop.wait(self.poll_seconds):
            try:
                while not self._stop.is_set() and self.activity.quiet_for(self.quiet_seconds):
                    with self.sessions() as session:
                        if refresh_round(UnitOfWork(session)) == 0:
                            break
            except SQLAlchemyError as exc:
                logger.warning("backlog refresh failed, retried later: %s", exc)
                self._stop.wait(5 * self.poll_seconds)
