"""Test database: the real migrations once per session, the seeds once, a rollback per test.

``TEST_DATABASE_URL`` picks the backend (default: a SQLite file in a temp folder). For
Postgres the suite creates its own database, ``<name>`` from the URL, afresh each run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.config import Config
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.orm import Session

from alembic import command
from app.db import make_engine
from app.main import create_app
from app.seeding import load_seeds
from app.settings import PROJECT_ROOT, Settings

SEEDS_DIR = PROJECT_ROOT / "seeds"

# 4,512 亿元 of key-project investment by November 2023: past the 2023 plan's 4,300 亿元
# floor, so the plan (on schedule in the seeds) becomes achieved.
KEY_PROJECTS_NOVEMBER_2023 = {
    "indicator": "key_project_investment",
    "region": "500000",
    "period": "2023-M11",
    "value": 4512,
    "unit": "亿元",
}


def _test_url(tmp_dir: Path) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_dir / 'test.db'}"


def refuse_unless_for_tests(url: str) -> None:
    """The suite drops and recreates the database TEST_DATABASE_URL names: only one whose
    name says it is for tests, never a database someone seeded and keeps keys in."""
    name = make_url(url).database or ""
    if "test" not in name.lower():
        pytest.exit(
            f"TEST_DATABASE_URL names the database '{name}', which the tests would drop; "
            "use a database whose name contains 'test' (e.g. policy_tracker_test)",
            returncode=2,
        )


def _recreate_postgres_database(url: str) -> None:
    refuse_unless_for_tests(url)
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def run_migrations(connection: Connection, revision: str = "head", *, down: bool = False) -> None:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    config.attributes["connection"] = connection
    if down:
        command.downgrade(config, revision)
    else:
        command.upgrade(config, revision)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = _test_url(tmp_path_factory.mktemp("db"))
    if url.startswith("postgresql"):
        _recreate_postgres_database(url)
    return url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    with engine.begin() as conn:
        run_migrations(conn)
    with Session(engine) as session, session.begin():
        load_seeds(session, SEEDS_DIR)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """An outer transaction that every test's writes join and that is rolled back."""
    conn = engine.connect()
    outer = conn.begin()
    try:
        yield conn
    finally:
        outer.rollback()
        conn.close()


@pytest.fixture
def session(connection: Connection) -> Iterator[Session]:
    with Session(bind=connection, join_transaction_mode="create_savepoint") as s:
        yield s


@pytest.fixture
def client(connection: Connection, database_url: str) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=database_url))
    app.state.sessionmaker = lambda: Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    # The response cache is open as in production, without the listener: every write of
    # a test is made in this process, inside the test's rolled-back transaction, so no
    # notice can come, and the sessions' commit hook is what must empty the cache.
    app.state.response_cache.open()
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def backend(database_url: str) -> str:
    return "postgresql" if database_url.startswith("postgresql") else "sqlite"


@pytest.fixture
def postgres(database_url: str, backend: str, engine: Engine) -> str:
    """The migrated and seeded test database (``engine``), committed, for an app with an
    engine of its own; on Postgres only (a test of round trips, connections or the
    direct reads: SQLite has none)."""
    if backend != "postgresql":
        pytest.skip("a Postgres matter: SQLite reads are local calls")
    return database_url


@pytest.fixture
def api_keys(session: Session) -> dict[str, str]:
    """One key per role plus a revoked one, visible to the test client's requests."""
    from app.services import api_keys as keys

    created = {
        "analyst": keys.create_key(session, "test-analyst", "analyst"),
        "admin": keys.create_key(session, "test-admin", "admin"),
        "revoked": keys.create_key(session, "test-revoked", "analyst"),
    }
    keys.revoke_key(session, "test-revoked")
    session.commit()
    return created


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
