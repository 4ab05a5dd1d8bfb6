"""The read replica's rules (app/read_replica.py), without any database: where a read goes,
how far behind a standby is, and what the response cache may keep and answer."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from app.db import PRIMARY_BIND, UnitOfWork, read_from
from app.main import create_app
from app.read_replica import (
    Route,
    StandbyState,
    choose,
    format_lsn,
    lag_seconds,
    may_answer,
    may_keep,
    parse_lsn,
    replica_configured,
)
from app.settings import Settings

RULES = {"max_lag": 2.0, "check_seconds": 0.5, "wait_ms": 250}
NOW = 100.0


def state(replay: int | None = 1000, lag: float | None = 0.0, age: float = 0.1) -> StandbyState:
    return StandbyState(checked_at=NOW - age, replay_lsn=replay, lag_seconds=lag)


def test_wal_positions_read_and_written_as_postgres_does() -> None:
    assert parse_lsn("16/B374D848") == (0x16 << 32) | 0xB374D848
    assert parse_lsn("0/0") == 0
    assert format_lsn(parse_lsn("16/B374D848")) == "16/B374D848"
    assert parse_lsn("0/10") > parse_lsn("0/F")
    assert parse_lsn("1/0") > parse_lsn("0/FFFFFFFF")
    for bad in ("", "16", "/1", "1/", "x/1", "1/2/3", "123456789/0"):
        with pytest.raises(ValueError):
            parse_lsn(bad)


def test_a_standby_within_the_lag_limit_serves_readers_without_a_token() -> None:
    assert choose(state(lag=0.0), NOW, None, **RULES) is Route.STANDBY
    assert choose(state(lag=2.0), NOW, None, **RULES) is Route.STANDBY  # at the limit


def test_a_standby_over_the_lag_limit_is_not_read_from() -> None:
    assert choose(state(lag=2.01), NOW, None, **RULES) is Route.PRIMARY
    assert choose(state(lag=None), NOW, None, **RULES) is Route.PRIMARY  # lag unknown


def test_a_standby_down_unchecked_or_checked_too_long_ago_is_not_read_from() -> None:
    assert choose(None, NOW, None, **RULES) is Route.PRIMARY
    assert choose(state(replay=None, lag=None), NOW, None, **RULES) is Route.PRIMARY
    assert choose(state(age=0.5), NOW, None, **RULES) is Route.STANDBY
    assert choose(state(age=0.51), NOW, None, **RULES) is Route.PRIMARY


def test_a_writer_reads_the_standby_once_it_has_replayed_the_write() -> None:
    assert choose(state(replay=1000), NOW, 999, **RULES) is Route.STANDBY
    assert choose(state(replay=1000), NOW, 1000, **RULES) is Route.STANDBY
    # ahead of the last check: wait for the standby, then the primary
    assert choose(state(replay=1000), NOW, 1001, **RULES) is Route.WAIT
    assert choose(state(replay=1000), NOW, 1001, **{**RULES, "wait_ms": 0}) is Route.PRIMARY
    # the lag rule comes first: a token does not send a reader to a lagging standby
    assert choose(state(replay=1000, lag=3.0), NOW, 10, **RULES) is Route.PRIMARY


def test_lag_is_the_time_since_the_newest_primary_position_the_standby_holds() -> None:
    history = [(10.0, 100), (10.25, 100), (10.5, 180), (10.75, 250)]
    assert lag_seconds(history, 250, 10.75) == 0.0  # caught up with the last check
    assert lag_seconds(history, 200, 10.75) == 0.25  # has 10.5's position, not 10.75's
    assert lag_seconds(history, 100, 11.0) == 0.75  # an idle primary: same position twice
    assert lag_seconds(history, 99, 11.0) is None  # older than anything remembered
    assert lag_seconds([], 500, 11.0) is None


def test_the_cache_keeps_a_standby_answer_only_at_or_past_its_floor() -> None:
    floor = (7, 1000)  # generation 7; the primary was at 1000 after the cache was emptied
    assert may_keep(None, None, 7)  # read from the primary
    assert may_keep(1000, floor, 7)
    assert not may_keep(999, floor, 7)  # the standby had not replayed the last write
    assert not may_keep(5000, floor, 8)  # emptied again since: no floor for 8 yet
    assert not may_keep(5000, None, 7)


def test_the_cache_answers_a_writer_only_with_entries_as_new_as_its_write() -> None:
    floor = (7, 1000)
    assert may_answer(None, None, 7)
    assert may_answer(1000, floor, 7)
    assert not may_answer(1001, floor, 7)
    assert not may_answer(10, floor, 8)
    assert not may_answer(10, None, None)


def test_the_unit_of_work_writes_on_the_primary_and_then_reads_there() -> None:
    primary = create_engine("sqlite://")
    standby = create_engine("sqlite://")
    with primary.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    committed: list[int] = []
    with Session(primary) as session:
        read_from(session, standby, primary)
        assert session.get_bind() is standby
        uow = UnitOfWork(session)
        uow.on_commit.append(
            lambda s: committed.append(s.execute(text("SELECT count(*) FROM t")).scalar_one())
        )
        uow.run(lambda s: s.execute(text("INSERT INTO t VALUES (1)")))
        assert session.get_bind() is primary
        assert PRIMARY_BIND not in session.info
        assert committed == [1]  # after the commit, on the primary
        uow.run(lambda s: s.execute(text("INSERT INTO t VALUES (2)")), dry_run=True)
        assert committed == [1]  # a dry run commits nothing, so no hook


def test_nothing_changes_on_sqlite_or_without_a_read_url() -> None:
    standby = "postgresql+psycopg://postgres@127.0.0.1:5432/standby"
    primary = "postgresql+psycopg://postgres@127.0.0.1:5432/primary"
    assert replica_configured(Settings(database_url=primary, database_read_url=standby))
    assert not replica_configured(Settings(database_url=primary, database_read_url=""))
    assert not replica_configured(Settings(database_url="sqlite://", database_read_url=standby))
    app = create_app(Settings(database_url="sqlite://", database_read_url=standby))
    assert "ReadAfterMiddleware" not in [m.cls.__name__ for m in app.user_middleware]
