"""Regions, indicators and documents."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import func, select

from app.api.deps import PagingDep, SessionDep
from app.errors import NotFound
from app.models import Document, Indicator, Region
from app.queries import reference as q
from app.schemas.common import ERROR_RESPONSES, Page, RegionRef
from app.schemas.reference import DocumentRead, FigureCounts, IndicatorRead, RegionRead
from app.text import to_traditional

router = APIRouter(responses=ERROR_RESPONSES)


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


@router.get("/regions", summary="List regions with parent and children")
def list_regions(session: SessionDep, paging: PagingDep) -> Page[RegionRead]:
    regions = q.regions(session)
    by_code = {r.code: r for r in regions}
    items = [_region_read(r, by_code) for r in regions]
    return Page(
        items=items[paging.offset : paging.offset + paging.limit],
        total=len(items),
        limit=paging.limit,
        offset=paging.offset,
    )


@router.get("/regions/{code}", summary="One region with parent and children")
def get_region(code: str, session: SessionDep) -> RegionRead:
    regions = q.regions(session)
    by_code = {r.code: r for r in regions}
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


@router.get(
    "/indicators",
    summary="List indicators; `q` matches names and aliases, Simplified, Traditional or English",
)
def list_indicators(
    session: SessionDep,
    paging: PagingDep,
    q_: Annotated[
        str | None,
        Query(alias="q", max_length=200, description="substring of a name", examples=["高新技術"]),
    ] = None,
    category: Annotated[str | None, Query(max_length=64, examples=["science_technology"])] = None,
) -> Page[IndicatorRead]:
    stmt = q.indicators_query(q_, category)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.scalars(stmt.limit(paging.limit).offset(paging.offset)).all()
    return Page(
        items=[_indicator_read(r) for r in rows],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


@router.get("/documents", summary="List source documents with how many figures each supplied")
def list_documents(session: SessionDep, paging: PagingDep) -> Page[DocumentRead]:
    docs = q.documents(session)
    counts = q.figure_counts(session, [d.code for d in docs])
    items = [
        DocumentRead.model_validate({**_doc_fields(d), "figures": FigureCounts(**counts[d.code])})
        for d in docs
    ]
    return Page(
        items=items[paging.offset : paging.offset + paging.limit],
        total=len(items),
        limit=paging.limit,
        offset=paging.offset,
    )


@router.get("/documents/{code}", summary="One source document with its figure counts")
def get_document(code: str, session: SessionDep) -> DocumentRead:
    doc = session.get(Document, code)
    if doc is None:
        raise NotFound("document", code)
    counts = q.figure_counts(session, [code])
    return DocumentRead.model_validate(
        {**_doc_fields(doc), "figures": FigureCounts(**counts[code])}
    )


def _doc_fields(doc: Document) -> dict[str, object]:
    names = ("code", "title", "title_en", "issuer", "published_on", "date_note", "kind", "script")
    return {k: getattr(doc, k) for k in names}
