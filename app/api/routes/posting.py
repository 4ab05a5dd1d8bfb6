"""Analysts post figures: one JSON object, a JSON array, or CSV; a batch is all or nothing."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from app.api.auth import AnalystKey
from app.api.deps import SettingsDep, UnitOfWorkDep
from app.errors import FieldError, ValidationFailed
from app.schemas.common import ERROR_RESPONSES, ErrorBody
from app.schemas.posting import PostResult, PostSummary
from app.schemas.write import OBSERVATION_EXAMPLE, ObservationCreate
from app.services import posting
from app.services.posting import CSV_FIELDS, PayloadTooLarge, parse_csv_rows, parse_json_rows
from app.services.review import needs_review

router = APIRouter(responses=ERROR_RESPONSES)


def _inline_defs(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline_defs(defs[ref.removeprefix("#/$defs/")], defs)
        return {k: _inline_defs(v, defs) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline_defs(v, defs) for v in node]
    return node


def _observation_schema() -> dict[str, Any]:
    """ObservationCreate as a self-contained JSON Schema.

    The handler reads the body itself (JSON or CSV), so FastAPI never lists the model in
    ``components``: a ``$ref`` to it would dangle (clients and fuzzers then drop the JSON
    body altogether). Its own ``$defs`` (SourceIn) are inlined for the same reason.
    """
    schema = ObservationCreate.model_json_schema()
    defs = schema.pop("$defs", {})
    inlined: dict[str, Any] = _inline_defs(schema, defs)
    return inlined


OBSERVATION_SCHEMA = _observation_schema()

POST_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "oneOf": [
                        OBSERVATION_SCHEMA,
                        {
                            "type": "array",
                            "items": OBSERVATION_SCHEMA,
                            "minItems": 1,
                            "maxItems": 10000,
                        },
                    ]
                },
                "example": OBSERVATION_EXAMPLE,
            },
            "text/csv": {
                "schema": {"type": "string"},
                "example": ",".join(CSV_FIELDS)
                + "\nkey_project_investment,500000,2023-Q3,3480,亿元,12.1,79.1,,,季度通报\n",
            },
        },
    }
}


async def _read_body(request: Request, limit: int) -> bytes:
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


def _rows(content_type: str, body: bytes) -> list[Any]:
    media = content_type.split(";")[0].strip().lower()
    if media in ("text/csv", "application/csv"):
        return parse_csv_rows(body)
    if media in ("application/json", ""):
        return parse_json_rows(body)[0]
    raise ValidationFailed(
        [FieldError("content-type", f"send application/json or text/csv, not '{media}'")]
    )


@router.post(
    "/observations",
    summary="Post one figure, a batch (JSON array) or a CSV file; a batch is all or nothing",
    status_code=201,
    response_model=PostResult | PostSummary,
    response_description=(
        "A `PostResult`: the figures as stored and every goal of their series with its new "
        "progress; with `Prefer: return=minimal`, a `PostSummary`"
    ),
    openapi_extra=POST_BODY,
    responses={
        400: {"model": ErrorBody, "description": "an empty Idempotency-Key header"},
        401: {"model": ErrorBody, "description": "no key, or an unknown or revoked key"},
        403: {"model": ErrorBody, "description": "the key's role may not post"},
        409: {"model": ErrorBody, "description": "Idempotency-Key reused with another body"},
        413: {"model": ErrorBody, "description": "more than 10,000 rows or 5 MB"},
    },
)
async def post_observations(
    request: Request,
    uow: UnitOfWorkDep,
    key: AnalystKey,
    settings: SettingsDep,
    idempotency_key: Annotated[
        str | None, Header(max_length=200, description="retry-safe key for this request")
    ] = None,
    prefer: Annotated[
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
    ] = None,
) -> Response:
    body = await _read_body(request, settings.max_body_bytes)
    content_type = request.headers.get("content-type", "")
    minimal = _prefers_minimal(prefer)
    post = posting.Post(
        rows=_rows(content_type, body),
        key=key,
        max_rows=settings.max_batch_rows,
        minimal=minimal,
        idempotency_key=idempotency_key,
        fingerprint=posting.fingerprint(request.url.path, content_type, body, minimal),
        pending=needs_review(request.app.state.settings.publish_mode, key),
    )
    posted = await run_in_threadpool(posting.post, uow, post)
    headers = {"Preference-Applied": "return=minimal"} if minimal and posted.status == 201 else None
    return Response(
        posted.body, status_code=posted.status, media_type="application/json", headers=headers
    )


def _prefers_minimal(prefer: str | None) -> bool:
    """Whether ``Prefer`` asks for ``return=minimal`` (tokens are case-insensitive)."""
    if not prefer:
        return False
    for preference in prefer.split(","):
        name, _, value = preference.split(";")[0].partition("=")
        if name.strip().lower() == "return" and value.strip().strip('"').lower() == "minimal":
            return True
    return False
