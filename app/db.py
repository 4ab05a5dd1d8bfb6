"""Declarative base with a constraint naming convention, and the engine factory."""

from __future__ import annotations

from typing import Any

from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

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
