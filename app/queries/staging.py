"""A checked batch of figures stored on Postgres: COPY and set-based SQL.

Row by row from Python, a 10,000-row batch spent most of its time building JSON documents
and Revision tuples. Here the keys of the rows travel once (``COPY``) into a temporary
table dropped at commit; one statement numbers their revisions and finds the plausibility
outliers; then the rows themselves go by ``COPY`` into ``observation`` and their audit
entries into ``audit_entry``, as ``psql \\copy`` would load them. A batch is staged in parts
(rows numbered ``first`` to ``last``), so that the service can check the next part while
the database stores this one; a part is compared only with figures stored before its
batch (ids below ``before_id``), never with an earlier part. SQLite keeps the row-wise
path in app/services/posting.py; the same tests run against both, so the two readings of
the plausibility rule (``_outlier_warnings`` there, ``_OUTLIERS`` here) cannot drift apart
unnoticed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.domain.periods import SPAN_LIKE
from app.queries import backlog

STAGING = "incoming_observation"

# Columns of the staging table, in COPY order: what the revision and the comparison need.
STAGED_COLUMNS: tuple[tuple[str, str], ...] = (
    ("n", "integer"),  # the row number in the batch, from 1
    ("indicator_code", "text"),
    ("region_code", "text"),
    ("period", "text"),
    ("period_year", "integer"),
    ("period_end_month", "integer"),
    ("period_rank", "integer"),  # Period.sort_key's third part: M 0, Q 1, H 2, Y 3
    ("year_before", "text"),  # the same period a year earlier, a flow's comparable
    ("is_flow", "boolean"),
    ("value", "numeric"),
)

# The stored columns of a new observation and of its audit entry, in COPY order.
OBSERVATION_COLUMNS = (
    "id",
    "indicator_code",
    "region_code",
    "period",
    "period_year",
    "period_end_month",
    "revision",
    "value",
    "unit",
    "stated_value",
    "stated_unit",
    "yoy_growth",
    "reported_completion_rate",
    "document_code",
    "quote",
    "note",
    "recorded_at",
    "recorded_by",
    "state",
    "published_at",
)
AUDIT_COLUMNS = ("at", "actor", "action", "entity", "entity_id", "before", "after")

# The rank of a stored period's kind, from its text ('2023', '2023-H1', '2023-Q3',
# '2023-M07'), as Period.sort_key ranks it.
_PERIOD_RANK = (
    "CASE WHEN length(o.period) = 4 THEN 3 WHEN substr(o.period, 6, 1) = 'H' THEN 2 "
    "WHEN substr(o.period, 6, 1) = 'Q' THEN 1 ELSE 0 END"
)


def _latest_positive_level(years: str) -> str:
    """The latest period before the staged row's, among those ``years`` select, whose
    newest revision published by :now is positive."""
    return f"""
    SELECT newest.period, newest.value FROM (
        SELECT DISTINCT ON (o.period_year, o.period_end_month, {_PERIOD_RANK})
            o.period, o.value
        FROM observation o
        WHERE o.indicator_code = i.indicator_code AND o.region_code = i.region_code
          AND o.period_year <= i.period_year AND {years} AND o.published_at <= :now
          AND o.period NOT LIKE '{SPAN_LIKE}'
          AND o.id < :before_id
          AND (o.period_year, o.period_end_month, {_PERIOD_RANK})
              < (i.period_year, i.period_end_month, i.period_rank)
        ORDER BY o.period_year DESC, o.period_end_month DESC, {_PERIOD_RANK} DESC,
            o.revision DESC
    ) newest
    WHERE newest.value > 0
    LIMIT 1"""


# The outlier rule of app/domain/plausibility.py in SQL, for every staged row of a part at
# once (:factor is its OUTLIER_FACTOR). Each comparable figure is the newest revision
# published by :now of its period, and counts only when positive: the newest is taken
# first, then tested (a non-positive newest revision hides the older ones, as the domain's
# ``latest_earlier_positive`` reads the newest value of each period).
_OUTLIERS = f"""
SELECT i.n, c.period, c.value
FROM {STAGING} i
CROSS JOIN LATERAL (
    SELECT o.period, o.value FROM observation o
    WHERE o.indicator_code = i.indicator_code AND o.region_code = i.region_code
      AND o.period = i.year_before AND o.published_at <= :now AND o.id < :before_id
      AND o.period NOT LIKE '{SPAN_LIKE}'
    ORDER BY o.revision DESC LIMIT 1
) c
WHERE i.n BETWEEN :first AND :last AND i.is_flow AND c.value > 0 AND i.value > 0
  AND (i.value > :factor * c.value OR :factor * i.value < c.value)
UNION ALL
SELECT i.n, coalesce(recent.period, older.period), coalesce(recent.value, older.value)
FROM {STAGING} i
LEFT JOIN LATERAL ({_latest_positive_level("o.period_year >= i.period_year - 1")}) recent
    ON true
-- Further back only when the two years held nothing (a one-time filter skips the scan).
LEFT JOIN LATERAL ({
    _latest_positive_level("o.period_year < i.period_year - 1 AND recent.period IS NULL")
}) older ON true
WHERE i.n BETWEEN :first AND :last AND NOT i.is_flow AND i.value > 0
  AND coalesce(recent.value, older.value) IS NOT NULL
  AND (i.value > :factor * coalesce(recent.value, older.value)
       OR :factor * i.value < coalesce(recent.value, older.value))
"""

# A year-to-date flow's figure of the year so far (app/domain/plausibility.py
# ``year_so_far``): the latest earlier period of the same year whose newest revision
# recorded by :now is positive. Whether it is ``ytd_inconsistent`` the domain decides.
_YEAR_SO_FAR = f"""
    SELECT newest.period, newest.value FROM (
        SELECT DISTINCT ON (o.period_end_month, {_PERIOD_RANK}) o.period, o.value
        FROM observation o
        WHERE o.indicator_code = s.indicator_code AND o.region_code = s.region_code
          AND o.period_year = s.period_year AND o.period_end_month < s.period_end_month
          AND o.published_at <= :now AND o.id < :before_id
          AND o.period NOT LIKE '{SPAN_LIKE}'
        ORDER BY o.period_end_month DESC, {_PERIOD_RANK} DESC, o.revision DESC
    ) newest
    WHERE newest.value > 0
    LIMIT 1"""

# Each staged row of the part, in order: its revision (one more than the highest stored of
# its natural key); for an outlier, the comparable figure's period and value; for a flow,
# its figure of the year so far.
_CHECK = f"""
SELECT s.n,
    1 + COALESCE((SELECT max(o.revision) FROM observation o
        WHERE o.indicator_code = s.indicator_code AND o.region_code = s.region_code
          AND o.period = s.period), 0),
    outlier.period, outlier.value, so_far.period, so_far.value
FROM {STAGING} s
LEFT JOIN ({_OUTLIERS}) outlier (n, period, value) ON outlier.n = s.n
LEFT JOIN LATERAL ({_YEAR_SO_FAR}) so_far ON s.is_flow AND s.value IS NOT NULL
WHERE s.n BETWEEN :first AND :last
ORDER BY s.n
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


def _copy(
    session: Session, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def stage(session: Session, rows: Iterable[Sequence[Any]]) -> None:
    """Append ``rows`` (tuples in STAGED_COLUMNS order) to the staging table.

    Not analyzed: the plans are nested loops over the part's rows whatever their count,
    and an ANALYZE after each part would cost more than it could save.
    """
    _copy(session, STAGING, [name for name, _ in STAGED_COLUMNS], rows)


Checked = tuple[int, int, str | None, Decimal | None, str | None, Decimal | None]


def check(
    session: Session, part: tuple[int, int], before_id: int, now: datetime, factor: Decimal
) -> list[Checked]:
    """For each staged row of ``part`` (first and last row number): its revision and, if
    it is more than ``factor`` times, or less than 1/``factor`` of, the latest revision
    published by ``now`` of its comparable figure, that figure's period and value. The
    comparable figure of a flow is the same period a year before; of a level, the latest
    earlier period whose figure is positive. And for a flow, its figure of the year so far
    (period and value). Only figures with ids below ``before_id`` count."""
    found = session.execute(
        text(_CHECK),
        {"first": part[0], "last": part[1], "before_id": before_id, "now": now, "factor": factor},
    )
    return [
        (n, revision, period, value, so_far, so_far_value)
        for n, revision, period, value, so_far, so_far_value in found
    ]


def store(
    session: Session,
    observations: Iterable[Sequence[Any]],
    audit_entries: Iterable[Sequence[Any]],
) -> None:
    """COPY the rows (OBSERVATION_COLUMNS order) and their audit entries (AUDIT_COLUMNS)."""
    _copy(session, "observation", OBSERVATION_COLUMNS, observations)
    _copy(session, "audit_entry", AUDIT_COLUMNS, audit_entries)


def mark_stale(session: Session, part: tuple[int, int], marked_at: datetime) -> None:
    """Add the series of the staged rows of ``part`` to the backlog (app/queries/backlog.py)."""
    figures = (
        f"(SELECT indicator_code, region_code, period_year FROM {STAGING} "
        "WHERE n BETWEEN :first AND :last) AS part"
    )
    session.execute(
        text(f"WITH {backlog.marking(figures)} SELECT"),
        {"first": part[0], "last": part[1], "marked_at": marked_at},
    )


def drop(session: Session) -> None:
    """A second batch in the same transaction stages anew."""
    session.execute(text(f"DROP TABLE {STAGING}"))
