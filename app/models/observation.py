"""Progress figures. Each post of a natural key adds a revision; a figure's values are
never updated, only its publication state (``pending`` -> ``published`` or ``rejected``)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.models.types import ExactDecimal, UTCDateTime, utc_now

STATES = ("published", "pending", "rejected")


def _published_default(context: DefaultExecutionContext) -> datetime | None:
    """A row inserted without ``published_at`` is published when it is recorded (seeds,
    rows built by hand); a pending row names ``published_at=None`` itself."""
    params = context.get_current_parameters()  # type: ignore[no-untyped-call]
    if params.get("state", "published") != "published":
        return None
    recorded: datetime | None = params.get("recorded_at")
    return recorded or utc_now()


class Observation(Base):
    __tablename__ = "observation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    indicator_code: Mapped[str] = mapped_column(ForeignKey("indicator.code", ondelete="RESTRICT"))
    region_code: Mapped[str] = mapped_column(
        ForeignKey("region.code", ondelete="RESTRICT"), index=True
    )
    period: Mapped[str] = mapped_column(String(10))
    period_year: Mapped[int] = mapped_column(Integer)
    period_end_month: Mapped[int] = mapped_column(Integer)
    revision: Mapped[int] = mapped_column(Integer)
    value: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    unit: Mapped[str | None] = mapped_column(String(32))
    stated_value: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    stated_unit: Mapped[str | None] = mapped_column(String(32))
    yoy_growth: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    reported_completion_rate: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    document_code: Mapped[str | None] = mapped_column(
        ForeignKey("document.code", ondelete="RESTRICT"), index=True
    )
    quote: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    recorded_by: Mapped[str] = mapped_column(String(100))
    # Reads see a figure from ``published_at`` on: every as-of filter is on this column,
    # so a pending or rejected figure (NULL) is invisible without a filter of its own.
    state: Mapped[str] = mapped_column(String(16), default="published", server_default="published")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=_published_default)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_by: Mapped[str | None] = mapped_column(String(100))
    review_reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("indicator_code", "region_code", "period", "revision"),
        CheckConstraint("value IS NOT NULL OR yoy_growth IS NOT NULL", name="has_figure"),
        CheckConstraint("period_end_month BETWEEN 1 AND 12", name="end_month"),
        Index("ix_observation_series", "indicator_code", "region_code", "period_year"),
        CheckConstraint("state IN ('published', 'pending', 'rejected')", name="state"),
        CheckConstraint(
            "(state = 'published') = (published_at IS NOT NULL)", name="published_when_published"
        ),
        # The review queue (GET /observations?state=pending): only the few undecided or
        # rejected rows are indexed, so the published majority costs it nothing.
        Index(
            "ix_observation_unpublished",
            "region_code",
            postgresql_where=text("state <> 'published'"),
            sqlite_where=text("state <> 'published'"),
        ),
    )
