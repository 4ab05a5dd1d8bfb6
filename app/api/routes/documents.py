"""A new document's figures proposed for a person to confirm; nothing is stored."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from app.api.auth import AnalystKey
from app.api.deps import SessionDep
from app.errors import FieldError, ValidationFailed
from app.schemas.common import ERROR_RESPONSES, ErrorBody
from app.schemas.extraction import ProposalList
from app.services import extraction

router = APIRouter(responses=ERROR_RESPONSES)

DocumentKind = Literal["action_plan", "plan_execution_report", "work_report_digest", "article"]
# The document's UTF-8 bytes. Sent as text/plain (what curl --data-binary and a page send)
# or as application/octet-stream; only the latter is described, because client generators
# (openapi-python-client) skip an operation whose body is text/plain.
TEXT_BODY: dict[str, object] = {
    "requestBody": {
        "required": True,
        "description": "the document's text in UTF-8, as `text/plain` or "
        "`application/octet-stream`",
        "content": {
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


def _text(content_type: str, body: bytes) -> str:
    media = content_type.split(";")[0].strip().lower()
    if media not in ("text/plain", "application/octet-stream", ""):
        raise ValidationFailed(
            [FieldError("content-type", f"send the document as text/plain, not '{media}'")]
        )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(
            [FieldError("body", f"not UTF-8 text (byte {exc.start} cannot be decoded)")]
        ) from exc
    if not text.strip():
        raise ValidationFailed([FieldError("body", "the document is empty")])
    return text.removeprefix("\ufeff")


@router.post(
    "/documents/extract",
    summary="Propose the figures of a document (text/plain); nothing is stored",
    openapi_extra=TEXT_BODY,
    responses={
        401: {"model": ErrorBody, "description": "no key, or an unknown or revoked key"},
        403: {"model": ErrorBody, "description": "the key's role may not post"},
        413: {"model": ErrorBody, "description": "a body over 5 MB"},
    },
)
async def extract_document(
    request: Request,
    session: SessionDep,
    key: AnalystKey,
    region: Annotated[
        str, Query(max_length=32, description="the document's subject region")
    ] = "500000",
    year: Annotated[
        int | None,
        Query(
            ge=1949, le=2100, description="the year the document was written (default: its title)"
        ),
    ] = None,
    kind: Annotated[
        DocumentKind | None,
        Query(description="the kind of document (default: read from its title)"),
    ] = None,
) -> ProposalList:
    text = _text(request.headers.get("content-type", ""), await request.body())
    items = await run_in_threadpool(extraction.extract_document, session, text, region, year, kind)
    return ProposalList(items=items, total=len(items))
