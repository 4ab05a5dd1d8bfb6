"""Works off the backlog of stale series (app/models/backlog.py) while the worker is quiet.

Reads are right without it: a stale goal is computed from the figures on every read. What
it saves is that work, and the summary's and status filters' own recomputation of the
series in their scope. A thread per worker, Postgres only. It waits while this worker is
posting, and for ``quiet_seconds`` after: on a two-core machine, recomputing alongside a
bulk load would only slow the load down. One round at a time across all workers (an
advisory try-lock), each round ``PAIRS_PER_ROUND`` series in one transaction. With the
backlog empty, it builds the status timelines that writes dropped (app/services/
status_history.py), ``status_history.ROUND`` goals a round, on the same terms.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from app import changes
from app.background import BackgroundThread
from app.db import UnitOfWork
from app.models import Plan, Target
from app.queries import backlog
from app.queries.goals import GoalModel
from app.queries.locks import try_lock_refresher
from app.services import status_history
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

    def last_end(self) -> float:
        with self._lock:
            return self._last_end

    def quiet_for(self, seconds: float) -> bool:
        with self._lock:
            return self._in_flight == 0 and time.monotonic() - self._last_end >= seconds


WRITES = WriteActivity()
TIMELINES_RECHECK_SECONDS = 60.0


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


def timeline_round(uow: UnitOfWork, after: dict[str, int]) -> int:
    """One round of missing timelines built and committed, targets' first, continuing
    from ``after`` (the last id looked at of each kind, updated); how many goals got one.
    0 when none is missing, another worker holds the round, or a writer holds one of the
    round's series (the thread then waits for this worker's next write, or a minute)."""
    return uow.run(partial(_timeline_round, after=after))


def _timeline_round(session: Session, after: dict[str, int]) -> int:
    if not try_lock_refresher(session):
        return 0
    return _kind_round(session, Target, after) or _kind_round(session, Plan, after)


def _kind_round(session: Session, model: type[GoalModel], after: dict[str, int]) -> int:
    kind = model.__tablename__
    result = status_history.build_round(session, model, after.get(kind, 0), wait=False)
    if result is None and after.get(kind, 0):  # from the start again: writes dropped some
        result = status_history.build_round(session, model, 0, wait=False)
    if result is None:
        after[kind] = 0
        return 0
    after[kind], built = result
    return max(built, 1)  # another worker's may have been built meanwhile: go on


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
        self.timelines_after: dict[str, int] = {}
        self._timelines_done: tuple[float, float] | None = None  # (last write, when) then
        super().__init__()

    def _timelines_due(self) -> bool:
        """A pass that found every timeline built is repeated only after a write of this
        worker, or ``TIMELINES_RECHECK_SECONDS`` later (for other workers' writes and
        rows loaded by hand): looking for none costs a scan of the goals."""
        if self._timelines_done is None:
            return True
        last_write, checked = self._timelines_done
        return (
            self.activity.last_end() != last_write
            or time.monotonic() - checked >= TIMELINES_RECHECK_SECONDS
        )

    def _timeline_round(self, uow: UnitOfWork) -> int:
        if not self._timelines_due():
            return 0
        last_write = self.activity.last_end()
        built = timeline_round(uow, self.timelines_after)
        self._timelines_done = None if built else (last_write, time.monotonic())
        return built

    def _run(self) -> None:
        while not self._stop.wait(self.poll_seconds):
            try:
                while not self._stop.is_set() and self.activity.quiet_for(self.quiet_seconds):
                    with self.sessions() as session:
                        uow = UnitOfWork(session)
                        if refresh_round(uow) == 0 and self._timeline_round(uow) == 0:
                            break
            except SQLAlchemyError as exc:
                logger.warning("backlog refresh failed, retried later: %s", exc)
                self._stop.wait(5 * self.poll_seconds)
