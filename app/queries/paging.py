"""Counting and paging any select: the one helper every list uses."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVarTuple

from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import Session

AnySelect = Select[*tuple[Any, ...]]
Columns = TypeVarTuple("Columns")


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
