"""Fixtures for the reliability tests: a throwaway Postgres cluster, seeded once, and
services started as real processes (always stopped at teardown, even on failure)."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from app.db import make_engine
from app.seeding import load_seeds
from app.services import api_keys
from tests.conftest import SEEDS_DIR, run_migrations
from tests.reliability.support import (
    REPORTS,
    PgCluster,
    Service,
    postgres_bindir,
    postgres_skip_reason,
    run_cli,
    service_env,
)

SEEDED_TEMPLATE = "seeded"
KEY_NAME = "reliability-analyst"


@dataclass
class Database:
    """A migrated, seeded database of the test's own, with an analyst key in it."""

    url: str
    key: str
    key_name: str = KEY_NAME


def add_key(url: str, migrate_and_seed: bool = False) -> str:
    """An analyst key (and, if asked, the schema and the seeds), written in-process."""
    engine = make_engine(url)
    try:
        if migrate_and_seed:
            with engine.begin() as conn:
                run_migrations(conn)
            with Session(engine) as session, session.begin():
                load_seeds(session, SEEDS_DIR)
        with Session(engine) as session, session.begin():
            return api_keys.create_key(session, KEY_NAME, "analyst")
    finally:
        engine.dispose()


@dataclass
class PgTemplate:
    cluster: PgCluster
    key: str


@pytest.fixture(scope="session")
def pg_template() -> Iterator[PgTemplate]:
    """A cluster of the tests' own, migrated and seeded once into a template database."""
    reason = postgres_skip_reason()
    if reason:
        pytest.skip(reason)
    bindir = postgres_bindir()
    assert bindir is not None
    cluster = PgCluster(bindir)
    try:
        cluster.init()
        cluster.start()
        cluster.admin(f"CREATE DATABASE {SEEDED_TEMPLATE}")
        env = service_env(cluster.url(SEEDED_TEMPLATE))
        run_cli(["db", "upgrade"], env)
        run_cli(["seed", "load"], env)
        yield PgTemplate(cluster, add_key(cluster.url(SEEDED_TEMPLATE)))
    finally:
        cluster.destroy()


@pytest.fixture
def pg_cluster(pg_template: PgTemplate) -> PgCluster:
    """The throwaway cluster, running (whatever an earlier test did to it)."""
    if not pg_template.cluster.running():
        pg_template.cluster.start()
    return pg_template.cluster


@pytest.fixture
def pg_database(pg_template: PgTemplate, pg_cluster: PgCluster) -> Database:
    """A fresh copy of the seeded template database on the throwaway cluster."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    pg_cluster.admin(f"CREATE DATABASE {name} TEMPLATE {SEEDED_TEMPLATE}")
    return Database(pg_cluster.url(name), pg_template.key)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A SQLite file migrated and seeded once (like tests/conftest.py does), with a key."""
    path = tmp_path_factory.mktemp("sqlite-template") / "seeded.db"
    return path, add_key(f"sqlite:///{path}", migrate_and_seed=True)


@pytest.fixture
def sqlite_database(sqlite_template: tuple[Path, str], tmp_path: Path) -> Database:
    """A fresh copy of the seeded SQLite file."""
    template, key = sqlite_template
    path = tmp_path / "reliability.db"
    for suffix in ("", "-wal", "-shm"):
        source = template.with_name(template.name + suffix)
        if source.exists():
            shutil.copyfile(source, path.with_name(path.name + suffix))
    return Database(f"sqlite:///{path}", key)


ServiceFactory = Callable[..., Service]


@pytest.fixture
def service_factory(tmp_path: Path) -> Iterator[ServiceFactory]:
    """``make(database_url, **settings)``: a started service; every one is stopped at the end."""
    started: list[Service] = []

    def make(database_url: str, **settings: object) -> Service:
        service = Service(service_env(database_url, **settings), tmp_path)
        started.append(service)
        service.start()
        return service

    try:
        yield make
    finally:
        for service in started:
            service.stop()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if REPORTS:
        terminalreporter.write_sep("-", "reliability figures")
        for line in REPORTS:
            terminalreporter.write_line(line)
