"""Revisions of exact natural keys, as plain columns: what posting a batch needs to know.

Every filter here is on exact keys, never the cross product of ``IN`` lists. On Postgres
the keys travel as arrays and are joined through ``unnest`` (one statement, three bound
parameters, whatever the batch size); on SQLite they go as row-value ``IN`` lists in
chunks that stay under its bound-parameter limit.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, NamedTuple, cast

from sqlalchemy import (
    JSON,
    Integer,
    Select,
    String,
    Table,
    Text,
    bindparam,
    column,
    func,
    insert,
    select,
    true,
)
from sqlalchemy import cast as cast_
from sqlalchemy import tuple_ as sql_tuple
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.types import TypeEngine

from app.db import Base
from app.domain.periods import SPAN_LIKE
from app.models import Observation

# SQLite's historical limit is 999 bound parameters per statement (32,766 since 3.32);
# staying under the lower one keeps any build working.
SQLITE_MAX_PARAMS = 900
ROW_NUMBER = "row_number_"  # the key that orders a batch insert's rows

SeriesYear = tuple[str, str, int]
NaturalKey = tuple[str, str, str]


class Revision(NamedTuple):
    indicator_code: str
    region_code: str
    period: str
    revision: int
    value: Decimal | None


def _matching(
    session: Session,
    stmt: Select[*tuple[Any, ...]],
    columns: Sequence[InstrumentedAttribute[Any]],
    types: Sequence[TypeEngine[Any]],
    keys: Iterable[tuple[Any, ...]],
) -> Iterator[Any]:
    """The rows of ``stmt`` whose ``columns`` equal one of ``keys`` (each key once)."""
    wanted = sorted(set(keys))
    if not wanted:
        return
    if session.get_bind().dialect.name == "postgresql":
        # Keys as arrays, one statement; LATERAL ... OFFSET 0 keeps it a nested loop of
        # index probes (a plain join of the same set was planned as a sort of the table).
        arrays = [
            bindparam(f"key_{n}", [k[n] for k in wanted], type_=ARRAY(t))
            for n, t in enumerate(types)
        ]
        keyed = (
            func.unnest(*arrays)
            .table_valued(*(column(f"k{n}", t) for n, t in enumerate(types)))
            .render_derived("wanted")
        )
        found = (
            stmt.where(*(c == keyed.c[f"k{n}"] for n, c in enumerate(columns)))
            .offset(0)
            .lateral("found")
        )
        yield from session.execute(select(*found.c).select_from(keyed).join(found, true()))
        return
    per_chunk = max(1, SQLITE_MAX_PARAMS // len(columns))
    for start in range(0, len(wanted), per_chunk):
        chunk = wanted[start : start + per_chunk]
        yield from session.execute(stmt.where(sql_tuple(*columns).in_(chunk)))


def top_revisions(session: Session, keys: Iterable[NaturalKey]) -> dict[NaturalKey, int]:
    """The highest revision recorded so far of each natural key that has one (pending and
    rejected figures included: a revision number is taken when a figure is posted)."""
    stmt = select(
        Observation.indicator_code,
        Observation.region_code,
        Observation.period,
        func.max(Observation.revision),
    ).group_by(Observation.indicator_code, Observation.region_code, Observation.period)
    rows = _matching(
        session,
        stmt,
        (Observation.indicator_code, Observation.region_code, Observation.period),
        (String(), String(), String()),
        keys,
    )
    return {(i, r, p): n for i, r, p, n in rows}


def _revisions() -> Select[str, str, str, int, Decimal | None]:
    """The figures a new one is compared with: never a span of years (``2018-2022``),
    which is history and no comparable figure (DESIGN v1.1)."""
    return select(
        Observation.indicator_code,
        Observation.region_code,
        Observation.period,
        Observation.revision,
        Observation.value,
    ).where(Observation.period.not_like(SPAN_LIKE))


def revisions_of_keys(
    session: Session, as_of: datetime, keys: Iterable[NaturalKey]
) -> list[Revision]:
    """Every revision published by ``as_of`` of the given natural keys."""
    rows = _matching(
        session,
        _revisions().where(Observation.published_at <= as_of),
        (Observation.indicator_code, Observation.region_code, Observation.period),
        (String(), String(), String()),
        keys,
    )
    return [Revision(*row) for row in rows]


def revisions_in_years(
    session: Session, as_of: datetime, wanted: Iterable[SeriesYear]
) -> list[Revision]:
    """Every revision published by ``as_of`` of every period of the given series and years."""
    rows = _matching(
        session,
        _revisions().where(Observation.published_at <= as_of),
        (Observation.indicator_code, Observation.region_code, Observation.period_year),
        (String(), String(), Integer()),
        wanted,
    )
    return [Revision(*row) for row in rows]


def revisions_before(
    session: Session, as_of: datetime, pairs: Iterable[tuple[str, str]], before_year: int
) -> list[Revision]:
    """Every revision published by ``as_of`` of the given series, years before ``before_year``."""
    rows = _matching(
        session,
        _revisions().where(
            Observation.published_at <= as_of, Observation.period_year < before_year
        ),
        (Observation.indicator_code, Observation.region_code),
        (String(), String()),
        pairs,
    )
    return [Revision(*row) for row in rows]


def latest(revisions: Iterable[Revision]) -> dict[NaturalKey, Revision]:
    """The newest revision of each natural key among ``revisions``."""
    newest: dict[NaturalKey, Revision] = {}
    for rev in revisions:
        key = (rev.indicator_code, rev.region_code, rev.period)
        seen = newest.get(key)
        if seen is None or rev.revision > seen.revision:
            newest[key] = rev
    return newest


def _json_value(value: object) -> object:
    """How a value travels inside the JSON document: as Postgres's input for its column."""
    if isinstance(value, Decimal):
        return str(value)  # what the driver sends for a Decimal: exact, NUMERIC parses it
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
    raise TypeError(f"cannot send {type(value).__name__} in a batch insert")


def insert_rows(session: Session, entity: type[Base], rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` (dicts with the same keys) in one go; their new ids, in row order.

    Postgres gets one statement and one parameter: the rows as a JSON document, read back
    with ``json_to_recordset`` into the columns' own types, ``INSERT … SELECT … ORDER BY``
    the row number. (SQLAlchemy's insertmanyvalues would send one parameter per value,
    170,000 for 10,000 observations, and the driver parses such statements in Python.)
    JSON columns are serialised as SQLAlchemy would (so ``None`` is JSON ``null``) and cast
    back. The ids come from the sequence in insertion order, so sorting them gives them in
    row order: the assumption SQLAlchemy's ``sort_by_parameter_order`` makes on Postgres.
    Elsewhere: insertmanyvalues (multi-row ``VALUES`` pages, ``RETURNING`` in row order).
    """
    if not rows:
        return []
    table = cast(Table, entity.__table__)
    names = list(rows[0])
    dialect = session.get_bind().dialect
    if dialect.name != "postgresql":
        return list(
            session.scalars(
                insert(table).returning(table.c.id, sort_by_parameter_order=True), list(rows)
            )
        )
    serialise = getattr(dialect, "_json_serializer", None) or json.dumps
    json_columns = {n for n in names if isinstance(table.c[n].type, JSON)}

    def wire_type(name: str) -> TypeEngine[Any]:
        kind = table.c[name].type
        # No length limits on the way in: the table's own columns enforce them.
        return Text() if name in json_columns or isinstance(kind, String) else kind

    records = [
        {
            **{n: serialise(row[n]) if n in json_columns else row[n] for n in names},
            ROW_NUMBER: number,
        }
        for number, row in enumerate(rows)
    ]
    document = json.dumps(records, default=_json_value)
    source = (
        func.json_to_recordset(cast_(bindparam("rows", document, type_=Text), JSON))
        .table_valued(*(column(n, wire_type(n)) for n in names), column(ROW_NUMBER, Integer))
        .render_derived("source", with_types=True)
    )
    values = [
        cast_(source.c[n], table.c[n].type) if n in json_columns else source.c[n] for n in names
    ]
    ordered = select(*values).order_by(source.c[ROW_NUMBER])
    stmt = insert(table).from_select(names, ordered).returning(table.c.id)
    return sorted(session.scalars(stmt))
