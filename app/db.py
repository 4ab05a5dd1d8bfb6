"""Declarative base with a constraint naming convention, the engine factory, and the one
unit of work through which every transaction that writes commits."""

from __future__ import annotations

import select
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DisconnectionError, IntegrityError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from app import changes

if TYPE_CHECKING:
    from app.settings import Settings

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


def psycopg_conninfo(url: str) -> str:
    """psycopg's connection string for a SQLAlchemy URL (its driver name dropped), for the
    connections the service opens without the engine."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


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
    engine = create_engine(
        url,
        pool_timeout=pool_timeout,
        pool_size=pool_size,
        max_overflow=max_overflow,
        connect_args={"connect_timeout": connect_timeout},
    )
    _ping_when_the_server_spoke(engine)
    return engine


def engine_for(url: str, settings: Settings) -> Engine:
    """``make_engine`` with the pool and connect settings (the primary's and the standby's)."""
    return make_engine(
        url,
        pool_timeout=settings.db_pool_timeout_seconds,
        connect_timeout=settings.db_connect_timeout_seconds,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
    )


def _ping_when_the_server_spoke(engine: Engine) -> None:
    """A pooled connection is checked before use only when its socket has something to
    read: an idle connection receives nothing unless the server ended it (a restart, a
    terminated backend: a FATAL message, then end of file). SQLAlchemy's ``pool_pre_ping``
    would ask every checkout a ``SELECT 1``, a round trip as dear as a one-statement read.
    A connection found dead is replaced by the pool (``DisconnectionError``)."""

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        if not server_spoke(dbapi_connection):
            return
        try:
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute("SELECT 1")
            finally:
                cursor.close()
        except Exception as exc:
            raise DisconnectionError(f"pooled connection lost: {exc}") from exc


def server_spoke(dbapi_connection: Any) -> bool:
    """Whether an idle connection has input waiting (or is already closed)."""
    if getattr(dbapi_connection, "closed", False):
        return True
    try:
        fd = dbapi_connection.fileno()
    except Exception:
        return True
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLPRI | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(0))


def autocommit_reader(engine: Engine) -> Engine | None:
    """The engine for reads that write nothing (a GET): its connections are in autocommit,
    so a one-statement read is one round trip, without BEGIN before it and ROLLBACK after.
    It shares ``engine``'s pool. A unit of work moves the session back to ``engine`` before
    it writes (``read_from``). Under READ COMMITTED a transaction gave a read of several
    statements no common snapshot anyway; a read that needs one asks for it. None on
    SQLite, whose reads are local calls."""
    if is_sqlite(str(engine.url)):
        return None
    return engine.execution_options(isolation_level="AUTOCOMMIT")


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
    sessions = sessionmaker(bind=engine, expire_on_commit=False)
    event.listen(sessions, "after_begin", _note_connection)
    return sessions


# Session.info key: the primary's engine, on a session that reads from a standby.
PRIMARY_BIND = "policy_tracker_primary"


def read_from(session: Session, standby: Engine, primary: Engine) -> None:
    """Point a fresh session's reads at another engine: a hot standby (app/read_replica.py)
    or the autocommit reader (``autocommit_reader``); the unit of work moves it back to the
    primary before it writes."""
    session.info[PRIMARY_BIND] = primary
    session.bind = standby


def read_one_snapshot(session: Session) -> None:
    """Make every later statement of a fresh session read one snapshot of the database
    (REPEATABLE READ, read only): a read of several statements that must agree, such as a
    past summary, which counts the goals with a status timeline in one statement and
    computes those without in another. Under READ COMMITTED, or in autocommit, a write
    committed between the two could count a goal twice or not at all. A session already in
    a transaction (SQLite's, whose reads see one snapshot anyway; the tests' shared
    connection) is left as it is."""
    if session.in_transaction() or not isinstance(session.bind, Engine):
        return
    if is_sqlite(str(session.bind.url)):
        return
    session.connection(
        execution_options={"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
    )


# Session.info key: whether the connection of the session's transaction is in autocommit.
AUTOCOMMIT_CONNECTION = "policy_tracker_autocommit_connection"


def closes_without_io(session: Session) -> bool:
    """Whether closing the session sends nothing to the database: it holds no transaction,
    or its transaction's connection is in autocommit (a GET that read through
    ``autocommit_reader``), whose return to the pool ends nothing. Decided from what the
    session noted when it got its connection (``make_sessionmaker``): asking the session
    for its connection here could check one out of the pool, and wait for it."""
    return not session.in_transaction() or session.info.get(AUTOCOMMIT_CONNECTION) is True


def _note_connection(session: Session, _transaction: Any, connection: Any) -> None:
    dbapi_connection = connection.connection.dbapi_connection
    session.info[AUTOCOMMIT_CONNECTION] = getattr(dbapi_connection, "autocommit", False) is True


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
