"""Queries on documents, regions and indicators."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from datetime import date

from sqlalchemy import ColumnElement, Select, func, literal, or_, select, union_all
from sqlalchemy.orm import Session, aliased

from app.models import Document, Indicator, Observation, Plan, Region, Target
from app.text import like_pattern, normalise_query, query_variants


def indicator_name_matches(q: str) -> ColumnElement[bool]:
    """``q`` against Simplified names and aliases (a Traditional query is folded first, and
    tried in every spelling its standard abbreviations give it) and English names."""
    folded = normalise_query(q)
    chinese = [
        column.like(like_pattern(variant.lower()), escape="\\")
        for variant in query_variants(folded)
        for column in (func.lower(Indicator.name), func.lower(Indicator.aliases))
    ]
    return or_(
        *chinese,
        func.lower(Indicator.name_en).like(like_pattern(folded.lower()), escape="\\"),
        Indicator.code.like(like_pattern(folded.lower()), escape="\\"),
    )


def regions(session: Session) -> Sequence[Region]:
    return session.scalars(select(Region).order_by(Region.code)).all()


def region(session: Session, code: str) -> Region | None:
    return session.get(Region, code)


def family(session: Session, code: str) -> tuple[Region | None, list[Region], list[Region]]:
    """A region, its ancestors (top first) and its children: two statements that read
    those rows only (the ancestors by a recursive query up the tree), never every region."""
    start = select(Region.code, Region.parent_code, literal(0).label("depth"))
    up = start.where(Region.code == code).cte("up", recursive=True)
    parent = aliased(Region)
    up = up.union_all(
        select(parent.code, parent.parent_code, (up.c.depth + 1).label("depth"))
        .where(parent.code == up.c.parent_code)
        .where(up.c.depth < 64)  # a cycle in bad data ends here
    )
    line = session.execute(
        select(Region, up.c.depth).join(up, up.c.code == Region.code).order_by(up.c.depth)
    ).all()
    if not line:
        return None, [], []
    region = line[0][0]
    seen = {region.code}
    ancestors: list[Region] = []
    for ancestor, _ in line[1:]:
        if ancestor.code in seen:
            break
        seen.add(ancestor.code)
        ancestors.insert(0, ancestor)
    children = list(
        session.scalars(select(Region).where(Region.parent_code == code).order_by(Region.code))
    )
    return region, ancestors, children


def top_region(session: Session) -> str | None:
    """The region without a parent (重庆市 in the seeds); the first by code if several."""
    return session.scalar(
        select(Region.code).where(Region.parent_code.is_(None)).order_by(Region.code).limit(1)
    )


def indicator(session: Session, code: str) -> Indicator | None:
    return session.get(Indicator, code)


def document(session: Session, code: str) -> Document | None:
    return session.get(Document, code)


def document_text(session: Session, code: str) -> str | None:
    """The text kept with a registered document (the deferred column alone), or None."""
    text: str | None = session.scalar(select(Document.text).where(Document.code == code))
    return text


def publication_dates(session: Session) -> dict[str, date]:
    """Every document's date of issue, by code (a few rows: the documents)."""
    return {
        code: day for code, day in session.execute(select(Document.code, Document.published_on))
    }


# More codes than this and the whole table is read: cheaper than a long IN list, and under
# SQLite's oldest limit of bound parameters.
MAX_CODES_LISTED = 500


def indicators_by_code(
    session: Session, codes: Collection[str] | None = None
) -> dict[str, Indicator]:
    """These indicators (every one when ``codes`` is None or long), by code."""
    stmt = select(Indicator)
    if codes is not None and len(codes) <= MAX_CODES_LISTED:
        stmt = stmt.where(Indicator.code.in_(sorted(codes)))
    return {i.code: i for i in session.scalars(stmt)}


def regions_by_code(session: Session, codes: Collection[str] | None = None) -> dict[str, Region]:
    """These regions (every one when ``codes`` is None or long), by code."""
    stmt = select(Region)
    if codes is not None and len(codes) <= MAX_CODES_LISTED:
        stmt = stmt.where(Region.code.in_(sorted(codes)))
    return {r.code: r for r in session.scalars(stmt)}


def document_codes(session: Session) -> set[str]:
    return set(session.scalars(select(Document.code)))


def indicators_query(q: str | None, category: str | None) -> Select[Indicator]:
    stmt = select(Indicator)
    if q:
        stmt = stmt.where(indicator_name_matches(q))
    if category:
        stmt = stmt.where(Indicator.category == category)
    return stmt.order_by(Indicator.code)


def documents(session: Session) -> Sequence[Document]:
    return session.scalars(select(Document).order_by(Document.code)).all()


def figure_counts(session: Session, codes: Sequence[str]) -> dict[str, dict[str, int]]:
    """How many targets, plans and observations each document supplied: three grouped counts
    and the goals stated by several documents."""
    counts: dict[str, dict[str, int]] = {
        code: {"targets": 0, "plans": 0, "observations": 0} for code in codes
    }
    for name, model in (("targets", Target), ("plans", Plan), ("observations", Observation)):
        stmt = select(model.document_code, func.count()).where(model.document_code.in_(codes))
        if model is Observation:  # a pending or rejected figure is nobody's to count
            stmt = stmt.where(Observation.published_at.is_not(None))
        rows = session.execute(stmt.group_by(model.document_code)).all()
        for code, count in rows:
            if code is not None:
                counts[code][name] = count
    # A goal several documents state alike is counted for each of them (its first document
    # is its document_code, counted above): one more statement, over those goals only.
    several = union_all(
        *(
            select(literal(name), model.document_code, model.sources_json).where(
                model.sources_json.is_not(None)
            )
            for name, model in (("targets", Target), ("plans", Plan))
        )
    )
    for name, first, sources_json in session.execute(several):
        for code in {s["document"] for s in json.loads(sources_json or "[]")} - {first}:
            if code in counts:
                counts[code][name] += 1
    return counts


def parents(session: Session, codes: Collection[str]) -> dict[str, str | None]:
    """The parent of each of these regions that exists (None for a top region)."""
    found: dict[str, str | None] = {}
    wanted = sorted(codes)
    for start in range(0, len(wanted), MAX_CODES_LISTED):
        stmt = select(Region.code, Region.parent_code).where(
            Region.code.in_(wanted[start : start + MAX_CODES_LISTED])
        )
        found.update({code: parent for code, parent in session.execute(stmt)})
    return found


def within(codes: Collection[str]) -> Select[str]:
    """The codes of these regions and of every region below them (a recursive query)."""
    tree = select(Region.code).where(Region.code.in_(sorted(codes))).cte("scope", recursive=True)
    below = aliased(Region)
    tree = tree.union_all(select(below.code).where(below.parent_code == tree.c.code))
    return select(tree.c.code)
