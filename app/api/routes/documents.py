"""A new document: its figures proposed for a person to confirm (nothing stored), then the
document registered with the figures the person accepted (all or nothing)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from app.api.auth import AnalystKey
from app.api.deps import SessionDep, SettingsDep, UnitOfWorkDep
from app.api.routes.posting import DryRunQuery, IdempotencyHeader, read_body
from app.errors import AppError, FieldError, ValidationFailed
from app.schemas.common import ERROR_RESPONSES, ErrorBody
from app.schemas.extraction import ProposalList
from app.schemas.intake import DocumentCreate, IntakeResult
from app.services import extraction, intake, posting
from app.services.review import needs_review

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


DOCUMENT_CREATE_REF = {"$ref": "#/components/schemas/DocumentCreate"}
DOCUMENT_EXAMPLE: dict[str, Any] = {
    "code": "005_changshou_2024_h1",
    "title": "长寿区2024年上半年经济运行情况",
    "published_on": "2024-07-20",
    "region": "500115",
    "text": "上半年,全区实现地区生产总值450亿元,同比增长6.1%。",
    "items": [
        {
            "kind": "observation",
            "indicator": "gdp",
            "region": "500115",
            "period": "2024-H1",
            "value": 450,
            "unit": "亿元",
            "yoy_growth": 6.1,
            "quote": "全区实现地区生产总值450亿元,同比增长6.1%",
        }
    ],
}


def install_body_schemas(app: FastAPI) -> None:
    """List DocumentCreate (and its IntakeItem) in the schema's ``components``: the handler
    reads the body itself, so that every problem of every item is named ``items[i].field``
    in one answer, and FastAPI never lists the model."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        schema = build()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        if "DocumentCreate" not in components:
            model = DocumentCreate.model_json_schema(ref_template="#/components/schemas/{model}")
            for name, definition in model.pop("$defs", {}).items():
                components.setdefault(name, definition)
            components["DocumentCreate"] = model
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


@router.post(
    "/documents",
    summary="Register a document with the figures accepted from it; all or nothing",
    description=(
        "The document (`code`, `title`, `published_on`, `region`, optionally its `text`) "
        "and `items`: the proposals of `POST /api/v1/documents/extract` a person accepted, "
        "possibly edited. Observations are posted as `POST /api/v1/observations` posts "
        "them (revisions, plausibility warnings, review mode); targets and plans are created "
        "as the admin endpoints create them and need an admin key (a goal in force that "
        "another document states alike gains this document among its `sources` instead). "
        "Everything cites the new document. Any problem and nothing is stored: every one is "
        "named `items[i].field` (`i` from 0). With `text`, each `quote` must be an exact "
        "substring of it."
    ),
    status_code=201,
    response_model=IntakeResult,
    response_description="The document with its counts, what was stored, the warnings",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": DOCUMENT_CREATE_REF, "example": DOCUMENT_EXAMPLE}
            },
        }
    },
    responses={
        200: {"model": IntakeResult, "description": "`dry_run=true`: what would be stored"},
        400: {"model": ErrorBody, "description": "an empty Idempotency-Key header"},
        401: {"model": ErrorBody, "description": "no key, or an unknown or revoked key"},
        403: {
            "model": ErrorBody,
            "description": "`forbidden`: a target or plan with a key that is not an admin's; "
            "`region_forbidden`: a region outside the key's scope",
        },
        409: {
            "model": ErrorBody,
            "description": "`document_exists`: the code is taken; or an Idempotency-Key "
            "reused with another body",
        },
        413: {"model": ErrorBody, "description": "more than 10,000 items or 5 MB"},
        415: {"model": ErrorBody, "description": "a body that is not application/json"},
        429: {"model": ErrorBody, "description": "too many failed authentications; retry later"},
    },
)
async def register_document(
    request: Request,
    uow: UnitOfWorkDep,
    key: AnalystKey,
    settings: SettingsDep,
    dry_run: DryRunQuery = False,
    idempotency_key: IdempotencyHeader = None,
) -> Response:
    content_type = request.headers.get("content-type", "")
    media = content_type.split(";")[0].strip().lower()
    if media not in ("application/json", ""):
        raise AppError(
            f"content-type: send application/json, not '{media}'",
            415,
            "unsupported_media_type",
            [FieldError("content-type", f"send application/json, not '{media}'")],
        )
    body = await read_body(request, settings.max_body_bytes)
    registered = await run_in_threadpool(
        intake.register,
        uow,
        intake.Intake(
            body=body,
            key=key,
            max_items=settings.max_batch_rows,
            pending=needs_review(request.app.state.settings.publish_mode, key),
            dry_run=dry_run,
            idempotency_key=idempotency_key,
            fingerprint=posting.fingerprint(request.url.path, "application/json", body, False),
        ),
    )
    return Response(registered.body, status_code=registered.status, media_type="application/json")
