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
    "api_key_region",
    "audit_entry",
    "document",
    "goal_status_history",
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
        suite = make_url(database_url)
        # Named after the suite's database: suites run side by side never share it.
        url = suite.set(database=f"{suite.database}_migrations")
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


def test_publishing_rights_keep_stored_figures_public(empty_engine: Engine) -> None:
    """0009: a figure stored before it is published from its recorded_at; a downgrade
    deletes the figures never published (they would turn public) and makes reviewers
    analysts."""
    with empty_engine.begin() as conn:
        run_migrations(conn, "0007")
        conn.execute(
            text(
                "INSERT INTO region (code, name, name_en, kind) VALUES ('500000', '重庆市', "
                "'Chongqing', 'municipality');"
            )
        )
        conn.execute(
            text(
                "INSERT INTO indicator (code, name, name_en, unit, measure, category) "
                "VALUES ('gdp', '地区生产总值', 'GDP', '亿元', 'flow', 'economy')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO observation (indicator_code, region_code, period, period_year, "
                "period_end_month, revision, value, recorded_at, recorded_by) VALUES "
                "('gdp', '500000', '2023', 2023, 12, 1, '30145.79', "
                "'2024-01-20 08:00:00+00:00', 'seed')"
            )
        )
        run_migrations(conn, "0009")
        state, published, recorded = conn.execute(
            text("SELECT state, published_at, recorded_at FROM observation")
        ).one()
        assert state == "published"
        assert published == recorded
        conn.execute(
            text(
                "INSERT INTO observation (indicator_code, region_code, period, period_year, "
                "period_end_month, revision, value, recorded_at, recorded_by, state) VALUES "
                "('gdp', '500000', '2023', 2023, 12, 2, '30200', "
                "'2024-02-01 08:00:00+00:00', 'analyst', 'pending')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO api_key (name, role, key_hash, created_at) VALUES "
                "('r', 'reviewer', 'h', '2024-01-01 00:00:00+00:00')"
            )
        )
        run_migrations(conn, "0007", down=True)
        assert conn.execute(text("SELECT revision FROM observation")).scalars().all() == [1]
        assert conn.execute(text("SELECT role FROM api_key")).scalar_one() == "analyst"
