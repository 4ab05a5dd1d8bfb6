"""Series whose goals' stored progress is out of date: figures were posted with
``Prefer: return=minimal`` and their goals not yet recomputed.

One row per (indicator, region), with the earliest year of the figures posted since the
series was last recomputed: a goal of the series is stale when it ends in that year or
later (``depends_on_year``). Reads compute such goals from the figures instead of using
their stored block; the backlog refresher (app/services/backlog.py), the summary and
status filters recompute them under the series' locks and delete the row. Marking a
series is one narrow insert, where nulling the stored block of each goal cost about as
much as inserting the figures themselves.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.models.types import UTCDateTime, utc_now


class StaleSeries(Base):
    __tablename__ = "stale_series"

    indicator_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    from_year: Mapped[int] = mapped_column(Integer)
    # When the series joined the backlog (a later mark only moves from_year).
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
