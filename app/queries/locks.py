"""Writers of one series take turns: one (indicator, region) is one lock.

Two things need it. Revisions of a natural key must number in commit order, and a goal's
stored progress must be computed after every figure of its series that committed before
it: a writer that computed from a snapshot missing another writer's figure would store a
stale read over a fresh one. Under one lock per series, each writer's statements see the
figures of every writer that went before (READ COMMITTED starts each statement afresh).
SQLite needs none of this: ``BEGIN IMMEDIATE`` already serialises all writers.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.orm import Session

# Advisory locks take slots in Postgres's shared lock table (max_locks_per_transaction per
# backend, about 7,800 in all by default): one lock per key made a 10,000-row batch fail
# with "out of shared memory". Series hash into a fixed set of locks instead: writers of
# one series always meet on the same lock; a collision only makes two others take turns.
LOCK_SLOTS = 256
LOCK_NAMESPACE = 0x7074  # first key of the two-key advisory locks, 'pt'
TALLY_COMPACTION = LOCK_SLOTS  # second key of the one lock that compactions of the tally take
REFRESHER = LOCK_SLOTS + 1  # and of the one a backlog refresher's round takes (try-lock)


def series_slot(indicator: str, region: str) -> int:
    return zlib.crc32(f"{indicator}|{region}".encode()) % LOCK_SLOTS


def lock_series(session: Session, pairs: Iterable[tuple[str, str]]) -> None:
    """Hold the locks of these (indicator, region) series until the transaction ends.

    Taken before the first statement that reads or writes a series' goals or figures, and
    always in ascending order, so that two writers cannot deadlock.
    """
    _lock_slots(session, {series_slot(indicator, region) for indicator, region in pairs})


def try_lock_series(session: Session, pairs: Iterable[tuple[str, str]]) -> bool:
    """``lock_series`` without waiting, for background work that can come back later:
    False when a writer holds one of them (the ones it did get are held until the
    transaction ends, which the caller then ends without writing)."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    slots = sorted({series_slot(indicator, region) for indicator, region in pairs})
    return bool(
        session.scalar(
            text(
                "SELECT bool_and(pg_try_advisory_xact_lock(CAST(:ns AS integer), slot)) "
                "FROM unnest(CAST(:slots AS integer[])) AS slot"
            ),
            {"ns": LOCK_NAMESPACE, "slots": slots},
        )
    )


def lock_every_series(session: Session) -> None:
    """Every series lock: for recomputing all goals while the service may be posting."""
    _lock_slots(session, set(range(LOCK_SLOTS)))


def lock_tally_compaction(session: Session) -> None:
    """One compaction of the status tally at a time (app/queries/goals.py)."""
    _lock_slots(session, {TALLY_COMPACTION})


def try_lock_refresher(session: Session) -> bool:
    """The one backlog refresher round at a time across workers, without waiting: False
    when another worker's round holds it (SQLite has one writer at a time already)."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    return bool(
        session.scalar(
            text("SELECT pg_try_advisory_xact_lock(CAST(:ns AS integer), CAST(:slot AS integer))"),
            {"ns": LOCK_NAMESPACE, "slot": REFRESHER},
        )
    )


def _lock_slots(session: Session, slots: set[int]) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return
    # One statement: the locks are taken in the array's (ascending) order, one row at a time.
    session.execute(
        text(
            "SELECT count(pg_advisory_xact_lock(CAST(:ns AS integer), slot)) "
            "FROM unnest(CAST(:slots AS integer[])) AS slot"
        ),
        {"ns": LOCK_NAMESPACE, "slots": sorted(slots)},
    )
