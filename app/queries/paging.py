"""Counting and paging any select: the one helper every list uses."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Protocol, TypeVar, TypeVarTuple

from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

AnySelect = Select[*tuple[Any, ...]]
Columns = TypeVarTuple("Columns")


class _HasId(Protocol):
    id: int


Keyed = TypeVar("Keyed", bound=_HasId)


def count(session: Session, stmt: AnySelect) -> int:
    """Rows ``stmt`` selects, before any paging."""
    return session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0


def rows(
    session: Session, stmt: Select[*Columns], limit: int, offset: int
) -> Sequence[Row[*Columns]]:
    return session.execute(stmt.limit(limit).offset(offset)).all()


def entities(session: Session, stmt: AnySelect, limit: int, offset: int) -> Sequence[Any]:
    """One page of the first column's objects (``select(Model)``)."""
    return session.scalars(stmt.limit(limit).offset(offset)).all()


def keyset_batches(
    session: Session,
    stmt: Select[Keyed, *Columns],
    id_column: InstrumentedAttribute[int],
    size: int,
) -> Iterator[Sequence[Row[Keyed, *Columns]]]:
    """Every row ``stmt`` selects (its first entity keyed by ``id_column``), ``size`` at a
    time by keyset on the id: later batches never skip rows that an earlier batch's update
    took out of ``stmt``'s filter, and each batch's objects leave the session once handed
    on, so hundreds of thousands of rows never sit in its identity map together."""
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
