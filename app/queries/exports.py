"""Every row a list selects, in keyset batches: the exports' reads (app/services/exports.py)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Row, Select
from sqlalchemy.orm import InstrumentedAttribute, Session

# Rows per statement: a batch's objects are all that an export holds at a time.
BATCH = 1000


def batches(
    session: Session,
    stmt: Select[Any, Any, Any],
    id_column: InstrumentedAttribute[int],
    size: int = BATCH,
) -> Iterator[Sequence[Row[Any, Any, Any]]]:
    """The rows ``stmt`` selects (its first entity keyed by ``id_column``), ``size`` at a
    time by keyset on the id, each batch let go of by the session once handed on."""
    last = 0
    while True:
        rows = session.execute(
            stmt.order_by(None).where(id_column > last).order_by(id_column).limit(size)
        ).all()
        if not rows:
            return
        yield rows
        last = rows[-1][0].id
        for row in rows:
            session.expunge(row[0])
