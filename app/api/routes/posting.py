"""Analysts post figures: one JSON object or a JSON array, or a CSV or XLSX file to
``/observations/import``; a batch is all or nothing."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Header, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException

from app.api.auth import AnalystKey
from app.api.deps import SettingsDep, UnitOfWorkDep
from app.errors import AppError, FieldError, ValidationFailed
from app.schemas.common import ERROR_RESPONSES, ErrorBody
from app.schemas.posting import DryRunResult, PostResult, PostSummary
from app.schemas.write import OBSERVATION_EXAMPLE, ObservationCreate
from app.services import posting, render, spreadsheets
from app.services.posting import CSV_FIELDS, PayloadTooLarge, parse_json_rows
from app.services.review import needs_review
from app.services.spreadsheets import XLSX_MEDIA_TYPE

router = APIRouter(responses=ERROR_RESPONSES)


OBSERVATION_REF = {"$ref": "#/components/schemas/ObservationCreate"}


def install_body_schemas(app: FastAPI) -> None:
    """List ObservationCreate (and its SourceIn) in the schema's ``components``.

    The handler reads the body itself, so FastAPI never lists the model; the request body
    refers to it (a generated client needs the reference: an inline object inside a
    ``oneOf`` is not a type it can name)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        schema = build()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        if "ObservationCreate" not in components:
            model = ObservationCreate.model_json_schema(ref_template="#/components/schemas/{model}")
            for name, definition in model.pop("$defs", {}).items():
                components.setdefault(name, definition)
            components["ObservationCreate"] = model
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


POST_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "oneOf": [
                        OBSERVATION_REF,
                        {
                            "type": "array",
                            "items": OBSERVATION_REF,
                            "minItems": 1,
                            "maxItems": 10000,
                        },
                    ]
                },
                "example": OBSERVATION_EXAMPLE,
            },
        },
    }
}

# The generated clients know multipart and binary bodies; text/csv and the XLSX media type
# are read all the same (the description says so), only not listed: a generator that
# meets them skips the operation.
IMPORT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "a .csv (UTF-8 or GBK) or .xlsx file",
                        }
                    },
                    "required": ["file"],
                }
            },
            "application/octet-stream": {
                "schema": {"type": "string", "format": "binary"},
            },
        },
    }
}

CSV_EXAMPLE = (
    ",".join(CSV_FIELDS)
    + "\nkey_project_investment,500000,2023-Q3,3480,亿元,12.1,79.1,,,季度通报\n"
)


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refused with a 413 once it passes ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"the body is limited to {limit} bytes ({limit // 1024 // 1024} MB)")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(
                f"the body is limited to {limit} bytes ({limit // 1024 // 1024} MB)"
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _json_rows(content_type: str, body: bytes) -> list[Any]:
    media = content_type.split(";")[0].strip().lower()
    if media in ("application/json", ""):
        return parse_json_rows(body)[0]
    raise AppError(
        f"content-type: send application/json, not '{media}'; a CSV or XLSX file goes to "
        "POST /api/v1/observations/import",
        415,
        "unsupported_media_type",
        [
            FieldError(
                "content-type",
                f"send application/json, not '{media}'; files go to /api/v1/observations/import",
            )
        ],
    )


DryRunQuery = Annotated[
    bool,
    Query(
        description="check everything and answer what would be stored (200, a `DryRunResult`), "
        "storing nothing: no figures, no audit entry, no idempotency record"
    ),
]
IdempotencyHeader = Annotated[
    str | None, Header(max_length=200, description="retry-safe key for this request")
]
PreferHeader = Annotated[
    str | None,
    Header(
        max_length=200,
        description=(
            "`return=minimal` (RFC 7240): answer only the count, the ids and the warnings, "
            "and leave the goals of the posted series to be recomputed after the commit. "
            "Every read still shows their new progress at once. For bulk loads."
        ),
        examples=["return=minimal"],
    ),
]

WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"model": DryRunResult, "description": "`dry_run=true`: what would be stored, or why not"},
    400: {"model": ErrorBody, "description": "an empty Idempotency-Key header"},
    401: {"model": ErrorBody, "description": "no key, or an unknown or revoked key"},
    403: {"model": ErrorBody, "description": "the key's role may not post"},
    409: {"model": ErrorBody, "description": "Idempotency-Key reused with another body"},
    413: {"model": ErrorBody, "description": "more than 10,000 rows or 5 MB"},
    415: {"model": ErrorBody, "description": "a body of a media type this operation does not read"},
    429: {"model": ErrorBody, "description": "too many failed authentications; retry later"},
}


async def _send(uow: UnitOfWorkDep, post: posting.Post, minimal: bool) -> Response:
    posted = await run_in_threadpool(posting.post, uow, post)
    headers = {"Preference-Applied": "return=minimal"} if minimal and posted.status == 201 else None
    return Response(
        posted.body, status_code=posted.status, media_type="application/json", headers=headers
    )


def _refused_dry_run(rows: int, exc: ValidationFailed) -> Response:
    return Response(render.dry_run_json(rows, exc), media_type="application/json")


@router.post(
    "/observations",
    summary="Post one figure or a batch (JSON array); a batch is all or nothing",
    description="JSON only: a CSV or XLSX file goes to `POST /api/v1/observations/import`.",
    status_code=201,
    response_model=PostResult | PostSummary,
    response_description=(
        "A `PostResult`: the figures as stored and every goal of their series with its new "
        "progress; with `Prefer: return=minimal`, a `PostSummary`"
    ),
    openapi_extra=POST_BODY,
    responses=WRITE_RESPONSES,
)
async def post_observations(
    request: Request,
    uow: UnitOfWorkDep,
    key: AnalystKey,
    settings: SettingsDep,
    dry_run: DryRunQuery = False,
    idempotency_key: IdempotencyHeader = None,
    prefer: PreferHeader = None,
) -> Response:
    content_type = request.headers.get("content-type", "")
    body = await read_body(request, settings.max_body_bytes)
    minimal = _prefers_minimal(prefer)
    try:
        rows = _json_rows(content_type, body)
    except ValidationFailed as exc:
        if dry_run:
            return _refused_dry_run(0, exc)
        raise
    post = posting.Post(
        rows=rows,
        key=key,
        max_rows=settings.max_batch_rows,
        minimal=minimal,
        idempotency_key=idempotency_key,
        fingerprint=posting.fingerprint(request.url.path, content_type, body, minimal),
        pending=needs_review(request.app.state.settings.publish_mode, key),
        dry_run=dry_run,
    )
    return await _send(uow, post, minimal)


@router.post(
    "/observations/import",
    summary="Import a CSV or XLSX file of figures; all or nothing",
    description=(
        "The file as `multipart/form-data` (part `file`, as `curl -F file=@figures.xlsx` "
        "sends it) or as the raw body: `text/csv`, `" + XLSX_MEDIA_TYPE + "`, or "
        "`application/octet-stream` (an XLSX is told by its content). The columns of the "
        "template (`GET /api/v1/observations/template`), one figure a row:\n\n```\n"
        + CSV_EXAMPLE
        + "```\n\nCSV in UTF-8 (with or without BOM) or GB18030/GBK (the `charset` parameter "
        "is honoured; bytes that are not UTF-8 are read as GB18030). XLSX: the first sheet, "
        "or `sheet`; numbers exactly as Excel shows them, a percent-formatted cell as its "
        "percentage. Empty rows are ignored, numbers may carry thousands separators "
        '(`"1,234.5"`), a row with more cells than the header is an error naming it. Every '
        "problem of every row comes in one answer. `Idempotency-Key` is matched against "
        "the file's bytes."
    ),
    status_code=201,
    response_model=PostResult | PostSummary,
    response_description="As `POST /api/v1/observations`",
    openapi_extra=IMPORT_BODY,
    responses=WRITE_RESPONSES,
)
async def import_observations(
    request: Request,
    uow: UnitOfWorkDep,
    key: AnalystKey,
    settings: SettingsDep,
    sheet: Annotated[
        str | None,
        Query(max_length=100, description="the workbook's sheet to read; the first if absent"),
    ] = None,
    dry_run: DryRunQuery = False,
    idempotency_key: IdempotencyHeader = None,
    prefer: PreferHeader = None,
) -> Response:
    body = await read_body(request, settings.max_body_bytes)
    minimal = _prefers_minimal(prefer)
    try:
        content, content_type = await _uploaded(request, body)
        read = await run_in_threadpool(
            partial(
                spreadsheets.file_rows,
                content,
                content_type,
                sheet=sheet,
                max_rows=settings.max_batch_rows,
            )
        )
    except ValidationFailed as exc:
        if dry_run:
            return _refused_dry_run(0, exc)
        raise
    post = posting.Post(
        rows=read.rows,
        key=key,
        max_rows=settings.max_batch_rows,
        minimal=minimal,
        idempotency_key=idempotency_key,
        # The file's bytes, whichever way they came (a multipart boundary differs each time).
        fingerprint=posting.fingerprint(
            request.url.path + (f"?sheet={sheet}" if sheet else ""), "file", content, minimal
        ),
        errors=read.errors,
        pending=needs_review(request.app.state.settings.publish_mode, key),
        dry_run=dry_run,
    )
    return await _send(uow, post, minimal)


async def _uploaded(request: Request, body: bytes) -> tuple[bytes, str]:
    """The file's bytes and media type: the part ``file`` of a multipart body, or the body."""
    content_type = request.headers.get("content-type", "")
    if spreadsheets.media_type(content_type)[0] != "multipart/form-data":
        return body, content_type

    async def replay() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    form_request = Request(request.scope, replay)
    try:
        form = await form_request.form(max_files=1, max_fields=20)
    except (MultiPartException, ValueError) as exc:
        raise ValidationFailed([FieldError("body", f"not a valid multipart body: {exc}")]) from exc
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise ValidationFailed(
                [FieldError("file", "send the file in the multipart part named 'file'")]
            )
        return await upload.read(), upload.content_type or ""
    finally:
        await form.close()


def _prefers_minimal(prefer: str | None) -> bool:
    """Whether ``Prefer`` asks for ``return=minimal`` (tokens are case-insensitive)."""
    if not prefer:
        return False
    for preference in prefer.split(","):
        name, _, value = preference.split(";")[0].partition("=")
        if name.strip().lower() == "return" and value.strip().strip('"').lower() == "minimal":
            return True
    return False
