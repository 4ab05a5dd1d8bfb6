"""Regions, indicators and documents."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.api.deps import PagingDep, SessionDep
from app.schemas.common import ERROR_RESPONSES, Page
from app.schemas.reference import DocumentRead, IndicatorRead, RegionRead
from app.services import reference

router = APIRouter(responses=ERROR_RESPONSES)


@router.get("/regions", summary="List regions with parent and children")
def list_regions(session: SessionDep, paging: PagingDep) -> Page[RegionRead]:
    return reference.region_page(session, paging.limit, paging.offset)


@router.get("/regions/{code}", summary="One region with parent and children")
def get_region(code: str, session: SessionDep) -> RegionRead:
    return reference.region(session, code)


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
    return reference.indicator_page(session, q_, category, paging.limit, paging.offset)


@router.get("/documents", summary="List source documents with how many figures each supplied")
def list_documents(session: SessionDep, paging: PagingDep) -> Page[DocumentRead]:
    return reference.document_page(session, paging.limit, paging.offset)


@router.get("/documents/{code}", summary="One source document with its figure counts")
def get_document(code: str, session: SessionDep) -> DocumentRead:
    return reference.document(session, code)
