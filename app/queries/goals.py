"""Queries on targets and plans, with their indicator and region in the same statement."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any, NamedTuple, TypeVar, cast

from sqlalchemy import (
    Integer,
    Row,
    Select,
    Table,
    bindparam,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.models import GoalStatusTally, Indicator, Observation, Plan, Region, Target
from app.queries import backlog
from app.queries.locks import lock_tally_compaction
from app.queries.reference import indicator_name_matches

GoalModel = TypeVar("GoalModel", Target, Plan)


def goals_query(
    model: type[GoalModel],
    *,
    region: str | None = None,
    indicator: str | None = None,
    q: str | None = None,
    include_retired: bool = False,
) -> Select[GoalModel, Indicator, Region]:
    stmt = (
        select(model, Indicator, Region)
        .join(Indicator, Indicator.code == model.indicator_code)
        .join(Region, Region.code == model.region_code)
    )
    if region:
        stmt = stmt.where(model.region_code == region)
    if indicator:
        stmt = stmt.where(model.indicator_code == indicator)
    if q:
        stmt = stmt.where(indicator_name_matches(q))
    if not include_retired:
        stmt = stmt.where(model.retired_at.is_(None))
    return stmt.order_by(model.id)


def fetch(
    session: Session, stmt: Select[GoalModel, Indicator, Region]
) -> Sequence[Row[GoalModel, Indicator, Region]]:
    return session.execute(stmt).all()


def any_goal(
    session: Session, model: type[GoalModel], stmt: Select[GoalModel, Indicator, Region]
) -> bool:
    """Whether ``stmt`` selects at least one goal (one cheap probe)."""
    return session.scalar(stmt.order_by(None).with_only_columns(model.id).limit(1)) is not None


def get(session: Session, model: type[Target] | type[Plan], goal_id: int) -> Target | Plan | None:
    if model is Target:
        return session.get(Target, goal_id)
    return session.get(Plan, goal_id)


def one_with_staleness(
    session: Session, model: type[GoalModel], goal_id: int
) -> Row[GoalModel, Indicator, Region, bool] | None:
    """One goal (retired or not) with its indicator, region and whether its stored read is
    stale, in one statement: the stored read and its staleness from one snapshot."""
    stmt = (
        goals_query(model, include_retired=True)
        .where(model.id == goal_id)
        .add_columns(backlog.is_stale(model))
        .execution_options(populate_existing=True)
    )
    return session.execute(stmt).first()


class StoredRow(NamedTuple):
    """A goal's stored read with what is joined in at read time, and the page's total."""

    id: int
    read_json: str | None
    indicator_code: str
    indicator_name: str
    indicator_unit: str
    region_code: str
    region_name: str
    stale: bool
    total: int


def stored_page(
    session: Session,
    model: type[Target] | type[Plan],
    stmt: Select[Any, Indicator, Region],
    limit: int,
    offset: int,
) -> list[StoredRow]:
    """One page of ``stmt``'s goals as plain columns: the stored read, whether it is stale
    (its series in the backlog) and the total, all from one statement, hence one snapshot:
    a refresher committing meanwhile is seen whole or not at all."""
    columns = stmt.with_only_columns(*_stored_columns(model), func.count().over())
    return [StoredRow(*row) for row in session.execute(columns.limit(limit).offset(offset))]


class PageShape(NamedTuple):
    """Which filters a plain page of goals has (each value a bound parameter): one
    statement, built once, per shape."""

    model: type[Target] | type[Plan]
    region: bool
    indicator: bool
    year: bool
    include_retired: bool


@cache
def _page_statement(shape: PageShape) -> Select[*tuple[Any, ...]]:
    model: Any = shape.model
    stmt = goals_query(model, include_retired=shape.include_retired).with_only_columns(
        *_stored_columns(model), func.count().over()
    )
    if shape.region:
        stmt = stmt.where(model.region_code == bindparam("region"))
    if shape.indicator:
        stmt = stmt.where(model.indicator_code == bindparam("indicator"))
    if shape.year:
        stmt = stmt.where(backlog.end_year(model) == bindparam("year", type_=Integer))
    return stmt.limit(bindparam("limit", type_=Integer)).offset(bindparam("offset", type_=Integer))


def stored_page_of_shape(
    session: Session, shape: PageShape, values: dict[str, Any], limit: int, offset: int
) -> list[StoredRow]:
    """``stored_page`` for a page whose filters are plain values (``values`` by name: region,
    indicator, year): the statement is built once per shape and run on the connection,
    without the ORM's per-statement work; still one statement, hence one snapshot."""
    result = session.connection().execute(
        _page_statement(shape), {**values, "limit": limit, "offset": offset}
    )
    return [StoredRow(*row) for row in result.all()]


class DirectStatement(NamedTuple):
    """A statement as psycopg's SQL text, and its bound parameters' fixed values, for a
    read that runs without the engine (app/direct_reads.py): the very statement the
    session would send, compiled once."""

    sql: str
    fixed: dict[str, Any]

    def params(self, values: dict[str, Any]) -> dict[str, Any]:
        return {**self.fixed, **values}


_PSYCOPG = PGDialect_psycopg()  # type: ignore[no-untyped-call]


def _direct(stmt: Select[*tuple[Any, ...]]) -> DirectStatement:
    compiled = stmt.compile(dialect=_PSYCOPG)
    return DirectStatement(str(compiled), dict(compiled.params))


@cache
def direct_page_statement(shape: PageShape) -> DirectStatement:
    """``stored_page_of_shape``'s statement, for a direct read (its rows are a StoredRow's)."""
    return _direct(_page_statement(shape))


@cache
def direct_detail_statement(model: type[Target] | type[Plan]) -> DirectStatement:
    """``stored_detail``'s statement, for a direct read (its rows are a StoredDetailRow's)."""
    return _direct(_detail_statement(model))


def _stored_columns(model: type[Target] | type[Plan]) -> tuple[Any, ...]:
    return (
        model.id,
        model.read_json,
        Indicator.code,
        Indicator.name,
        Indicator.unit,
        Region.code,
        Region.name,
        backlog.is_stale(model),
    )


class StoredDetailRow(NamedTuple):
    """A goal's stored read with its ETag's version, and one figure of its series (all
    None when it has none): a row of ``stored_detail``."""

    id: int
    version: int
    read_json: str | None
    indicator_code: str
    indicator_name: str
    indicator_unit: str
    region_code: str
    region_name: str
    stale: bool
    obs_id: int | None
    period: str | None
    value: Decimal | None
    unit: str | None
    stated_value: Decimal | None
    stated_unit: str | None
    yoy_growth: Decimal | None
    reported_completion_rate: Decimal | None
    document_code: str | None
    quote: str | None
    note: str | None
    revision: int | None
    recorded_at: datetime | None
    recorded_by: str | None
    state: str | None
    published_at: datetime | None
    reviewed_at: datetime | None
    reviewed_by: str | None
    review_reason: str | None


@cache
def _detail_statement(goal_model: type[Target] | type[Plan]) -> Select[*tuple[Any, ...]]:
    model: Any = goal_model
    o = Observation
    series = (
        (o.indicator_code == model.indicator_code)
        & (o.region_code == model.region_code)
        & (o.published_at <= bindparam("as_of", type_=o.published_at.type))
    )
    return (
        goals_query(model, include_retired=True)
        .with_only_columns(
            model.id,
            model.version,
            model.read_json,
            Indicator.code,
            Indicator.name,
            Indicator.unit,
            Region.code,
            Region.name,
            backlog.is_stale(model),
            o.id,
            o.period,
            o.value,
            o.unit,
            o.stated_value,
            o.stated_unit,
            o.yoy_growth,
            o.reported_completion_rate,
            o.document_code,
            o.quote,
            o.note,
            o.revision,
            o.recorded_at,
            o.recorded_by,
            o.state,
            o.published_at,
            o.reviewed_at,
            o.reviewed_by,
            o.review_reason,
        )
        .outerjoin(o, series)
        .where(model.id == bindparam("goal_id", type_=Integer))
        .order_by(None)
        .order_by(o.period, o.revision)
    )


def stored_detail(
    session: Session, model: type[Target] | type[Plan], goal_id: int, as_of: datetime
) -> list[StoredDetailRow]:
    """A goal (retired or not) with its stored read, whether it is stale, and every
    revision of its series published by ``as_of`` (a row each, by period and revision; one
    row of Nones without any): one statement of plain columns, hence one snapshot. No
    rows: no such goal."""
    result = session.connection().execute(
        _detail_statement(model), {"goal_id": goal_id, "as_of": as_of}
    )
    return [StoredDetailRow(*row) for row in result.all()]


def stored_batches(
    session: Session,
    model: type[Target] | type[Plan],
    stmt: Select[Any, Indicator, Region],
    size: int,
) -> Iterator[list[StoredRow]]:
    """Every goal ``stmt`` selects as the plain columns of a stored page (the total left
    at 0), ``size`` at a time by keyset on the id: an export reads 600,000 stored reads
    without hydrating a goal or holding more than a batch."""
    columns = stmt.order_by(None).with_only_columns(*_stored_columns(model), literal(0))
    last = 0
    while True:
        batch = [
            StoredRow(*row)
            for row in session.execute(
                columns.where(model.id > last).order_by(model.id).limit(size)
            )
        ]
        if not batch:
            return
        yield batch
        last = batch[-1].id


def store_reads(
    session: Session,
    model: type[Target] | type[Plan],
    reads: Sequence[tuple[int, str, str]],
    *,
    only_missing: bool = False,
    batch: int = 5_000,
) -> None:
    """Set (status, read_json) of each goal id, one executemany per ``batch`` goals.

    ``only_missing``: only where either is still empty (a fill on a read must not overwrite
    a newer block that a writer committed meanwhile)."""
    table = cast(Table, model.__table__)
    stmt = update(table).where(table.c.id == bindparam("b_id"))
    if only_missing:
        stmt = stmt.where(or_(table.c.read_json.is_(None), table.c.status.is_(None)))
    stmt = stmt.values(status=bindparam("b_status"), read_json=bindparam("b_read_json"))
    params = [
        {"b_id": goal_id, "b_status": status, "b_read_json": fragment}
        for goal_id, status, fragment in reads
    ]
    for start in range(0, len(params), batch):
        session.execute(stmt, params[start : start + batch])


def update_versioned(session: Session, goal: Target | Plan, values: dict[str, Any]) -> bool:
    """Compare-and-set: change the goal only if its version is still the one read."""
    model = type(goal)
    result = session.execute(
        update(model)
        .where(model.id == goal.id, model.version == goal.version)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    session.refresh(goal)
    return True


# The summary folds the tally's deltas into one row per group once it sums more rows
# than this: about 30,000 groups at national scale, plus what the writes since added.
COMPACT_TALLIES_AT = 100_000


def status_counts(
    session: Session, model: type[Target] | type[Plan], region: str | None
) -> tuple[Counter[str], int]:
    """Stored statuses of the goals in force (not retired), summed from the tally's
    deltas (app/models/tally.py); and how many delta rows that read."""
    tally = GoalStatusTally
    stmt = select(tally.status, func.sum(tally.n), func.count()).where(
        tally.kind == model.__tablename__
    )
    if region:
        stmt = stmt.where(tally.region_code == region)
    rows = session.execute(stmt.group_by(tally.status)).all()
    counts = Counter({status: int(n) for status, n, _ in rows if status is not None and n})
    return counts, sum(read for _, _, read in rows)


def compact_tallies(session: Session) -> None:
    """Fold the deltas into one row per (kind, region, status), in the caller's transaction.

    On Postgres, one statement deletes the rows it can see and inserts their sums. A delta
    a concurrent writer commits meanwhile is not among them and stays as it is. A second
    compaction waits on the first's lock, then finds nothing to do.
    """
    if session.get_bind().dialect.name == "postgresql":
        lock_tally_compaction(session)
        session.execute(
            text(
                "WITH gone AS (DELETE FROM goal_status_tally "
                "RETURNING kind, region_code, status, n) "
                "INSERT INTO goal_status_tally (kind, region_code, status, n) "
                "SELECT kind, region_code, status, sum(n) FROM gone "
                "GROUP BY kind, region_code, status HAVING sum(n) <> 0"
            )
        )
        return
    # SQLite: the caller's write transaction already excludes every other writer.
    tally = GoalStatusTally
    groups = (tally.kind, tally.region_code, tally.status)
    sums = session.execute(select(*groups, func.sum(tally.n)).group_by(*groups)).all()
    session.execute(delete(tally))
    rows = [
        {"kind": kind, "region_code": region, "status": status, "n": n}
        for kind, region, status, n in sums
        if n
    ]
    if rows:
        session.execute(insert(tally), rows)


def vacuum_tally(engine: Engine) -> None:
    """Postgres: rewrite the tally after a refresh compacted it.

    The compaction left a dead row per delta: 1.8 M after a national load, in a table whose
    live rows are 30,000. A plain VACUUM frees them but keeps the pages, which the
    summary's scan still reads (34 ms instead of 4); VACUUM FULL rewrites the few live
    rows, holding the table's lock for well under a second.
    """
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM (FULL, ANALYZE) goal_status_tally")
