"""Regions, indicators and documents as the API reads them; the checks that a code exists."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from app.errors import NotFound, invalid
from app.models import Document, Indicator, Region
from app.queries import paging
from app.queries import reference as q
from app.schemas.common import Page, RegionRef
from app.schemas.reference import DocumentRead, FigureCounts, IndicatorRead, RegionRead
from app.text import to_traditional


def require_region(session: Session, code: str | None, field: str = "region") -> None:
    """A filter naming an unknown region is a 422, not an empty list."""
    if code is not None and q.region(session, code) is None:
        raise invalid(field, f"unknown region '{code}'")


def require_indicator(session: Session, code: str | None, field: str = "indicator") -> None:
    if code is not None and q.indicator(session, code) is None:
        raise invalid(field, f"unknown indicator '{code}'")


def _region_read(region: Region, by_code: dict[str, Region]) -> RegionRead:
    parent = by_code.get(region.parent_code) if region.parent_code else None
    children = [r for r in by_code.values() if r.parent_code == region.code]
    return RegionRead(
        code=region.code,
        name=region.name,
        name_en=region.name_en,
        kind=region.kind,
        parent=None if parent is None else RegionRef.model_validate(parent),
        children=[RegionRef.model_validate(c) for c in sorted(children, key=lambda r: r.code)],
    )


def region_page(session: Session, limit: int, offset: int) -> Page[RegionRead]:
    regions = q.regions(session)
    by_code = {r.code: r for r in regions}
    items = [_region_read(r, by_code) for r in regions]
    return Page(items=items[offset : offset + limit], total=len(items), limit=limit, offset=offset)


def region(session: Session, code: str) -> RegionRead:
    by_code = {r.code: r for r in q.regions(session)}
    if code not in by_code:
        raise NotFound("region", code)
    return _region_read(by_code[code], by_code)


def _indicator_read(indicator: Indicator) -> IndicatorRead:
    return IndicatorRead(
        code=indicator.code,
        name=indicator.name,
        name_traditional=to_traditional(indicator.name),
        name_en=indicator.name_en,
        aliases=indicator.alias_list,
        unit=indicator.unit,
        measure=indicator.measure,
        category=indicator.category,
    )


def indicator_page(
    session: Session, q_: str | None, category: str | None, limit: int, offset: int
) -> Page[IndicatorRead]:
    stmt = q.indicators_query(q_, category)
    return Page(
        items=[_indicator_read(r) for r in paging.entities(session, stmt, limit, offset)],
        total=paging.count(session, stmt),
        limit=limit,
        offset=offset,
    )


def _document_read(
    doc: Document, counts: dict[str, int], regions: dict[str, Region]
) -> DocumentRead:
    names = ("code", "title", "title_en", "issuer", "published_on", "date_note", "kind", "script")
    fields = {k: getattr(doc, k) for k in names}
    region = regions.get(doc.region_code) if doc.region_code else None
    return DocumentRead.model_validate(
        {
            **fields,
            "region": None if region is None else RegionRef.model_validate(region),
            "figures": FigureCounts(**counts),
        }
    )


def _regions_of(session: Session, docs: Sequence[Document]) -> dict[str, Region]:
    codes = {d.region_code for d in docs if d.region_code}
    return q.regions_by_code(session, codes) if codes else {}


def document_page(session: Session, limit: int, offset: int) -> Page[DocumentRead]:
    docs = q.documents(session)
    counts = q.figure_counts(session, [d.code for d in docs])
    regions = _regions_of(session, docs)
    items = [_document_read(d, counts[d.code], regions) for d in docs]
    return Page(items=items[offset : offset + limit], total=len(items), limit=limit, offset=offset)


def document(session: Session, code: str) -> DocumentRead:
    doc = q.document(session, code)
    if doc is None:
        raise NotFound("document", code)
    return _document_read(doc, q.figure_counts(session, [code])[code], _regions_of(session, [doc]))
