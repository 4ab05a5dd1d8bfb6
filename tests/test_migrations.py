"""Migrations: up, down and up again from empty; and the models agree with them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine, make_url

from app.db import Base, make_engine
from tests.conftest import run_migrations

TABLES = {
    "api_key",
    "audit_entry",
    "document",
    "goal_status_tally",
    "idempotency_record",
    "indicator",
    "observation",
    "plan",
    "region",
    "stale_series",
    "target",
}


@pytest.fixture
def empty_engine(database_url: str, tmp_path: Path) -> Iterator[Engine]:
    """A database of its own, empty, on the suite's backend."""
    if database_url.startswith("postgresql"):
        url = make_url(database_url).set(database="policy_tracker_migrations")
        admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{url.database}"'))
        engine = make_engine(url.render_as_string(hide_password=False))
        yield engine
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        admin.dispose()
    else:
        engine = make_engine(f"sqlite:///{tmp_path / 'migrations.db'}")
        yield engine
        engine.dispose()


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_upgrade_downgrade_upgrade(empty_engine: Engine) -> None:
    with empty_engine.begin() as conn:
        run_migrations(conn)
    assert _tables(empty_engine) == TABLES
    with empty_engine.begin() as conn:
        run_migrations(conn, "base", down=True)
    assert _tables(empty_engine) == set()
    with empty_engine.begin() as conn:
        run_migrations(conn)
    assert _tables(empty_engine) == TABLES


def _goal_triggers(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            sql = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        else:
            sql = (
                "SELECT tgname || ':' || tgrelid::regclass::text FROM pg_trigger "
                "WHERE NOT tgisinternal AND tgrelid IN ('target'::regclass, 'plan'::regclass)"
            )
        return {row[0] for row in conn.execute(text(sql))}


def test_aliases_and_sources_migration_keeps_the_goal_triggers(empty_engine: Engine) -> None:
    # 0008 alters target and plan; copying a table on SQLite would drop its triggers.
    with empty_engine.begin() as conn:
        run_migrations(conn)
    at_head = _goal_triggers(empty_engine)
    assert len(at_head) >= 4
    with empty_engine.begin() as conn:
        run_migrations(conn, "0007", down=True)
    assert _goal_triggers(empty_engine) == at_head
    columns = {c["name"] for c in inspect(empty_engine).get_columns("target")}
    assert "sources_json" not in columns
    with empty_engine.begin() as conn:
        run_migrations(conn)
    assert _goal_triggers(empty_engine) == at_head
    assert {"aliases"} <= {c["name"] for c in inspect(empty_engine).get_columns("indicator")}


def test_models_and_migrations_agree(empty_engine: Engine) -> None:
    with empty_engine.begin() as conn:
        run_migrations(conn)
    with empty_engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_the_suite_refuses_to_drop_a_database_not_named_for_tests() -> None:
    """#14.16: a seeded database with its keys is never dropped by a test run."""
    from tests.conftest import refuse_unless_for_tests

    with pytest.raises(pytest.exit.Exception, match=r"'tracker'.*contains 'test'"):
        refuse_unless_for_tests("postgresql+psycopg://postgres@127.0.0.1:5432/tracker")
    refuse_unless_for_tests("postgresql+psycopg://postgres@127.0.0.1:5432/pt_defects_test")
