"""Analysts post figures: one JSON object, a JSON array, or CSV; a batch is all or nothing."""

from __future__ import annotations

import json
import time
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import Response
from pydantic import TypeAdapter
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from app.api.auth import AnalystKey
from app.api.deps import SessionDep
from app.db import begin_write
from app.errors import FieldError, ValidationFailed
from app.models import ApiKey
from app.models.types import utc_now
from app.schemas.common import ERROR_RESPONSES, ErrorBody, ErrorItem
from app.schemas.json_numbers import splice
from app.schemas.observation import ObservationRead
from app.schemas.posting import PostResult, PostSummary
from app.schemas.write import OBSERVATION_EXAMPLE, ObservationCreate
from app.services import backlog_refresher, idempotency
from app.services.posting import (
    CSV_FIELDS,
    PayloadTooLarge,
    parse_csv_rows,
    parse_json_rows,
    record_observations,
)
from app.services.progress import observation_read
from app.services.status import refresh_for_figures
from app.settings import get_settings

router = APIRouter(responses=ERROR_RESPONSES)

ATTEMPTS = 5


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


def _rows(content_type: str, body: bytes) -> tuple[list[Any], bool]:
    media = content_type.split(";")[0].strip().lower()
    if media in ("text/csv", "application/csv"):
        return parse_csv_rows(body), True
    if media in ("application/json", ""):
        return parse_json_rows(body)
    raise ValidationFailed(
        [FieldError("content-type", f"send application/json or text/csv, not '{media}'")]
    )


def _post(session: Session, key: ApiKey, rows: list[Any], minimal: bool) -> bytes:
    """The answer as JSON bytes: a ``PostResult``, its goals spliced in from their stored
    form (serialised once, when their progress was computed). Joined once: a 10,000-row
    answer is about 17 MB, and each extra copy of it is memory the worker keeps.

    ``minimal``: a ``PostSummary``; the goals of the posted series are left to the backlog
    (``mark_stale``), and every read until then computes them from the figures.
    """
    outcome = record_observations(
        session, rows, key.name, max_rows=get_settings().max_batch_rows, mark_stale=minimal
    )
    warnings = WARNINGS.dump_json([ErrorItem(**w.as_dict()) for w in outcome.warnings])
    if minimal:
        return b"".join(
            [
                b'{"stored":%d,"ids":' % len(outcome.ids),
                json.dumps(outcome.ids, separators=(",", ":")).encode(),
                b',"warnings":',
                warnings,
                b"}",
            ]
        )
    targets, plans = refresh_for_figures(session, outcome.series_years())
    ref = outcome.reference
    items = splice(
        OBSERVATIONS.dump_json(
            [
                observation_read(o, ref.indicators[o.indicator_code], ref.regions[o.region_code])
                for o in outcome.observations
            ]
        )
    )
    return b"".join(
        [
            b'{"items":',
            items,
            b',"warnings":',
            warnings,
            b',"targets":',
            *_json_array(targets),
            b',"plans":',
            *_json_array(plans),
            b"}",
        ]
    )


def _json_array(items: list[bytes]) -> list[bytes]:
    """The pieces of ``[a,b,...]``, for a single join of the whole answer."""
    pieces = [b"["]
    for i, item in enumerate(items):
        if i:
            pieces.append(b",")
        pieces.append(item)
    pieces.append(b"]")
    return pieces


OBSERVATIONS = TypeAdapter(list[ObservationRead])
WARNINGS = TypeAdapter(list[ErrorItem])


def _post_with_retries(
    session: Session,
    key: ApiKey,
    rows: list[Any],
    idem_key: str | None,
    fingerprint: str,
    minimal: bool,
) -> tuple[int, str | bytes]:
    """One transaction; retried when a concurrent writer took the same revision number."""
    for attempt in range(ATTEMPTS):
        try:
            begin_write(session)
            key.last_used_at = utc_now()
            if idem_key is not None:
                record = idempotency.replay(session, key, idem_key, fingerprint)
                if record is not None:
                    session.rollback()
                    return record.status_code, record.response_body
            body = _post(session, key, rows, minimal)
            if idem_key is not None:
                idempotency.remember(session, key, idem_key, fingerprint, 201, body.decode())
            session.commit()
            return 201, body
        except (IntegrityError, OperationalError) as exc:
            session.rollback()
            retriable = isinstance(exc, IntegrityError) or "locked" in str(exc.orig)
            if not retriable or attempt == ATTEMPTS - 1:
                raise
            time.sleep(0.02 * (attempt + 1))
        except Exception:
            session.rollback()
            raise
    raise AssertionError("unreachable")


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
        401: {"model": ErrorBody, "description": "no key, or an unknown or revoked key"},
        403: {"model": ErrorBody, "description": "the key's role may not post"},
        409: {"model": ErrorBody, "description": "Idempotency-Key reused with another body"},
        413: {"model": ErrorBody, "description": "more than 10,000 rows or 5 MB"},
    },
)
async def post_observations(
    request: Request,
    session: SessionDep,
    key: AnalystKey,
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
    settings = get_settings()
    body = await _read_body(request, settings.max_body_bytes)
    content_type = request.headers.get("content-type", "")
    rows, _is_batch = _rows(content_type, body)
    minimal = _prefers_minimal(prefer)
    fingerprint = idempotency.request_hash(
        "POST", request.url.path, content_type + ("; return=minimal" if minimal else ""), body
    )
    with backlog_refresher.WRITES.writing():
        status, payload = await run_in_threadpool(
            _post_with_retries, session, key, rows, idempotency_key, fingerprint, minimal
        )
    headers = {"Preference-Applied": "return=minimal"} if minimal and status == 201 else None
    return Response(payload, status_code=status, media_type="application/json", headers=headers)


def _prefers_minimal(prefer: str | None) -> bool:
    """Whether ``Prefer`` asks for ``return=minimal`` (tokens are case-insensitive)."""
    if not prefer:
        return False
    for preference in prefer.split(","):
        name, _, value = preference.split(";")[0].partition("=")
        if name.strip().lower() == "return" and value.strip().strip('"').lower() == "minimal":
            return True
    return False
