"""Progress figures. Never updated: each post of a natural key adds a revision."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.models.types import ExactDecimal, UTCDateTime, utc_now


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

    __table_args__ = (
        UniqueConstraint("indicator_code", "region_code", "period", "revision"),
        CheckConstraint("value IS NOT NULL OR yoy_growth IS NOT NULL", name="has_figure"),
        CheckConstraint("period_end_month BETWEEN 1 AND 12", name="end_month"),
        Index("ix_observation_series", "indicator_code", "region_code", "period_year"),
    )
