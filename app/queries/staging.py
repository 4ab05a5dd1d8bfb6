"""A checked batch of figures stored on Postgres: COPY into a staging table, then set-based SQL.

Row by row from Python, a 10,000-row batch spent most of its time building JSON documents
and Revision tuples; here the rows travel once (``COPY``) into a temporary table dropped
at commit, and two statements do the rest: the plausibility comparison, then the revision
numbers with the inserts into ``observation`` and ``audit_entry``. A batch is staged in
parts (rows numbered ``first`` to ``last``), so that the service can check the next part
while the database stores this one; a part is compared only with figures stored before
its batch (ids below ``before_id``), never with an earlier part. SQLite keeps the row-wise
path in app/services/posting.py; the same tests run against both, so the two readings of
the plausibility rule (``_outlier_warnings`` there, ``outliers`` here) cannot drift apart
unnoticed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.queries import backlog

STAGING = "incoming_observation"

# Columns of the staging table, in COPY order. Numbers travel as text (Python's exact
# ``format(value, "f")``): the audit snapshot quotes them as strings, exactly so.
STAGED_COLUMNS: tuple[tuple[str, str], ...] = (
    ("n", "integer"),  # the row number in the batch, from 1
    ("id", "integer"),  # the observation's id, drawn from its sequence beforehand
    ("indicator_code", "text"),
    ("region_code", "text"),
    ("period", "text"),
    ("period_year", "integer"),
    ("period_end_month", "integer"),
    ("period_rank", "integer"),  # Period.sort_key's third part: M 0, Q 1, H 2, Y 3
    ("year_before", "text"),  # the same period a year earlier, a flow's comparable
    ("is_flow", "boolean"),
    ("value", "text"),
    ("unit", "text"),
    ("stated_value", "text"),
    ("stated_unit", "text"),
    ("yoy_growth", "text"),
    ("reported_completion_rate", "text"),
    ("document_code", "text"),
    ("quote", "text"),
    ("note", "text"),
)

# The rank of a stored period's kind, from its text ('2023', '2023-H1', '2023-Q3',
# '2023-M07'), as Period.sort_key ranks it.
_PERIOD_RANK = (
    "CASE WHEN length(o.period) = 4 THEN 3 WHEN substr(o.period, 6, 1) = 'H' THEN 2 "
    "WHEN substr(o.period, 6, 1) = 'Q' THEN 1 ELSE 0 END"
)


def _latest_positive_level(years: str) -> str:
    """The latest period before the staged row's, among those ``years`` select, whose
    newest revision recorded by :now is positive."""
    return f"""
    SELECT newest.period, newest.value FROM (
        SELECT DISTINCT ON (o.period_year, o.period_end_month, {_PERIOD_RANK})
            o.period, o.value
        FROM observation o
        WHERE o.indicator_code = i.indicator_code AND o.region_code = i.region_code
          AND o.period_year <= i.period_year AND {years} AND o.recorded_at <= :now
          AND o.id < :before_id
          AND (o.period_year, o.period_end_month, {_PERIOD_RANK})
              < (i.period_year, i.period_end_month, i.period_rank)
        ORDER BY o.period_year DESC, o.period_end_month DESC, {_PERIOD_RANK} DESC,
            o.revision DESC
    ) newest
    WHERE newest.value > 0
    LIMIT 1"""


# Each comparable figure is the newest revision recorded by :now of its period, and counts
# only when positive: the newest is taken first, then tested (a non-positive newest
# revision hides the older ones, as in the row-wise reading).
_OUTLIERS = f"""
SELECT i.n, c.period, c.value
FROM {STAGING} i
CROSS JOIN LATERAL (
    SELECT o.period, o.value FROM observation o
    WHERE o.indicator_code = i.indicator_code AND o.region_code = i.region_code
      AND o.period = i.year_before AND o.recorded_at <= :now AND o.id < :before_id
    ORDER BY o.revision DESC LIMIT 1
) c
WHERE i.n BETWEEN :first AND :last AND i.is_flow AND c.value > 0 AND CAST(i.value AS numeric) > 0
  AND (CAST(i.value AS numeric) > :factor * c.value OR :factor * CAST(i.value AS numeric) < c.value)
UNION ALL
SELECT i.n, coalesce(recent.period, older.period), coalesce(recent.value, older.value)
FROM {STAGING} i
LEFT JOIN LATERAL ({_latest_positive_level("o.period_year >= i.period_year - 1")}) recent
    ON true
-- Further back only when the two years held nothing (a one-time filter skips the scan).
LEFT JOIN LATERAL ({
    _latest_positive_level("o.period_year < i.period_year - 1 AND recent.period IS NULL")
}) older ON true
WHERE i.n BETWEEN :first AND :last AND NOT i.is_flow AND CAST(i.value AS numeric) > 0
  AND coalesce(recent.value, older.value) IS NOT NULL
  AND (CAST(i.value AS numeric) > :factor * coalesce(recent.value, older.value)
       OR :factor * CAST(i.value AS numeric) < coalesce(recent.value, older.value))
ORDER BY 1
"""

_NUMERIC = ("value", "stated_value", "yoy_growth", "reported_completion_rate")
_STORED = (
    "id",
    "indicator_code",
    "region_code",
    "period",
    "period_year",
    "period_end_month",
    "revision",
    *_NUMERIC,
    "unit",
    "stated_unit",
    "document_code",
    "quote",
    "note",
    "recorded_at",
    "recorded_by",
)


def _source_expression(column: str) -> str:
    if column in _NUMERIC:
        return f"CAST(i.{column} AS numeric)"
    if column in ("recorded_at", "recorded_by"):
        return f":{column}"
    return f"i.{column}"


# The audit entry's ``after``: observation_snapshot (app/services/posting.py) in SQL.
_SNAPSHOT = (
    "json_build_object('indicator', i.indicator_code, 'region', i.region_code, "
    "'period', i.period, 'revision', i.revision, 'value', i.value, 'unit', i.unit, "
    "'stated_value', i.stated_value, 'stated_unit', i.stated_unit, "
    "'yoy_growth', i.yoy_growth, 'reported_completion_rate', i.reported_completion_rate, "
    "'document', i.document_code, 'note', i.note)"
)

# Each row's revision: one more than the highest stored of its natural key. {backlog}: the
# backlog's marking CTEs, for a post that leaves its goals to the backlog.
_INSERT = f"""
WITH i AS MATERIALIZED (
    SELECT s.*, 1 + COALESCE((SELECT max(o.revision) FROM observation o
        WHERE o.indicator_code = s.indicator_code AND o.region_code = s.region_code
          AND o.period = s.period), 0) AS revision
    FROM {STAGING} s
    WHERE s.n BETWEEN :first AND :last
), {{backlog}}ins AS (
    INSERT INTO observation ({", ".join(_STORED)})
    SELECT {", ".join(_source_expression(c) for c in _STORED)} FROM i
), audit AS (
    INSERT INTO audit_entry (at, actor, action, entity, entity_id, before, after)
    SELECT :recorded_at, :recorded_by, 'create', 'observation', i.id, NULL, {_SNAPSHOT}
    FROM i
)
SELECT revision FROM i ORDER BY n
"""


def observation_ids(session: Session, count: int) -> list[int]:
    """``count`` new observation ids, ascending: drawn before the rows are staged, so that
    every row knows its id without joining the inserted rows back."""
    drawn = session.scalar(
        text(
            # The sequence looked up once: per row, the lookup cost five times the draw.
            "SELECT array_agg(nextval(seq)) FROM generate_series(1, :count), "
            "CAST(pg_get_serial_sequence('observation', 'id') AS regclass) AS seq"
        ),
        {"count": count},
    )
    return sorted(drawn or [])


def create(session: Session) -> None:
    """A fresh staging table for one batch (``drop`` when done)."""
    session.execute(
        text(
            f"CREATE TEMPORARY TABLE {STAGING} "
            f"({', '.join(f'{name} {kind}' for name, kind in STAGED_COLUMNS)}) ON COMMIT DROP"
        )
    )


def stage(session: Session, rows: Sequence[Sequence[Any]]) -> None:
    """Append ``rows`` (tuples in STAGED_COLUMNS order) to the staging table.

    Not analyzed: the plans are nested loops over the part's rows whatever their count,
    and an ANALYZE after each part would cost more than it could save.
    """
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    columns = ", ".join(name for name, _ in STAGED_COLUMNS)
    with cursor.copy(f"COPY {STAGING} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def outliers(
    session: Session, part: tuple[int, int], before_id: int, now: datetime, factor: Decimal
) -> list[tuple[int, str, Decimal]]:
    """Staged rows of ``part`` (first and last row number) more than ``factor`` times, or
    less than 1/``factor`` of, the latest revision recorded by ``now`` of their comparable
    figure: for a flow the same period a year before, for a level the latest earlier
    period whose figure is positive. Only figures with ids below ``before_id`` count."""
    found = session.execute(
        text(_OUTLIERS),
        {"first": part[0], "last": part[1], "before_id": before_id, "now": now, "factor": factor},
    )
    return [(n, period, value) for n, period, value in found]


def insert_staged(
    session: Session,
    part: tuple[int, int],
    recorded_at: datetime,
    recorded_by: str,
    *,
    mark_stale: bool,
) -> list[int]:
    """Store the staged rows of ``part`` as new revisions, each with its audit entry; the
    revision of each, in row order. ``mark_stale``: the same statement adds their series
    to the backlog (app/queries/backlog.py)."""
    statement = _INSERT.replace("{backlog}", f"{backlog.marking('i')}, " if mark_stale else "")
    return list(
        session.scalars(
            text(statement),
            {
                "first": part[0],
                "last": part[1],
                "recorded_at": recorded_at,
                "recorded_by": recorded_by,
                "marked_at": recorded_at,
            },
        )
    )


def drop(session: Session) -> None:
    """A second batch in the same transaction stages anew."""
    session.execute(text(f"DROP TABLE {STAGING}"))
