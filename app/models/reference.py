"""Reference data: the documents figures come from, regions and indicators."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base


class Document(Base):
    __tablename__ = "document"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    title_en: Mapped[str] = mapped_column(Text)
    issuer: Mapped[str] = mapped_column(Text)
    published_on: Mapped[date] = mapped_column(Date)
    date_note: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32))
    script: Mapped[str] = mapped_column(String(16))
    # The region the document is about, as registered through POST /documents (no foreign
    # key: see migration 0010; the service checks the code). Null for the seeded ones.
    region_code: Mapped[str | None] = mapped_column(String(32))
    # The full text, when it was sent at registration; the seeded documents' text is in
    # seeds/sources/. Loaded only when asked for: lists of documents never read it.
    text: Mapped[str | None] = mapped_column(Text, deferred=True)

    __table_args__ = (CheckConstraint("script IN ('simplified', 'traditional')", name="script"),)


class Region(Base):
    __tablename__ = "region"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    parent_code: Mapped[str | None] = mapped_column(
        ForeignKey("region.code", ondelete="RESTRICT"), index=True
    )


class Indicator(Base):
    __tablename__ = "indicator"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    name_en: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(32))
    measure: Mapped[str] = mapped_column(String(8))
    category: Mapped[str] = mapped_column(String(32), index=True)
    # The phrases the documents use for it besides its name, Simplified, joined by
    # ALIAS_SEPARATOR (one text column, so that a search is one LIKE); null when none.
    aliases: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (CheckConstraint("measure IN ('flow', 'level')", name="measure"),)

    @property
    def alias_list(self) -> list[str]:
        return split_aliases(self.aliases)


ALIAS_SEPARATOR = "|"


def split_aliases(joined: str | None) -> list[str]:
    return [a for a in (joined or "").split(ALIAS_SEPARATOR) if a]


def join_aliases(aliases: list[str]) -> str | None:
    return ALIAS_SEPARATOR.join(aliases) or None
