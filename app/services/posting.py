"""Posting figures, the one write path: validate a whole batch, then record every row as a
new revision, and answer with the figures and the goals they moved.

All or nothing: any bad row and nothing is stored; the error lists every bad row. The HTTP
route and the command line's import (local or through ``--url``) both call ``post``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from functools import cached_property, lru_cache, partial
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from app import changes
from app.db import UnitOfWork
from app.domain.periods import Period, parse_period
from app.domain.plausibility import (
    OUTLIER_FACTOR,
    comparable_flow_period,
    is_outlier,
    latest_earlier_positive,
    year_so_far,
    ytd_inconsistent,
)
from app.errors import AppError, FieldError, ValidationFailed
from app.models import ApiKey, AuditEntry, Indicator, Observation
from app.queries import staging
from app.queries.locks import lock_series
from app.queries.revisions import (
    NaturalKey,
    Revision,
    insert_rows,
    latest,
    revisions_before,
    revisions_in_years,
    revisions_of_keys,
    top_revisions,
)
from app.schemas.observation import ObservationRead
from app.schemas.write import ObservationCreate
from app.services import idempotency, render, scopes, stored_reads
from app.services.api_keys import touch
from app.services.backlog_refresher import WRITES
from app.services.figures import ReferenceData, load_reference, observation_values
from app.services.row_parsing import CSV_FIELDS as CSV_FIELDS
from app.services.row_parsing import parse_csv_rows as parse_csv_rows
from app.services.row_parsing import parse_json_rows as parse_json_rows


class PayloadTooLarge(AppError):
    def __init__(self, message: str) -> None:
        super().__init__(message, 413, "payload_too_large")


@dataclass
class PostOutcome:
    ids: list[int]
    # The stored rows' column values, in row order.
    values: list[dict[str, Any]]
    reference: ReferenceData
    warnings: list[FieldError] = field(default_factory=list)

    @cached_property
    def observations(self) -> list[Observation]:
        """The rows as stored, for the answer: transient objects never added to a session."""
        return [_stored(id_, values) for id_, values in zip(self.ids, self.values, strict=True)]

    def series_years(self) -> Iterator[tuple[str, str, int]]:
        """(indicator, region, period year) of each stored row."""
        for values in self.values:
            yield values["indicator_code"], values["region_code"], values["period_year"]


@dataclass(frozen=True)
class Post:
    """Figures to record, as any door hands them to ``post``.

    ``pending``: the figures wait for a reviewer (``review.needs_review``).
    ``minimal``: answer only ``{"stored", "ids", "warnings"}`` and leave the posted series'
    goals to the backlog (Prefer: return=minimal). ``idempotency_key`` with the request's
    ``fingerprint`` (``fingerprint()``): a retry returns the first answer, records nothing.
    """

    rows: Sequence[Any]
    key: ApiKey
    max_rows: int
    minimal: bool = False
    idempotency_key: str | None = None
    fingerprint: str = ""
    # Stored pending, published only when a reviewer approves (review.needs_review).
    pending: bool = False
    # Problems a file's rows showed when read (app/services/spreadsheets.py), answered
    # with the rows' schema and reference errors.
    errors: Sequence[FieldError] = ()
    # Every check, then a rollback (``UnitOfWork.run(dry_run=True)``): answered with 200,
    # and a batch's errors in the answer rather than as a 422; no idempotency either way.
    dry_run: bool = False


@dataclass(frozen=True)
class Posted:
    status: int
    body: bytes


def fingerprint(path: str, content_type: str, body: bytes, minimal: bool) -> str:
    """What makes two posts the same request for ``Idempotency-Key``: the same body to the
    same path, read the same way."""
    return idempotency.request_hash(
        "POST", path, content_type + ("; return=minimal" if minimal else ""), body
    )


def post(uow: UnitOfWork, request: Post) -> Posted:
    """Record the figures in one transaction (run again if it lost a race) and answer."""
    if request.idempotency_key is not None and not request.idempotency_key.strip():
        raise AppError(
            "Idempotency-Key: empty; send a non-empty key, or no header at all",
            400,
            "bad_request",
            [FieldError("Idempotency-Key", "empty; send a non-empty key, or no header at all")],
        )
    with WRITES.writing():
        return uow.run(partial(_post, request=request), dry_run=request.dry_run)


def _post(session: Session, request: Post) -> Posted:
    touch(request.key)
    scopes.require_rows(session, request.key, request.rows)
    if request.dry_run:
        try:
            body = _dry_summary(session, request) if request.minimal else _answer(session, request)
        except ValidationFailed as exc:
            return Posted(200, render.dry_run_json(len(request.rows), exc))
        return Posted(200, render.dry_run_json(len(request.rows), None, body))
    idem_key = request.idempotency_key
    if idem_key is not None:
        record = idempotency.replay(session, request.key, idem_key, request.fingerprint)
        if record is not None:
            return Posted(record.status_code, record.response_body.encode())
    body = _answer(session, request)
    if idem_key is not None:
        idempotency.remember(
            session, request.key, idem_key, request.fingerprint, 201, body.decode()
        )
    return Posted(201, body)


def _answer(session: Session, request: Post) -> bytes:
    """The answer as JSON bytes; with ``minimal`` the goals of the posted series are left
    to the backlog (``mark_stale``), and every read until then computes them."""
    if request.minimal:
        outcome = _record(session, request, mark_stale=True)
        return render.post_summary_json(outcome.ids, outcome.warnings)
    recorded = record(session, request)
    return render.post_result_json(
        recorded.observations(), recorded.outcome.warnings, recorded.targets, recorded.plans
    )


@dataclass(frozen=True)
class Recorded:
    """Figures recorded, and the goals of their series with their new progress (the API's
    JSON of each, by id)."""

    outcome: PostOutcome
    targets: list[bytes]
    plans: list[bytes]

    def observations(self) -> list[ObservationRead]:
        ref = self.outcome.reference
        return [
            render.observation_read(o, ref.indicators[o.indicator_code], ref.regions[o.region_code])
            for o in self.outcome.observations
        ]


def record(session: Session, request: Post) -> Recorded:
    """The figures of ``request`` recorded in the caller's transaction as every post records
    them (the whole batch checked, new revisions, plausibility warnings, audit entries,
    ``pending`` in review mode) and the goals of their series recomputed and stored.

    ``post`` is this in a unit of work of its own, after the key's scope and the
    ``Idempotency-Key``; a caller that writes more in the same unit of work (a document's
    intake, app/services/intake.py) calls it directly and checks those itself.
    """
    outcome = _record(session, request, mark_stale=False)
    targets, plans = stored_reads.refresh_for_figures(session, outcome.series_years())
    return Recorded(outcome, targets, plans)


def _dry_summary(session: Session, request: Post) -> bytes:
    """A minimal dry run's answer: the warnings (there are no ids to give, and no goal to
    recompute: the transaction is rolled back)."""
    outcome = _record(session, request, mark_stale=False)
    return b'{"warnings":' + render.warnings_json(outcome.warnings) + b"}"


def _record(session: Session, request: Post, *, mark_stale: bool) -> PostOutcome:
    outcome = record_observations(
        session,
        request.rows,
        request.key.name,
        max_rows=request.max_rows,
        mark_stale=mark_stale,
        pending=request.pending,
        known_errors=request.errors,
    )
    # The response caches drop the answers of these series only (app/changes.py).
    changes.touch_series(session, {(i, r) for i, r, _ in outcome.series_years()})
    return outcome


def _field(loc: Sequence[int | str]) -> str:
    return ".".join(str(p) for p in loc) or "row"


def _check_size(rows: Sequence[Any], max_rows: int) -> None:
    if not rows:
        raise ValidationFailed([FieldError("body", "no rows to post")])
    if len(rows) > max_rows:
        raise PayloadTooLarge(f"a batch holds at most {max_rows} rows; this one has {len(rows)}")


def validate_rows(
    rows: Sequence[Any], first: int = 1
) -> tuple[list[tuple[int, ObservationCreate]], list[FieldError]]:
    """Schema checks per row: the rows that pass (numbered from ``first``) and every error."""
    parsed: list[tuple[int, ObservationCreate]] = []
    errors: list[FieldError] = []
    for number, row in enumerate(rows, start=first):
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


LevelRow = tuple[int, tuple[str, str], Period]  # row number, (indicator, region), period


def _newest_by_pair(
    revisions: list[Revision],
) -> dict[tuple[str, str], list[tuple[Period, Decimal | None]]]:
    """Each series' periods with the value of their newest revision among ``revisions``."""
    by_pair: dict[tuple[str, str], list[tuple[Period, Decimal | None]]] = {}
    for rev in latest(revisions).values():
        pair = (rev.indicator_code, rev.region_code)
        by_pair.setdefault(pair, []).append((parse_period(rev.period), rev.value))
    return by_pair


def _earlier_levels(
    revisions: list[Revision], todo: list[LevelRow], comparable: dict[int, tuple[str, Decimal]]
) -> list[LevelRow]:
    """Fill ``comparable`` with each row's comparable level among ``revisions``
    (``latest_earlier_positive``); answers the rows for which they hold none."""
    by_pair = _newest_by_pair(revisions)
    missing = []
    for number, pair, period in todo:
        found = latest_earlier_positive(period, by_pair.get(pair, ()))
        if found is None:
            missing.append((number, pair, period))
        else:
            comparable[number] = (str(found[0]), found[1])
    return missing


def _stored(id_: int, values: dict[str, Any]) -> Observation:
    """A transient Observation holding a stored row's values, for the answer.

    Filled like the ORM's own loader fills instances, without per-attribute change tracking:
    about ten times cheaper than the constructor. Only read from, never added to a session.
    """
    observation: Observation = Observation.__mapper__.class_manager.new_instance()
    observation.__dict__.update(values, id=id_)
    return observation


def plausibility_warnings(
    session: Session,
    rows: Sequence[dict[str, Any]],
    now: datetime,
    indicators: dict[str, Indicator],
) -> list[FieldError]:
    """The outlier rule of app/domain/plausibility.py, row by row (SQLite).

    Only its candidates are read: for a flow the one period a year before, for a level
    the periods of its own year and the year before, and further back only for a series
    that has no positive earlier figure in those two years.
    """
    comparable: dict[int, tuple[str, Decimal]] = {}  # row number -> (period, value)
    flow_rows: list[tuple[int, NaturalKey]] = []
    level_rows: list[LevelRow] = []
    ytd_rows: list[LevelRow] = []
    for number, row in enumerate(rows, start=1):
        value = row["value"]
        if value is None:
            continue
        pair = (row["indicator_code"], row["region_code"])
        period = parse_period(row["period"])
        is_flow = indicators[pair[0]].measure == "flow"
        if is_flow:
            ytd_rows.append((number, pair, period))
        if value <= 0:
            continue
        if is_flow:
            flow_rows.append((number, (*pair, str(comparable_flow_period(period)))))
        else:
            level_rows.append((number, pair, period))

    if flow_rows:
        found = latest(revisions_of_keys(session, now, (key for _, key in flow_rows)))
        for number, key in flow_rows:
            rev = found.get(key)
            if rev is not None and rev.value is not None:
                comparable[number] = (rev.period, rev.value)

    if level_rows:
        years = {(*pair, y) for _, pair, p in level_rows for y in (p.year - 1, p.year)}
        missing = _earlier_levels(revisions_in_years(session, now, years), level_rows, comparable)
        if missing:
            # Nothing positive in the two years before: look further back in those series.
            before = max(p.year - 1 for _, _, p in missing)
            older = revisions_before(session, now, {pair for _, pair, _ in missing}, before)
            _earlier_levels(older, missing, comparable)

    warnings = [
        _outlier_warning(number, row, *comparable[number])
        for number, row in enumerate(rows, start=1)
        if number in comparable and is_outlier(row["value"], comparable[number][1])
    ]
    if ytd_rows:
        years = {(*pair, p.year) for _, pair, p in ytd_rows}
        by_pair = _newest_by_pair(revisions_in_years(session, now, years))
        for number, pair, period in ytd_rows:
            previous = year_so_far(period, by_pair.get(pair, ()))
            warning = _ytd_warning(number, rows[number - 1], period, previous)
            if warning is not None:
                warnings.append(warning)
    return sorted(warnings, key=lambda w: w.row or 0)


def _ytd_warning(
    number: int,
    row: dict[str, Any],
    period: Period,
    previous: tuple[Period, Decimal] | None,
) -> FieldError | None:
    """The ``ytd_inconsistent`` warning of a year-to-date flow, if it is one."""
    value, unit = row["value"], row["unit"]
    if previous is None or not ytd_inconsistent(value, period, previous):
        return None
    before, earlier = previous
    if value < earlier:
        why = "a year-to-date sum cannot fall"
    else:
        pace = OUTLIER_FACTOR * earlier * period.end_month / before.end_month
        why = f"more than {OUTLIER_FACTOR}× its pace (at most {pace.normalize():f} {unit})"
    return FieldError(
        "value",
        f"{value} {unit} by {period} does not follow {earlier} {unit} by {before}: {why}; "
        "stored, please check",
        number,
        code="ytd_inconsistent",
    )


def _outlier_warning(
    number: int, row: dict[str, Any], previous_period: str, previous: Decimal
) -> FieldError:
    value, unit = row["value"], row["unit"]
    return FieldError(
        "value",
        f"{value} {unit} is {value / previous:.2f}× the {previous_period} figure "
        f"({previous} {unit}); stored, please check",
        number,
        code="outlier",
    )


# A batch is checked in parts of this many rows; on Postgres the database stores each part
# while the service checks the next (``_StagedStore``).
PART_ROWS = 2_000


def _code(row: Any, field: str) -> str | None:
    """A row's ``field`` if it could be a code: the checks come later, and the database
    must not see a NUL or a lone surrogate (every real code is printable and short)."""
    value = row.get(field) if isinstance(row, dict) else None
    if isinstance(value, str) and len(value) <= 64 and value.isprintable():
        return value
    return None


def _named(rows: Sequence[Any], field: str) -> set[str]:
    return {code for row in rows if (code := _code(row, field)) is not None}


def _series_named(rows: Sequence[Any]) -> set[tuple[str, str]]:
    pairs = ((_code(row, "indicator"), _code(row, "region")) for row in rows)
    return {(i, r) for i, r in pairs if i is not None and r is not None}


def record_observations(
    session: Session,
    rows: Sequence[Any],
    actor: str,
    *,
    max_rows: int,
    now: datetime | None = None,
    mark_stale: bool = False,
    pending: bool = False,
    known_errors: Sequence[FieldError] = (),
) -> PostOutcome:
    """Check every row (schema, then reference data); store them all as new revisions or none.

    ``mark_stale``: on Postgres, the statement that stores the rows adds their series to the
    backlog, for its refresher (app/services/backlog_refresher.py); SQLite has no backlog
    and recomputes their goals now. Otherwise recomputing them is the caller's.
    ``pending``: stored unpublished, for a reviewer (app/services/review.py); they take
    their revision numbers now, and no read sees them until they are approved.
    ``known_errors``: problems found reading the rows, reported with the others.
    """
    now = now or datetime.now(UTC)
    if not rows and known_errors:  # a file whose every row was unreadable
        raise _batch_error(list(known_errors), max(e.row or 1 for e in known_errors))
    _check_size(rows, max_rows)
    ref = load_reference(
        session,
        indicators=_named(rows, "indicator"),
        regions=_named(rows, "region"),
    )
    # Every series a row names is locked before the checks, so that a part can be stored
    # as soon as it is checked (a name that proves invalid takes a lock in vain).
    lock_series(session, _series_named(rows))
    # Stamped once the keys are ours, so recorded_at follows revision order.
    recorded_at = max(now, datetime.now(UTC))
    store = None
    if _uses_staging(session):
        store = _StagedStore(session, recorded_at, actor, ref, mark_stale)
    built: list[dict[str, Any]] = []
    errors: list[FieldError] = list(known_errors)
    seen: dict[tuple[str, str, str], int] = {}
    try:
        for start in range(0, len(rows), PART_ROWS):
            part, part_errors = _checked_part(
                rows[start : start + PART_ROWS], start + 1, ref, now, recorded_at, actor, seen
            )
            errors += part_errors
            if pending:
                for values in part:
                    values["state"], values["published_at"] = "pending", None
            if store is not None and not errors:
                store.submit(start + 1, part)
            built += part
    except BaseException:
        if store is not None:
            store.abandon()
        raise
    if errors:
        if store is not None:
            store.abandon()  # the caller rolls back what it stored
        errors.sort(key=lambda e: e.row or 0)
        raise _batch_error(errors, len(rows))
    if store is not None:
        ids, warnings = store.finish()
        return PostOutcome(ids, built, ref, warnings)
    ids, warnings = _store_rowwise(session, built, recorded_at, actor, ref)
    outcome = PostOutcome(ids, built, ref, warnings)
    if mark_stale:
        stored_reads.refresh_stale_now(session, stored_reads.earliest_years(outcome.series_years()))
    return outcome


def _uses_staging(session: Session) -> bool:
    """Postgres stores a batch set-based (``_StagedStore``); SQLite row by row."""
    return session.get_bind().dialect.name == "postgresql"


def _checked_part(
    rows: Sequence[Any],
    first: int,
    ref: ReferenceData,
    now: datetime,
    recorded_at: datetime,
    actor: str,
    seen: dict[tuple[str, str, str], int],
) -> tuple[list[dict[str, Any]], list[FieldError]]:
    """The column values of the good rows of one part (numbered from ``first``) and the
    errors of the others; ``seen`` holds the natural keys of the batch so far."""
    payloads, errors = validate_rows(rows, first)
    built: list[dict[str, Any]] = []
    for number, payload in payloads:
        values, row_errors = observation_values(
            payload, ref, recorded_at=recorded_at, recorded_by=actor, row=number
        )
        if _period_start(payload.period) > now:
            row_errors.append(
                FieldError("period", f"{parse_period(payload.period)} has not started yet", number)
            )
        key = (payload.indicator, payload.region, payload.period)
        if key in seen:
            row_errors.append(
                FieldError(
                    "period", f"repeats the natural key of row {seen[key]} in this batch", number
                )
            )
        seen.setdefault(key, number)
        errors += row_errors
        if values is not None:
            built.append(values)
    return built, errors


class _StagedStore:
    """Postgres: the keys of each checked part go by COPY into the staging table, one
    statement numbers their revisions and compares them, and the rows and their audit
    entries go by COPY into their tables (app/queries/staging.py): on a thread of its
    own, while the caller checks the next part. The session is the thread's until ``finish`` or
    ``abandon``; the caller does not touch it meanwhile (it only checks rows)."""

    def __init__(
        self,
        session: Session,
        recorded_at: datetime,
        actor: str,
        ref: ReferenceData,
        mark_stale: bool,
    ) -> None:
        self._session = session
        self._recorded_at = recorded_at
        self._actor = actor
        self._ref = ref
        self._mark_stale = mark_stale
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="staging")
        self._parts: list[Future[tuple[list[int], list[FieldError]]]] = []
        self._before_id: int | None = None  # the batch's first id: older figures only

    def submit(self, first: int, part: list[dict[str, Any]]) -> None:
        if part and not any(f.done() and f.exception() for f in self._parts):
            self._parts.append(self._executor.submit(self._store, first, part))

    def _store(self, first: int, part: list[dict[str, Any]]) -> tuple[list[int], list[FieldError]]:
        session = self._session
        ids = staging.observation_ids(session, len(part))
        if self._before_id is None:
            staging.create(session)
            self._before_id = ids[0]
        staging.stage(
            session,
            (_staged_row(number, values, self._ref) for number, values in enumerate(part, first)),
        )
        span = (first, first + len(part) - 1)
        checked = staging.check(session, span, self._before_id, self._recorded_at, OUTLIER_FACTOR)
        warnings = []
        for (number, revision, period, previous, so_far, so_far_value), values in zip(
            checked, part, strict=True
        ):
            values["revision"] = revision
            if period is not None and previous is not None:
                warnings.append(_outlier_warning(number, values, period, previous))
            if so_far is not None and so_far_value is not None:
                figure = (parse_period(so_far), so_far_value)
                ytd = _ytd_warning(number, values, parse_period(values["period"]), figure)
                if ytd is not None:
                    warnings.append(ytd)
        audit = (self._recorded_at, self._actor, "create", "observation")
        staging.store(
            session,
            (_observation_row(id_, values) for id_, values in zip(ids, part, strict=True)),
            (
                (*audit, id_, None, json.dumps(observation_snapshot(values), ensure_ascii=False))
                for id_, values in zip(ids, part, strict=True)
            ),
        )
        if self._mark_stale:
            staging.mark_stale(session, span, self._recorded_at)
        return ids, warnings

    def finish(self) -> tuple[list[int], list[FieldError]]:
        """Wait for every part; their ids and warnings, in row order (or the first error)."""
        try:
            stored = [part.result() for part in self._parts]
        finally:
            self._executor.shutdown(wait=True)
        if self._before_id is not None:
            staging.drop(self._session)
        return [i for ids, _ in stored for i in ids], [w for _, ws in stored for w in ws]

    def abandon(self) -> None:
        """Wait for the part being stored; store no more."""
        self._executor.shutdown(wait=True, cancel_futures=True)


@lru_cache(maxsize=4096)
def _period_start(text: str) -> datetime:
    """When a period begins: a span of years in the January of its first year."""
    period = parse_period(text)
    if period.is_span:
        return datetime(period.first_year, 1, 1, tzinfo=UTC)
    return datetime(period.year, period.start_month, 1, tzinfo=UTC)


@lru_cache(maxsize=4096)
def _staged_period(text: str) -> tuple[int, str]:
    """A period's kind rank (its sort key's third part) and the same period a year before."""
    period = parse_period(text)
    return period.sort_key[2], f"{period.year - 1:04d}{text[4:]}"


def _staged_row(number: int, values: dict[str, Any], ref: ReferenceData) -> tuple[Any, ...]:
    rank, year_before = _staged_period(values["period"])
    return (
        number,
        values["indicator_code"],
        values["region_code"],
        values["period"],
        values["period_year"],
        values["period_end_month"],
        rank,
        year_before,
        ref.indicators[values["indicator_code"]].measure == "flow",
        values["value"],
    )


def _observation_row(id_: int, values: dict[str, Any]) -> tuple[Any, ...]:
    return (id_, *(values[column] for column in staging.OBSERVATION_COLUMNS[1:]))


def _store_rowwise(
    session: Session,
    built: list[dict[str, Any]],
    recorded_at: datetime,
    actor: str,
    ref: ReferenceData,
) -> tuple[list[int], list[FieldError]]:
    """SQLite: the comparison in Python, then one multi-row insert per table."""
    warnings = plausibility_warnings(session, built, recorded_at, ref.indicators)
    keys = [(v["indicator_code"], v["region_code"], v["period"]) for v in built]
    top = top_revisions(session, keys)
    for values, key in zip(built, keys, strict=True):
        values["revision"] = top.get(key, 0) + 1
        values["recorded_at"] = recorded_at
    # One statement per table (see insert_rows), not an ORM flush per object; the ids come
    # back in row order.
    ids = insert_rows(session, Observation, built)
    insert_rows(
        session,
        AuditEntry,
        [
            {
                "at": recorded_at,
                "actor": actor,
                "action": "create",
                "entity": "observation",
                "entity_id": id_,
                "before": None,
                "after": observation_snapshot(values),
            }
            for id_, values in zip(ids, built, strict=True)
        ],
    )
    return ids, warnings


def _num(v: Decimal | None) -> str | None:
    return None if v is None else format(v, "f")


def observation_snapshot(o: dict[str, Any]) -> dict[str, Any]:
    """The audit entry's ``after`` of a new observation, from its column values."""
    return {
        "indicator": o["indicator_code"],
        "region": o["region_code"],
        "period": o["period"],
        "revision": o["revision"],
        "value": _num(o["value"]),
        "unit": o["unit"],
        "stated_value": _num(o["stated_value"]),
        "stated_unit": o["stated_unit"],
        "yoy_growth": _num(o["yoy_growth"]),
        "reported_completion_rate": _num(o["reported_completion_rate"]),
        "document": o["document_code"],
        "note": o["note"],
    }
