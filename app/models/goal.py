"""Targets (multi-year goals) and plans (annual plan values): the same columns but the span."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.models.types import ExactDecimal, UTCDateTime, utc_now

BASIS_CHECK = "basis IN ('value', 'yoy', 'cagr', 'cumulative', 'change')"
COMPARATOR_CHECK = "comparator IN ('>=', '>', '<=', '<', '~')"


class GoalColumns:
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    indicator_code: Mapped[str] = mapped_column(
        ForeignKey("indicator.code", ondelete="RESTRICT"), index=True
    )
    region_code: Mapped[str] = mapped_column(
        ForeignKey("region.code", ondelete="RESTRICT"), index=True
    )
    basis: Mapped[str] = mapped_column(String(16))
    comparator: Mapped[str] = mapped_column(String(2))
    value: Mapped[Decimal] = mapped_column(ExactDecimal())
    unit: Mapped[str] = mapped_column(String(32))
    baseline_year: Mapped[int | None] = mapped_column(Integer)
    baseline_value: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    baseline_unit: Mapped[str | None] = mapped_column(String(32))
    stretch: Mapped[bool] = mapped_column(Boolean, default=False)
    document_code: Mapped[str | None] = mapped_column(
        ForeignKey("document.code", ondelete="RESTRICT"), index=True
    )
    quote: Mapped[str | None] = mapped_column(Text)
    # A goal several documents state alike: all of them, oldest first, as a JSON list of
    # {"document", "quote"} (the first is document_code and quote); null with one source.
    sources_json: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    seed_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    retired_reason: Mapped[str | None] = mapped_column(Text)
    # Status as of now, kept current on every write (app/services/stored_reads.py) so that
    # counts and status filters run in SQL; null until first computed.
    status: Mapped[str | None] = mapped_column(String(24))
    # The goal's read as of now (progress block included) as the API serialises it, less
    # its id, indicator and region, which are joined in at read time; kept current beside
    # ``status``, so a list of goals is answered without touching the observations.
    read_json: Mapped[str | None] = mapped_column(Text)


class Target(GoalColumns, Base):
    __tablename__ = "target"

    start_year: Mapped[int] = mapped_column(Integer)
    end_year: Mapped[int] = mapped_column(Integer, index=True)

    __table_args__ = (
        CheckConstraint(BASIS_CHECK, name="basis"),
        CheckConstraint(COMPARATOR_CHECK, name="comparator"),
        CheckConstraint("end_year >= start_year", name="span"),
        Index("ix_target_region_status", "region_code", "status"),
        Index("ix_target_status_retired", "status", "retired_at"),
    )


class Plan(GoalColumns, Base):
    __tablename__ = "plan"

    year: Mapped[int] = mapped_column(Integer, index=True)

    __table_args__ = (
        CheckConstraint(BASIS_CHECK, name="basis"),
        CheckConstraint(COMPARATOR_CHECK, name="comparator"),
        Index("ix_plan_region_status", "region_code", "status"),
        Index("ix_plan_status_retired", "status", "retired_at"),
    )
