"""Each goal's status over time, rebuilt from the moments its figures became countable.

One row per interval of one status: from ``since`` (null: since always, before any figure)
until ``until`` (null: still now). A goal's status changes only when one of its series'
figures is published (``published_at``: recorded, or approved in review mode). Every
write that recomputes a goal's stored progress drops its timeline, and it is built again
from those moments off the write path (app/services/status_history.py). ``GET
/summary?as_of=T`` then counts the rows whose interval holds T instead of recomputing
600,000 goals, and computes only the goals without one. Only goals in force get rows;
``end_year`` and the series columns let a read leave out the goals whose series wait in
the backlog (app/models/backlog.py) and compute those from their figures.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.models.types import UTCDateTime


class GoalStatusHistory(Base):
    __tablename__ = "goal_status_history"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    kind: Mapped[str] = mapped_column(String(10))  # the table: "target" or "plan"
    goal_id: Mapped[int] = mapped_column(Integer)
    indicator_code: Mapped[str] = mapped_column(String(64))
    region_code: Mapped[str] = mapped_column(String(32))
    end_year: Mapped[int] = mapped_column(Integer)  # a target's end year, a plan's year
    status: Mapped[str] = mapped_column(String(24))
    since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    until: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index("ix_goal_status_history_goal", "kind", "goal_id"),
        Index("ix_goal_status_history_region", "kind", "region_code"),
        # The national count as of a moment reads only this (an index-only scan, in
        # status order): a third of the table's pages at scale 0.1.
        Index("ix_goal_status_history_as_of", "kind", "status", "since", "until"),
        Index("ix_goal_status_history_series", "indicator_code", "region_code"),
    )
