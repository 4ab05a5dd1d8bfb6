"""A new document registered with the figures a person confirmed from it, all or nothing.

The figures come from ``POST /documents/extract`` (proposals), possibly edited by the
person; here they are stored in one unit of work with the document they cite:

- observations through the posting path (``posting.record``: the batch checked whole,
  revisions, plausibility warnings, audit entries, ``pending`` in review mode);
- targets and plans through ``goals.create_goal``, as the admin endpoints create them; a
  goal in force that another document states alike (DESIGN v1.1) is not created twice:
  the new document joins its ``sources`` (``goals.cite``).

Any error and nothing is stored, the document neither. Errors name ``items[i].field``
(``i`` from 0, as the items were sent).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy.orm import Session

from app import changes
from app.db import UnitOfWork
from app.domain.extraction import DocumentContext, describe
from app.errors import AppError, FieldError, ValidationFailed
from app.models import ApiKey, AuditEntry, Document, Plan, Target
from app.queries import goals as goal_queries
from app.queries import reference as reference_queries
from app.queries.documents import goals_of_series
from app.queries.locks import lock_series
from app.schemas.common import ErrorItem
from app.schemas.goal import PlanRead, TargetRead
from app.schemas.intake import (
    RESERVED_CODES,
    DocumentIn,
    IntakeCounts,
    IntakeItem,
    IntakeResult,
    ItemOutcome,
)
from app.schemas.json_numbers import loads, splice
from app.schemas.write import PlanCreate, TargetCreate
from app.services import goals, idempotency, posting, scopes, stored_reads
from app.services import reference as reference_reads
from app.services.api_keys import touch
from app.services.backlog_refresher import WRITES
from app.services.figures import (
    GoalIdentity,
    ReferenceData,
    check_goal,
    goal_identity,
    load_reference,
)
from app.services.progress import evaluate
from app.text import to_simplified

GoalKind = Literal["target", "plan"]


@dataclass(frozen=True)
class Parsed:
    """A request body read: the document's fields, the items that passed their schema (by
    index), and the errors of the others."""

    document: DocumentIn
    items: list[tuple[int, IntakeItem]]
    total: int
    errors: list[tuple[int, FieldError]] = field(default_factory=list)
    # Each item's ``kind`` as sent, whether or not the item passed its schema.
    kinds: list[object] = field(default_factory=list)


@dataclass(frozen=True)
class Intake:
    """A document to register, as the route hands it over.

    ``pending``: the key's observations wait for a reviewer (``review.needs_review``).
    ``dry_run``: every check, then a rollback; a refusal is answered with 200.
    ``idempotency_key`` with the request's ``fingerprint``: a retry answers the first answer.
    """

    body: bytes
    key: ApiKey
    max_items: int
    pending: bool = False
    dry_run: bool = False
    idempotency_key: str | None = None
    fingerprint: str = ""


@dataclass(frozen=True)
class Registered:
    status: int
    body: bytes


def register(uow: UnitOfWork, intake: Intake) -> Registered:
    """Register the document and store its items in one transaction, or nothing."""
    if intake.idempotency_key is not None and not intake.idempotency_key.strip():
        raise AppError(
            "Idempotency-Key: empty; send a non-empty key, or no header at all",
            400,
            "bad_request",
            [FieldError("Idempotency-Key", "empty; send a non-empty key, or no header at all")],
        )
    try:
        parsed = parse(intake.body, intake.max_items)
    except ValidationFailed as exc:
        if intake.dry_run:
            return Registered(200, _refused(exc))
        raise
    with WRITES.writing():
        return uow.run(partial(_register, intake=intake, parsed=parsed), dry_run=intake.dry_run)


# --- reading the body -------------------------------------------------------------------


def item_field(index: int, name: str) -> str:
    """``items[3].value``: where in the body an item's problem is (``name`` as the posting
    path and the goal schemas name it)."""
    name = name.removeprefix("source.")
    if name in ("", "row", "body", "source"):
        return f"items[{index}]"
    return f"items[{index}].{name}"


def _loc(loc: Sequence[int | str]) -> str:
    return ".".join(str(p) for p in loc)


def parse(body: bytes, max_items: int) -> Parsed:
    """The body as a document and its items; a 422 for a body that is no document at all
    (not JSON, a bad code or date), a 413 for too many items. The items' schema errors are
    kept, to be answered with every other problem of the request."""
    try:
        data = loads(body)
    except (ValueError, RecursionError) as exc:
        raise ValidationFailed([FieldError("body", f"not valid JSON: {exc}")]) from exc
    if not isinstance(data, dict):
        raise ValidationFailed([FieldError("body", "send a JSON object: the document")])
    raw_items = data.pop("items", [])
    if not isinstance(raw_items, list):
        raise ValidationFailed([FieldError("items", "a JSON array of items")])
    if len(raw_items) > max_items:
        raise posting.PayloadTooLarge(
            f"a document holds at most {max_items} items; this one has {len(raw_items)}"
        )
    try:
        document = DocumentIn.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(
            [FieldError(_loc(e["loc"]) or "body", e["msg"]) for e in exc.errors()]
        ) from exc
    if document.code.lower() in RESERVED_CODES:
        raise ValidationFailed(
            [FieldError("code", f"'{document.code}' is reserved (/documents/{document.code})")]
        )
    items: list[tuple[int, IntakeItem]] = []
    errors: list[tuple[int, FieldError]] = []
    for index, raw in enumerate(raw_items):
        if not isinstance(raw, dict):
            errors.append((index, FieldError(f"items[{index}]", "each item is a JSON object")))
            continue
        try:
            items.append((index, IntakeItem.model_validate(raw)))
        except ValidationError as exc:
            errors += [
                (index, FieldError(item_field(index, _loc(e["loc"])), e["msg"]))
                for e in exc.errors()
            ]
    kinds = [raw.get("kind") if isinstance(raw, dict) else None for raw in raw_items]
    return Parsed(document, items, len(raw_items), errors, kinds)


# --- the unit of work ---------------------------------------------------------------------


@dataclass
class _Work:
    """What one request stores, as it goes."""

    session: Session
    key: ApiKey
    document: DocumentIn
    errors: list[tuple[int, FieldError]]
    outcomes: list[ItemOutcome] = field(default_factory=list)
    created: dict[GoalKind, list[int]] = field(default_factory=lambda: {"target": [], "plan": []})
    cited: dict[GoalKind, list[int]] = field(default_factory=lambda: {"target": [], "plan": []})

    def fail(self, index: int, name: str, message: str) -> None:
        self.errors.append((index, FieldError(item_field(index, name), message)))


def _register(session: Session, intake: Intake, parsed: Parsed) -> Registered:
    key = intake.key
    touch(key)
    changes.touch_everything(session)  # a document, its goals and figures
    if not intake.dry_run and intake.idempotency_key is not None:
        record = idempotency.replay(session, key, intake.idempotency_key, intake.fingerprint)
        if record is not None:
            return Registered(record.status_code, record.response_body.encode())
    doc = parsed.document
    if reference_queries.document(session, doc.code) is not None:
        raise AppError(
            f"a document with the code '{doc.code}' is registered already",
            409,
            "document_exists",
            [FieldError("code", f"'{doc.code}' is taken: /api/v1/documents/{doc.code}")],
        )
    _require_goal_rights(key, parsed.kinds)
    _require_scope(session, key, doc, parsed.items)
    work = _Work(session, key, doc, list(parsed.errors))
    _check_quotes(work, parsed.items)
    _check_indicators(work, parsed.items)
    if reference_queries.region(session, doc.region) is None:
        work.errors.append((-1, FieldError("region", f"unknown region '{doc.region}'")))
    _add_document(work)
    named = [(i, item) for i, item in parsed.items if item.indicator is not None]
    _store_goals(work, [(i, item) for i, item in named if item.kind != "observation"])
    recorded = _store_observations(
        work, [(i, item) for i, item in named if item.kind == "observation"], intake
    )
    if work.errors:
        refused = _refusal(work.errors, parsed.total)
        if intake.dry_run:
            return Registered(200, _refused(refused))
        raise refused
    result = _result(work, recorded, intake.dry_run)
    body = splice(result.model_dump_json().encode())
    if intake.dry_run:
        return Registered(200, body)
    if intake.idempotency_key is not None:
        idempotency.remember(
            session, key, intake.idempotency_key, intake.fingerprint, 201, body.decode()
        )
    return Registered(201, body)


def _require_goal_rights(key: ApiKey, kinds: list[object]) -> None:
    """Targets and plans are an admin's to write (DESIGN: ``admin`` also edits targets and
    plans), creating one or adding a source to one alike: a 403 naming each such item."""
    if key.role == "admin":
        return
    goal_items = [(i, kind) for i, kind in enumerate(kinds) if kind in ("target", "plan")]
    if not goal_items:
        return
    raise AppError(
        f"the key '{key.name}' ({key.role}) may store observations only; targets and plans "
        f"need an admin key: {', '.join(f'items[{i}]' for i, _ in goal_items)}",
        403,
        "forbidden",
        [
            FieldError(
                f"items[{i}].kind",
                f"a {kind} needs an admin key; untick it, or send it with an admin key",
            )
            for i, kind in goal_items
        ],
    )


def _require_scope(
    session: Session, key: ApiKey, doc: DocumentIn, items: list[tuple[int, IntakeItem]]
) -> None:
    """A scoped key registers documents of its regions, with figures of its regions: a 403
    ``region_forbidden`` naming the document's region and each item outside the scope."""
    scope = scopes.scope(session, key)
    if not scope:
        return
    named = [(-1, doc.region), *((i, item.region) for i, item in items)]
    codes = {code for _, code in named if code.isprintable()}
    forbidden = scopes.outside(session, scope, codes)
    if not forbidden:
        return
    within = ", ".join(scope)
    raise AppError(
        f"the key '{key.name}' may write for {within} and their subregions only, not for "
        f"{', '.join(sorted(forbidden))}",
        403,
        "region_forbidden",
        [
            FieldError(
                "region" if i < 0 else f"items[{i}].region",
                f"'{code}' is outside the key's scope ({within})",
            )
            for i, code in named
            if code in forbidden
        ],
    )


def _check_quotes(work: _Work, items: list[tuple[int, IntakeItem]]) -> None:
    """With the text given, every quote must be found in it exactly: the document page
    marks each figure where its quote stands, and a reader checks the figure there."""
    text = work.document.text
    if text is None:
        return
    for index, item in items:
        if item.quote not in text:
            work.fail(
                index,
                "quote",
                "not found in the document's text: quote its words exactly, as they stand",
            )


def _check_indicators(work: _Work, items: list[tuple[int, IntakeItem]]) -> None:
    """A proposal whose indicator was not matched (null) needs the person's choice."""
    for index, item in items:
        if item.indicator is None:
            phrase = f" for '{item.indicator_phrase}'" if item.indicator_phrase else ""
            work.fail(index, "indicator", f"choose the indicator{phrase}: none was matched")


def _script(doc: DocumentIn) -> str:
    sample = doc.text if doc.text is not None else doc.title
    return "traditional" if to_simplified(sample) != sample else "simplified"


def _add_document(work: _Work) -> None:
    doc = work.document
    kind = (
        doc.kind
        or describe(to_simplified(doc.title), DocumentContext(region=doc.region, kind=None))[0]
    )
    row = Document(
        code=doc.code,
        title=doc.title,
        title_en=doc.title_en or doc.title,
        issuer=doc.issuer or "",
        published_on=doc.published_on,
        date_note=doc.date_note,
        kind=kind,
        script=_script(doc),
        region_code=doc.region,
        text=doc.text,
    )
    work.session.add(row)
    work.session.flush()
    after: dict[str, Any] = {
        "code": row.code,
        "title": row.title,
        "title_en": row.title_en,
        "issuer": row.issuer,
        "published_on": row.published_on.isoformat(),
        "date_note": row.date_note,
        "kind": row.kind,
        "script": row.script,
        "region": row.region_code,
        # the text itself is kept on the document; the trail names which text it was
        "text_chars": None if doc.text is None else len(doc.text),
        "text_sha256": None
        if doc.text is None
        else hashlib.sha256(doc.text.encode("utf-8")).hexdigest(),
    }
    work.session.add(
        AuditEntry(
            actor=work.key.name,
            action="create",
            entity="document",
            entity_id=None,
            entity_key=row.code,
            before=None,
            after=after,
        )
    )


# --- targets and plans ----------------------------------------------------------------------


def _goal_payload(work: _Work, index: int, item: IntakeItem) -> TargetCreate | PlanCreate | None:
    """The item as the admin endpoints' body, or None with its errors recorded."""
    missing = [
        name for name in ("basis", "comparator", "value", "unit") if getattr(item, name) is None
    ]
    spans = ("start_year", "end_year") if item.kind == "target" else ("year",)
    missing += [name for name in spans if getattr(item, name) is None]
    for name in missing:
        work.fail(index, name, f"a {item.kind} needs its {name}")
    if missing:
        return None
    data: dict[str, Any] = {
        "indicator": item.indicator,
        "region": item.region,
        "basis": item.basis,
        "comparator": item.comparator,
        "value": item.value,
        "unit": item.unit,
        "baseline_year": item.baseline_year,
        "baseline_value": item.baseline_value,
        "baseline_unit": item.baseline_unit,
        "stretch": item.stretch,
        "source": {"document": work.document.code, "quote": item.quote},
        "note": item.note or None,
    }
    data |= {name: getattr(item, name) for name in spans}
    model = TargetCreate if item.kind == "target" else PlanCreate
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for e in exc.errors():
            work.fail(index, _loc(e["loc"]), e["msg"])
        return None


def _store_goals(work: _Work, items: list[tuple[int, IntakeItem]]) -> None:
    """Check every goal item; then create each, or cite the goal in force it states alike."""
    if not items:
        return
    session = work.session
    ref = load_reference(session)
    checked: list[tuple[int, GoalKind, TargetCreate | PlanCreate]] = []
    for index, item in items:
        payload = _goal_payload(work, index, item)
        if payload is None:
            continue
        problems = check_goal(payload, ref)
        for problem in problems:
            work.fail(index, problem.field, problem.message)
        if not problems:
            kind: GoalKind = "target" if item.kind == "target" else "plan"
            checked.append((index, kind, payload))
    # The series first: the goals in force read next are then current until the commit.
    lock_series(session, {(p.indicator, p.region) for _, _, p in checked})
    in_force = _goals_in_force(session, ref, checked)
    stated: dict[GoalIdentity, int] = {}
    published = reference_queries.publication_dates(session)
    for index, kind, payload in checked:
        identity = goal_identity(kind + "s", payload, ref)
        if identity in stated:
            work.fail(index, "", f"states the same {kind} as items[{stated[identity]}]")
            continue
        stated[identity] = index
        if work.errors:
            continue  # nothing to write: the request is refused
        existing = in_force.get(identity)
        if existing is not None:
            quote = payload.source.quote if payload.source else None
            goals.cite(session, existing, work.document.code, quote, published, work.key.name)
            work.cited[kind].append(existing.id)
            work.outcomes.append(
                ItemOutcome(index=index, kind=kind, id=existing.id, action="cited")
            )
            continue
        goal = goals.create_goal(session, payload, work.key.name, ref)
        work.created[kind].append(goal.id)
        work.outcomes.append(ItemOutcome(index=index, kind=kind, id=goal.id, action="created"))


def _goals_in_force(
    session: Session,
    ref: ReferenceData,
    checked: list[tuple[int, GoalKind, TargetCreate | PlanCreate]],
) -> dict[GoalIdentity, Target | Plan]:
    """The goals in force of the items' series, by what makes two goals one."""
    found: dict[GoalIdentity, Target | Plan] = {}
    for kind, model in (("target", Target), ("plan", Plan)):
        pairs = {(p.indicator, p.region) for _, k, p in checked if k == kind}
        if not pairs:
            continue
        rows = goals_of_series(session, model, {i for i, _ in pairs}, {r for _, r in pairs})
        for goal in rows:
            if (goal.indicator_code, goal.region_code) in pairs:
                found.setdefault(goal_identity(kind + "s", goal, ref), goal)
    return found


# --- observations ---------------------------------------------------------------------------


def _store_observations(
    work: _Work, items: list[tuple[int, IntakeItem]], intake: Intake
) -> posting.Recorded | None:
    """The observation items through the posting path, as one batch citing the document."""
    if not items:
        return None
    rows: list[dict[str, Any]] = []
    indexes: list[int] = []  # the item of each row
    for index, item in items:
        if item.period is None:
            work.fail(index, "period", "an observation needs its period (2024-H1, 2023 …)")
            continue
        indexes.append(index)
        rows.append(
            {
                "indicator": item.indicator,
                "region": item.region,
                "period": item.period,
                "value": item.value,
                "unit": item.unit,
                "yoy_growth": item.yoy_growth,
                "reported_completion_rate": item.reported_completion_rate,
                "source": {"document": work.document.code, "quote": item.quote},
                "note": item.note or None,
            }
        )
    if not rows:
        return None
    request = posting.Post(
        rows=rows, key=work.key, max_rows=intake.max_items, pending=intake.pending
    )
    try:
        recorded = posting.record(work.session, request)
    except ValidationFailed as exc:
        for problem in exc.errors:
            work.fail(indexes[(problem.row or 1) - 1], problem.field, problem.message)
        return None
    state: Literal["published", "pending"] = "pending" if intake.pending else "published"
    for index, id_ in zip(indexes, recorded.outcome.ids, strict=True):
        work.outcomes.append(
            ItemOutcome(index=index, kind="observation", id=id_, action="recorded", state=state)
        )
    return recorded


# --- the answer -----------------------------------------------------------------------------


def _refusal(errors: list[tuple[int, FieldError]], total: int) -> ValidationFailed:
    ordered = [e for _, e in sorted(errors, key=lambda pair: pair[0])]
    bad = len({i for i, _ in errors if i >= 0})
    first = ordered[0]
    return ValidationFailed(
        ordered,
        f"{bad} of {total} items are invalid, nothing was stored; "
        f"first: {first.field}: {first.message}"
        if bad
        else f"the document is invalid, nothing was stored: {first.field}: {first.message}",
    )


def _refused(exc: AppError) -> bytes:
    return (
        IntakeResult(
            dry_run=True,
            valid=False,
            message=exc.message,
            errors=[ErrorItem(**e.as_dict()) for e in exc.errors],
        )
        .model_dump_json()
        .encode()
    )


def _goal_reads(work: _Work) -> tuple[list[TargetRead], list[PlanRead]]:
    """The goals created or cited, with their progress now (computed and stored: a cited
    goal's stored read lists its new source)."""
    session = work.session
    target_ids = sorted({*work.created["target"], *work.cited["target"]})
    plan_ids = sorted({*work.created["plan"], *work.cited["plan"]})
    targets: list[TargetRead] = []
    plans: list[PlanRead] = []
    if target_ids:
        query = goal_queries.goals_query(Target).where(Target.id.in_(target_ids))
        targets = evaluate(session, Target, goal_queries.fetch(session, query))
        stored_reads.store(session, Target, targets)
    if plan_ids:
        plan_query = goal_queries.goals_query(Plan).where(Plan.id.in_(plan_ids))
        plans = evaluate(session, Plan, goal_queries.fetch(session, plan_query))
        stored_reads.store(session, Plan, plans)
    return targets, plans


def _result(work: _Work, recorded: posting.Recorded | None, dry_run: bool) -> IntakeResult:
    targets, plans = _goal_reads(work)
    observations = recorded.observations() if recorded is not None else []
    warnings: list[ErrorItem] = []
    if recorded is not None:
        indexes = [o.index for o in work.outcomes if o.kind == "observation"]
        for w in recorded.outcome.warnings:
            index = indexes[(w.row or 1) - 1]
            warnings.append(
                ErrorItem(field=item_field(index, w.field), message=w.message, code=w.code)
            )
    pending = sum(1 for o in observations if o.state == "pending")
    return IntakeResult(
        dry_run=dry_run,
        document=reference_reads.document(work.session, work.document.code),
        stored=IntakeCounts(
            targets=len(work.created["target"]),
            plans=len(work.created["plan"]),
            cited=len(work.cited["target"]) + len(work.cited["plan"]),
            observations=len(observations),
            pending=pending,
        ),
        items=sorted(work.outcomes, key=lambda o: o.index),
        targets=targets,
        plans=plans,
        observations=observations,
        warnings=warnings,
    )
