"""Declarative base with a constraint naming convention, the engine factory, and the one
unit of work through which every transaction that writes commits."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from app import changes

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Execution option marking a transaction that will write (see ``begin_write``).
WRITE_TRANSACTION = "policy_tracker_write"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def make_engine(
    url: str,
    *,
    pool_timeout: float = 2.0,
    connect_timeout: int = 2,
    pool_size: int = 5,
    max_overflow: int = 10,
) -> Engine:
    """Engine for either backend; SQLite gets foreign keys and real SAVEPOINTs."""
    if is_sqlite(url):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        _configure_sqlite(engine)
        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_timeout=pool_timeout,
        pool_size=pool_size,
        max_overflow=max_overflow,
        connect_args={"connect_timeout": connect_timeout},
    )


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy emit BEGIN.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A writer asks for the lock up front: two deferred transactions that both read
        # and then write would fail at once instead of waiting their turn.
        immediate = connection.get_execution_options().get(WRITE_TRANSACTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


# Session.info key: the primary's engine, on a session that reads from a standby.
PRIMARY_BIND = "policy_tracker_primary"


def read_from(session: Session, standby: Engine, primary: Engine) -> None:
    """Point a fresh session's reads at a hot standby (app/read_replica.py); the unit of
    work moves it back to the primary before it writes."""
    session.info[PRIMARY_BIND] = primary
    session.bind = standby


def _back_to_primary(session: Session) -> None:
    """A session that read from a standby writes, and from then on reads, on the primary."""
    primary = session.info.pop(PRIMARY_BIND, None)
    if primary is not None:
        if session.in_transaction():
            session.rollback()
        session.bind = primary


def begin_write(session: Session) -> None:
    """Start the session's transaction as a writer (``BEGIN IMMEDIATE`` on SQLite)."""
    if session.in_transaction():
        session.rollback()
    session.connection(execution_options={WRITE_TRANSACTION: True})


NOT_MIGRATED = "the database is not migrated: run `python -m app db upgrade`"


def is_unmigrated(error: BaseException) -> bool:
    """Whether a database error means a table is missing: the schema was never migrated
    (SQLite: "no such table"; Postgres: undefined_table, SQLSTATE 42P01)."""
    original = getattr(error, "orig", error)
    if getattr(original, "sqlstate", None) == "42P01":
        return True
    return str(original).startswith("no such table")


T = TypeVar("T")

# A write that lost a race is run again from the start, this many times in all.
WRITE_ATTEMPTS = 5
# SQLSTATEs of a transaction that Postgres aborted for a concurrent one: it may succeed anew.
_RETRIABLE_SQLSTATES = {"40001", "40P01"}  # serialization_failure, deadlock_detected


def _retriable(exc: IntegrityError | OperationalError) -> bool:
    """A unique key taken by a concurrent writer (a revision number, an idempotency key), a
    busy SQLite file, or a serialization failure or deadlock on Postgres."""
    if isinstance(exc, IntegrityError):
        return True
    sqlstate = getattr(exc.orig, "sqlstate", None)
    return sqlstate in _RETRIABLE_SQLSTATES or "locked" in str(exc.orig)


class UnitOfWork:
    """The one place where a transaction that writes begins and commits.

    ``run(work)`` opens the session's transaction as a writer, calls ``work(session)`` and
    commits (``run(work, dry_run=True)`` rolls back instead); any error rolls everything
    back. A
    write that lost a race to a concurrent writer (``_retriable``) is run again from the
    start, so ``work`` must only touch the database through its session. Services below
    it flush and never commit. A request, the command line and the background refresher
    all write through one.

    ``on_commit``: callables run with the session after each commit (not after a dry run),
    such as the read replica's token (app/read_replica.py).
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.on_commit: list[Callable[[Session], None]] = []

    def run(self, work: Callable[[Session], T], *, dry_run: bool = False) -> T:
        """``dry_run``: the same work in the same writer's transaction, every check and
        statement as for real, then rolled back instead of committed: nothing is written,
        no audit entry, no idempotency record (a dry run's answer is ``work``'s)."""
        _back_to_primary(self.session)
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            begin_write(self.session)
            try:
                changes.begin(self.session)
                result = work(self.session)
                if dry_run:
                    self.session.rollback()
                    changes.forget(self.session)
                else:
                    # One notice naming what the work touched (app/changes.py), sent by
                    # Postgres at the commit; the commit hook drops it here.
                    changes.announce(self.session)
                    self.session.commit()
            except (IntegrityError, OperationalError) as exc:
                self.session.rollback()
                if attempt == WRITE_ATTEMPTS or not _retriable(exc):
                    raise
                time.sleep(0.02 * attempt)
                continue
            except BaseException:
                self.session.rollback()
                raise
            if not dry_run:
                for hook in self.on_commit:
                    hook(self.session)
            return result
        raise AssertionError("unreachable")
