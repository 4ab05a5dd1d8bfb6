"""Counts of goals in force by region and status, kept by database triggers as deltas.

Each insert, delete, or change of status, retirement or region on ``target`` or ``plan``
adds a row of +1 or -1 (migration 0006), whoever makes the change: the API, seed load,
``progress refresh``, psql. The summary sums these rows instead of counting 600,000
goals. ``compact_tallies`` folds the deltas into one row per group now and then. Rows are
only appended, so concurrent writers never wait on one another here.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base


class GoalStatusTally(Base):
    __tablename__ = "goal_status_tally"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    kind: Mapped[str] = mapped_column(String(10))  # the table: "target" or "plan"
    region_code: Mapped[str] = mapped_column(String(32))
    status: Mapped[str | None] = mapped_column(String(24))
    n: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_goal_status_tally_kind_region", "kind", "region_code"),)
