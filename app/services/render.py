"""The API's JSON, built as bytes where answers are large or stored: goal items spliced
from their stored fragments, pages, a goal with its history, and the posting answers.

Every builder here gives byte for byte what serialising the corresponding response model
would give (the tests compare them), only without building the models again; numbers
are exact (``splice``: app/schemas/json_numbers.py).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache

from pydantic import TypeAdapter

from app.domain.periods import parse_period
from app.errors import AppError, FieldError
from app.models import Indicator, Observation, Region
from app.queries.goals import StoredDetailRow
from app.schemas.common import ErrorItem, IndicatorRef, RegionRef, SourceRef
from app.schemas.goal import PlanRead, TargetRead
from app.schemas.json_numbers import number_text, splice, splice_text
from app.schemas.observation import ObservationRead

# What a stored read leaves out: joined in at read time, so that renaming an indicator or a
# region never leaves a stale copy behind.
JOINED_FIELDS = {"id", "indicator", "region"}


def read_fragment(read: TargetRead | PlanRead) -> str:
    """The stored form of a read: the API's own JSON of it, less the joined fields."""
    return splice_text(read.model_dump_json(exclude=JOINED_FIELDS))


@lru_cache(maxsize=8192)
def _indicator_json(code: str, name: str, unit: str) -> str:
    return IndicatorRef(code=code, name=name, unit=unit).model_dump_json()


@lru_cache(maxsize=8192)
def _region_json(code: str, name: str) -> str:
    return RegionRef(code=code, name=name).model_dump_json()


def item_json(
    goal_id: int,
    indicator: tuple[str, str, str],
    region: tuple[str, str],
    fragment: str,
) -> str:
    """A goal's JSON as the API answers it, from its stored fragment: byte for byte what
    serialising the read would give (the joined fields come first in the model)."""
    return (
        f'{{"id":{goal_id},"indicator":{_indicator_json(*indicator)},'
        f'"region":{_region_json(*region)},{fragment[1:]}'
    )


def page_json(items: Sequence[str], total: int, limit: int, offset: int) -> bytes:
    """A ``Page`` of items already in JSON, as its model would serialise it."""
    return (
        f'{{"items":[{",".join(items)}],"total":{total},"limit":{limit},"offset":{offset}}}'
    ).encode()


def observation_read(obs: Observation, indicator: Indicator, region: Region) -> ObservationRead:
    source = None
    if obs.document_code is not None:
        source = SourceRef(document=obs.document_code, quote=obs.quote)
    return ObservationRead(
        id=obs.id,
        indicator=IndicatorRef.model_validate(indicator),
        region=RegionRef.model_validate(region),
        period=obs.period,
        value=obs.value,
        unit=obs.unit if obs.value is not None else None,
        stated_value=obs.stated_value,
        stated_unit=obs.stated_unit,
        yoy_growth=obs.yoy_growth,
        reported_completion_rate=obs.reported_completion_rate,
        source=source,
        note=obs.note,
        revision=obs.revision,
        recorded_at=obs.recorded_at,
        recorded_by=obs.recorded_by,
        state=obs.state,
        published_at=obs.published_at,
        reviewed_at=obs.reviewed_at,
        reviewed_by=obs.reviewed_by,
        review_reason=obs.review_reason,
    )


def history_json(observations: Sequence[Observation], indicator: Indicator, region: Region) -> str:
    """The figures behind a goal as the API answers them (``list[ObservationRead]``)."""
    return splice(
        HISTORY.dump_json([observation_read(o, indicator, region) for o in observations])
    ).decode()


HISTORY = TypeAdapter(list[ObservationRead])


def _text(value: str | None) -> str:
    """A JSON string as Pydantic writes it (non-ASCII as is, the same escapes), or null."""
    if value is None:
        return "null"
    if value.isprintable() and '"' not in value and "\\" not in value:
        return f'"{value}"'  # nothing to escape: no control character, quote or backslash
    return json.dumps(value, ensure_ascii=False)


def _number(value: Decimal | None) -> str:
    return "null" if value is None else number_text(value)


def _moment(value: datetime | None) -> str:
    """A UTC datetime as Pydantic writes it: ISO 8601, microseconds only if any, ``Z``."""
    if value is None:
        return "null"
    return f'"{value.astimezone(UTC).replace(tzinfo=None).isoformat()}Z"'


def _observation_json(row: StoredDetailRow, refs: str) -> str:
    """One figure of a ``stored_detail`` row as ``ObservationRead`` serialises it."""
    source = "null"
    if row.document_code is not None:
        source = f'{{"document":{_text(row.document_code)},"quote":{_text(row.quote)}}}'
    return (
        f'{{"id":{row.obs_id},{refs},"period":{_text(row.period)},'
        f'"value":{_number(row.value)},'
        f'"unit":{_text(row.unit if row.value is not None else None)},'
        f'"stated_value":{_number(row.stated_value)},"stated_unit":{_text(row.stated_unit)},'
        f'"yoy_growth":{_number(row.yoy_growth)},'
        f'"reported_completion_rate":{_number(row.reported_completion_rate)},'
        f'"source":{source},"note":{_text(row.note)},"revision":{row.revision},'
        f'"recorded_at":{_moment(row.recorded_at)},"recorded_by":{_text(row.recorded_by)},'
        f'"state":{_text(row.state)},"published_at":{_moment(row.published_at)},'
        f'"reviewed_at":{_moment(row.reviewed_at)},"reviewed_by":{_text(row.reviewed_by)},'
        f'"review_reason":{_text(row.review_reason)}}}'
    )


def stored_detail_json(rows: Sequence[StoredDetailRow]) -> bytes:
    """A goal's detail (``TargetDetail``/``PlanDetail``) from the rows of ``stored_detail``
    (its stored read current): byte for byte ``goal_detail_json`` of its item and
    ``history_json``, without an entity or a model. As ``series_history``: each period's
    last revision, oldest period first."""
    head = rows[0]
    indicator = (head.indicator_code, head.indicator_name, head.indicator_unit)
    region = (head.region_code, head.region_name)
    assert head.read_json is not None
    item = item_json(head.id, indicator, region, head.read_json)
    latest = {row.period: row for row in rows if row.obs_id is not None}  # last revision wins
    refs = f'"indicator":{_indicator_json(*indicator)},"region":{_region_json(*region)}'
    history = ",".join(
        _observation_json(row, refs)
        for row in sorted(latest.values(), key=lambda row: parse_period(row.period or "").sort_key)
    )
    return goal_detail_json(item, f"[{history}]")


def goal_detail_json(item: str, history: str) -> bytes:
    """A goal's item with its ``history`` appended (``TargetDetail``/``PlanDetail``)."""
    return f'{item[:-1]},"history":{history}}}'.encode()


def json_array(items: Sequence[bytes]) -> list[bytes]:
    """The pieces of ``[a,b,...]``, for a single join of the whole answer."""
    pieces = [b"["]
    for i, item in enumerate(items):
        if i:
            pieces.append(b",")
        pieces.append(item)
    pieces.append(b"]")
    return pieces


WARNINGS = TypeAdapter(list[ErrorItem])
OBSERVATIONS = TypeAdapter(list[ObservationRead])


def warnings_json(warnings: Sequence[FieldError]) -> bytes:
    return WARNINGS.dump_json([ErrorItem(**w.as_dict()) for w in warnings])


def post_summary_json(ids: Sequence[int], warnings: Sequence[FieldError]) -> bytes:
    """A ``PostSummary``: the answer to ``Prefer: return=minimal``."""
    return b"".join(
        [
            b'{"stored":%d,"ids":' % len(ids),
            json.dumps(list(ids), separators=(",", ":")).encode(),
            b',"warnings":',
            warnings_json(warnings),
            b"}",
        ]
    )


def dry_run_json(rows: int, refused: AppError | None, answer: bytes = b"{}") -> bytes:
    """A ``DryRunResult``: whether the batch would be stored, every error if not, and else
    the answer a real post would give (``answer``, a JSON object) with its fields."""
    head = {
        "dry_run": True,
        "valid": refused is None,
        "rows": rows,
        "message": None if refused is None else refused.message,
        "errors": [] if refused is None else [e.as_dict() for e in refused.errors],
    }
    text = json.dumps(head, ensure_ascii=False, separators=(",", ":")).encode()
    rest = answer.strip()[1:-1].strip()
    if refused is not None or not rest:
        rest = b'"warnings":[]'
    return text[:-1] + b"," + rest + b"}"


def post_result_json(
    observations: Sequence[ObservationRead],
    warnings: Sequence[FieldError],
    targets: Sequence[bytes],
    plans: Sequence[bytes],
) -> bytes:
    """A ``PostResult``, its goals spliced in from their stored JSON (serialised once, when
    their progress was computed) and joined once: a 10,000-row answer is about 17 MB, and
    each extra copy of it is memory the worker keeps."""
    return b"".join(
        [
            b'{"items":',
            splice(OBSERVATIONS.dump_json(list(observations))),
            b',"warnings":',
            warnings_json(warnings),
            b',"targets":',
            *json_array(targets),
            b',"plans":',
            *json_array(plans),
            b"}",
        ]
    )
