"""Posting figures: validate a whole batch, then record every row as a new revision.

All or nothing: any bad row and nothing is stored; the error lists every bad row.
"""

from __future__ import annotations

import csv
import io
import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.domain.periods import parse_period
from app.errors import AppError, FieldError, ValidationFailed
from app.models import AuditEntry, Indicator, Observation
from app.queries.observations import series_for
from app.schemas.write import ObservationCreate
from app.services.figures import ReferenceData, build_observation, load_reference

OUTLIER_FACTOR = Decimal(3)
CSV_FIELDS = (
    "indicator",
    "region",
    "period",
    "value",
    "unit",
    "yoy_growth",
    "reported_completion_rate",
    "source_document",
    "source_quote",
    "note",
)


class PayloadTooLarge(AppError):
    def __init__(self, message: str) -> None:
        super().__init__(message, 413, "payload_too_large")


@dataclass
class PostOutcome:
    observations: list[Observation]
    reference: ReferenceData
    warnings: list[FieldError] = field(default_factory=list)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def parse_json_rows(body: bytes) -> tuple[list[Any], bool]:
    """The rows of a JSON object or array, and whether it was a batch."""
    try:
        parsed = json.loads(body.decode("utf-8-sig"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ValidationFailed([FieldError("body", f"not valid JSON: {exc}")]) from exc
    if isinstance(parsed, list):
        return parsed, True
    if isinstance(parsed, dict):
        return [parsed], False
    raise ValidationFailed([FieldError("body", "send a JSON object or an array of objects")])


def parse_csv_rows(body: bytes) -> list[dict[str, Any]]:
    """CSV with a header row of the contract's field names; UTF-8 with or without BOM."""
    try:
        content = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed([FieldError("body", "the CSV is not UTF-8")]) from exc
    reader = csv.DictReader(io.StringIO(content, newline=""))
    try:
        records = list(reader)
    except csv.Error as exc:  # e.g. a field over the csv module's size limit
        raise ValidationFailed(
            [FieldError("body", f"not valid CSV (line {reader.reader.line_num}): {exc}")]
        ) from exc
    header = [h.strip() for h in (reader.fieldnames or [])]
    unknown = [h for h in header if h not in CSV_FIELDS]
    if not header or unknown:
        raise ValidationFailed(
            [FieldError("header", f"unknown columns {unknown}; use: {', '.join(CSV_FIELDS)}")]
        )
    rows = []
    for raw in records:
        row = {
            k.strip(): (v.strip() if isinstance(v, str) and v.strip() else None)
            for k, v in raw.items()
            if k
        }
        document, quote = row.pop("source_document", None), row.pop("source_quote", None)
        payload: dict[str, Any] = {k: v for k, v in row.items() if v is not None}
        if document:
            payload["source"] = {"document": document, "quote": quote}
        rows.append(payload)
    return rows


def _field(loc: Sequence[int | str]) -> str:
    return ".".join(str(p) for p in loc) or "row"


def validate_rows(
    rows: Sequence[Any], max_rows: int
) -> tuple[list[tuple[int, ObservationCreate]], list[FieldError]]:
    """Schema checks per row: the rows that pass (numbered from 1) and every error found."""
    if not rows:
        raise ValidationFailed([FieldError("body", "no rows to post")])
    if len(rows) > max_rows:
        raise PayloadTooLarge(f"a batch holds at most {max_rows} rows; this one has {len(rows)}")
    parsed: list[tuple[int, ObservationCreate]] = []
    errors: list[FieldError] = []
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            errors.append(FieldError("row", "each row must be a JSON object", number))
            continue
        try:
            parsed.append((number, ObservationCreate.model_validate(row)))
        except ValidationError as exc:
            errors += [FieldError(_field(e["loc"]), e["msg"], number) for e in exc.errors()]
    return parsed, errors


def _batch_error(errors: list[FieldError], total: int) -> ValidationFailed:
    bad_rows = len({e.row for e in errors})
    first = errors[0]
    where = f"row {first.row}: " if first.row is not None else ""
    return ValidationFailed(
        errors,
        f"{bad_rows} of {total} rows are invalid, nothing was stored; "
        f"first: {where}{first.field}: {first.message}",
    )


# Advisory locks take slots in Postgres's shared lock table (max_locks_per_transaction per
# backend, about 7,800 in all by default): one lock per natural key made a 10,000-row batch
# fail with "out of shared memory". Keys hash into a fixed set of locks instead: writers of
# one key always meet on the same lock; a collision only makes two other writers take turns.
LOCK_SLOTS = 256
LOCK_NAMESPACE = 0x7074  # first key of the two-key advisory locks, 'pt'


def _lock_keys(session: Session, keys: Sequence[tuple[str, str, str]]) -> None:
    """Serialise writers of one natural key on Postgres so revisions number in commit order."""
    if session.get_bind().dialect.name != "postgresql":
        return
    # In ascending order, as every writer does, so two batches cannot deadlock.
    for slot in sorted({zlib.crc32("|".join(key).encode()) % LOCK_SLOTS for key in keys}):
        session.execute(
            text("SELECT pg_advisory_xact_lock(CAST(:ns AS integer), CAST(:slot AS integer))"),
            {"ns": LOCK_NAMESPACE, "slot": slot},
        )


def _top_revisions(
    session: Session, keys: Sequence[tuple[str, str, str]]
) -> dict[tuple[str, str, str], int]:
    wanted = set(keys)
    stmt = (
        select(
            Observation.indicator_code,
            Observation.region_code,
            Observation.period,
            func.max(Observation.revision),
        )
        .where(
            Observation.indicator_code.in_({k[0] for k in wanted}),
            Observation.region_code.in_({k[1] for k in wanted}),
            Observation.period.in_({k[2] for k in wanted}),
        )
        .group_by(Observation.indicator_code, Observation.region_code, Observation.period)
    )
    return {(i, r, p): n for i, r, p, n in session.execute(stmt) if (i, r, p) in wanted}


def _outlier_warnings(
    session: Session,
    observations: Sequence[Observation],
    now: datetime,
    indicators: dict[str, Indicator],
) -> list[FieldError]:
    """Like DHIS2's min-max check: > 3× or < ⅓ of the comparable earlier figure.

    For a level the comparable figure is the latest earlier period; for a flow, which is
    year-to-date, the same period a year before (2023-H1 against 2022-H1).
    """
    pairs = {(o.indicator_code, o.region_code) for o in observations}
    series = series_for(session, now, pairs)
    warnings = []
    for number, obs in enumerate(observations, start=1):
        if obs.value is None or obs.value <= 0:
            continue
        period = parse_period(obs.period)
        earlier = []
        for row in series[(obs.indicator_code, obs.region_code)]:
            other = row[0]
            if other.value is None or other.value <= 0:
                continue
            other_period = parse_period(other.period)
            if indicators[obs.indicator_code].measure == "flow":
                same_span = other_period.kind == period.kind and other_period.index == period.index
                if same_span and other_period.year == period.year - 1:
                    earlier.append((other_period.sort_key, other.value, other.period))
            elif other_period.sort_key < period.sort_key:
                earlier.append((other_period.sort_key, other.value, other.period))
        if not earlier:
            continue
        _, previous, previous_period = max(earlier)
        ratio = obs.value / previous
        if ratio > OUTLIER_FACTOR or ratio < 1 / OUTLIER_FACTOR:
            warnings.append(
                FieldError(
                    "value",
                    f"{obs.value} {obs.unit} is {ratio:.2f}× the {previous_period} figure "
                    f"({previous} {obs.unit}); stored, please check",
                    number,
                )
            )
    return warnings


def record_observations(
    session: Session,
    rows: Sequence[Any],
    actor: str,
    *,
    max_rows: int,
    now: datetime | None = None,
) -> PostOutcome:
    """Check every row (schema, then reference data); store them all as new revisions or none."""
    now = now or datetime.now(UTC)
    payloads, errors = validate_rows(rows, max_rows)
    ref = load_reference(session)
    built: list[Observation] = []
    seen: dict[tuple[str, str, str], int] = {}
    for number, payload in payloads:
        observation, row_errors = build_observation(
            payload, ref, recorded_at=now, recorded_by=actor, row=number
        )
        period = parse_period(payload.period)
        if datetime(period.year, period.start_month, 1, tzinfo=UTC) > now:
            row_errors.append(FieldError("period", f"{period} has not started yet", number))
        key = (payload.indicator, payload.region, payload.period)
        if key in seen:
            row_errors.append(
                FieldError(
                    "period", f"repeats the natural key of row {seen[key]} in this batch", number
                )
            )
        seen.setdefault(key, number)
        errors += row_errors
        if observation is not None:
            built.append(observation)
    if errors:
        errors.sort(key=lambda e: e.row or 0)
        raise _batch_error(errors, len(rows))
    keys = [(o.indicator_code, o.region_code, o.period) for o in built]
    _lock_keys(session, keys)
    # Stamped once the keys are ours, so recorded_at follows revision order.
    recorded_at = max(now, datetime.now(UTC))
    warnings = _outlier_warnings(session, built, recorded_at, ref.indicators)
    top = _top_revisions(session, keys)
    for observation, key in zip(built, keys, strict=True):
        observation.revision = top.get(key, 0) + 1
        observation.recorded_at = recorded_at
    session.add_all(built)
    session.flush()
    session.add_all(
        AuditEntry(
            at=recorded_at,
            actor=actor,
            action="create",
            entity="observation",
            entity_id=o.id,
            before=None,
            after=observation_snapshot(o),
        )
        for o in built
    )
    session.flush()
    return PostOutcome(built, ref, warnings)


def observation_snapshot(o: Observation) -> dict[str, Any]:
    def num(v: Decimal | None) -> str | None:
        return None if v is None else format(v, "f")

    return {
        "indicator": o.indicator_code,
        "region": o.region_code,
        "period": o.period,
        "revision": o.revision,
        "value": num(o.value),
        "unit": o.unit,
        "stated_value": num(o.stated_value),
        "stated_unit": o.stated_unit,
        "yoy_growth": num(o.yoy_growth),
        "reported_completion_rate": num(o.reported_completion_rate),
        "document": o.document_code,
        "note": o.note,
    }
