"""Admins create and edit targets and plans; every change is versioned and audited."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import Any, NamedTuple, overload

from pydantic import ValidationError
from sqlalchemy import Select
from sqlalchemy.orm import Session

from app import changes
from app.db import UnitOfWork
from app.errors import AppError, FieldError, NotFound, ValidationFailed
from app.models import ApiKey, AuditEntry, Indicator, Plan, Region, Target
from app.models.types import utc_now
from app.queries import goals as q
from app.queries.goals import GoalModel
from app.queries.locks import lock_series
from app.schemas.goal import PlanRead, TargetRead
from app.schemas.write import GoalUpdate, PlanCreate, PlanUpdate, TargetCreate, TargetUpdate
from app.services import scopes, stored_reads
from app.services.api_keys import touch
from app.services.figures import (
    ReferenceData,
    check_goal,
    load_reference,
    new_plan,
    new_target,
)
from app.services.progress import evaluate

EDITABLE = (
    "basis",
    "comparator",
    "value",
    "unit",
    "baseline_year",
    "baseline_value",
    "baseline_unit",
    "stretch",
    "note",
)


def etag(goal: Target | Plan) -> str:
    return goal_etag(goal.id, goal.version)


def goal_etag(goal_id: int, version: int) -> str:
    return f'"{goal_id}-{version}"'


class Written(NamedTuple):
    """A goal as written: its read with the progress now, and its new ETag."""

    read: TargetRead | PlanRead
    etag: str


def create(uow: UnitOfWork, payload: TargetCreate | PlanCreate, key: ApiKey) -> Written:
    """Create a target or plan, audited, with its progress computed and stored."""
    return uow.run(partial(_create, payload=payload, key=key))


def _create(session: Session, payload: TargetCreate | PlanCreate, key: ApiKey) -> Written:
    touch(key)
    changes.touch_everything(session)  # a goal appears in lists of every kind
    scopes.require(session, key, {payload.region: None})
    return _written(session, create_goal(session, payload, key.name))


@dataclass(frozen=True)
class Edit:
    """A change to one goal, valid only while ``if_match`` names its current version."""

    model: type[Target] | type[Plan]
    goal_id: int
    changes: TargetUpdate | PlanUpdate
    if_match: str | None


def update(uow: UnitOfWork, edit: Edit, key: ApiKey) -> Written:
    """Change or retire a goal if ``If-Match`` still names its version; audited."""
    return uow.run(partial(_update, edit=edit, key=key))


def _update(session: Session, edit: Edit, key: ApiKey) -> Written:
    touch(key)
    changes.touch_everything(session)  # it may leave a region or an indicator
    goal = q.get(session, edit.model, edit.goal_id)
    if goal is None:
        raise NotFound(edit.model.__tablename__, edit.goal_id)
    scopes.require(session, key, {goal.region_code: None})
    return _written(session, update_goal(session, goal, edit.changes, edit.if_match, key.name))


def _written(session: Session, goal: Target | Plan) -> Written:
    """The goal's progress now, computed and stored with it."""
    read: TargetRead | PlanRead
    if isinstance(goal, Target):
        read = evaluate(session, Target, q.fetch(session, _one(Target, goal.id)))[0]
    else:
        read = evaluate(session, Plan, q.fetch(session, _one(Plan, goal.id)))[0]
    stored_reads.store(session, type(goal), [read])
    return Written(read, etag(goal))


def _one(model: type[GoalModel], goal_id: int) -> Select[GoalModel, Indicator, Region]:
    return q.goals_query(model, include_retired=True).where(model.id == goal_id)


def snapshot(goal: Target | Plan) -> dict[str, Any]:
    out: dict[str, Any] = {}
    names = (
        "indicator_code",
        "region_code",
        *EDITABLE,
        "document_code",
        "quote",
        "version",
        "retired_at",
        "retired_reason",
    )
    spans = ("start_year", "end_year") if isinstance(goal, Target) else ("year",)
    for name in (*names, *spans):
        value = getattr(goal, name)
        if isinstance(value, Decimal):
            value = format(value, "f")
        elif isinstance(value, datetime):
            value = value.isoformat()
        out[name] = value
    return out


def _audit(
    session: Session, actor: str, action: str, goal: Target | Plan, before: dict[str, Any] | None
) -> None:
    session.add(
        AuditEntry(
            actor=actor,
            action=action,
            entity=goal.__tablename__,
            entity_id=goal.id,
            before=before,
            after=snapshot(goal),
        )
    )


@overload
def create_goal(
    session: Session, payload: TargetCreate, actor: str, ref: ReferenceData | None = None
) -> Target: ...
@overload
def create_goal(
    session: Session, payload: PlanCreate, actor: str, ref: ReferenceData | None = None
) -> Plan: ...
def create_goal(
    session: Session,
    payload: TargetCreate | PlanCreate,
    actor: str,
    ref: ReferenceData | None = None,
) -> Target | Plan:
    """A new goal, checked, locked with its series, stored and audited (its progress is the
    caller's: ``_written``, or a document intake once its figures are in). ``ref``: the
    reference data, when the caller creates several goals."""
    errors = check_goal(payload, ref or load_reference(session))
    if errors:
        raise ValidationFailed(errors)
    lock_series(session, [(payload.indicator, payload.region)])  # its progress comes next
    goal: Target | Plan = (
        new_target(payload) if isinstance(payload, TargetCreate) else new_plan(payload)
    )
    session.add(goal)
    session.flush()
    _audit(session, actor, "create", goal, None)
    return goal


def goal_sources(goal: Target | Plan) -> list[dict[str, str | None]]:
    """Every ``{document, quote}`` that states the goal, in its order (oldest first)."""
    if goal.sources_json:
        listed: list[dict[str, str | None]] = json.loads(goal.sources_json)
        return listed
    if goal.document_code is None:
        return []
    return [{"document": goal.document_code, "quote": goal.quote}]


def cite(
    session: Session,
    goal: Target | Plan,
    document: str,
    quote: str | None,
    published: dict[str, date],
    actor: str,
) -> None:
    """Another document states ``goal`` alike (DESIGN v1.1: one goal, several documents):
    add it to the goal's sources, oldest document first (``published``: the documents'
    dates), as a versioned and audited change; ``source`` is then the oldest of them."""
    lock_series(session, [(goal.indicator_code, goal.region_code)])
    before = snapshot(goal) | {"sources": goal_sources(goal)}
    sources = [*goal_sources(goal), {"document": document, "quote": quote}]
    sources.sort(key=lambda s: (published.get(s["document"] or "", date.max), s["document"] or ""))
    values: dict[str, Any] = {
        "document_code": sources[0]["document"],
        "quote": sources[0]["quote"],
        "sources_json": json.dumps(sources, ensure_ascii=False) if len(sources) > 1 else None,
        "version": goal.version + 1,
        "updated_at": utc_now(),
    }
    if not q.update_versioned(session, goal, values):
        raise AppError(
            f"the {goal.__tablename__} {goal.id} changed meanwhile; send the document again",
            409,
            "conflict",
        )
    session.add(
        AuditEntry(
            actor=actor,
            action="update",
            entity=goal.__tablename__,
            entity_id=goal.id,
            before=before,
            after=snapshot(goal) | {"sources": goal_sources(goal)},
        )
    )


def _merged(goal: Target | Plan, changes: GoalUpdate) -> TargetCreate | PlanCreate:
    """The goal as it would be after the change, validated like a new one."""
    data: dict[str, Any] = {
        "indicator": goal.indicator_code,
        "region": goal.region_code,
        **{name: getattr(goal, name) for name in EDITABLE},
        "source": {"document": goal.document_code, "quote": goal.quote}
        if goal.document_code
        else None,
    }
    if isinstance(goal, Target):
        data |= {"start_year": goal.start_year, "end_year": goal.end_year}
    else:
        data |= {"year": goal.year}
    data |= changes.model_dump(exclude_unset=True, exclude={"retired", "retired_reason"})
    model = TargetCreate if isinstance(goal, Target) else PlanCreate
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(
            [
                FieldError(".".join(str(p) for p in e["loc"]) or "body", e["msg"])
                for e in exc.errors()
            ]
        ) from exc


def if_match_holds(if_match: str, current: str) -> bool:
    """RFC 9110: ``*`` matches any current representation; otherwise one of the listed
    entity tags must equal the current one by strong comparison (a weak tag never does)."""
    tags = [tag.strip() for tag in if_match.split(",")]
    return "*" in tags or current in tags


def _first_source_replaced(
    sources_json: str | None, merged: TargetCreate | PlanCreate
) -> str | None:
    """A goal several documents state keeps the others when its own source is edited."""
    if sources_json is None:
        return None
    others = json.loads(sources_json)[1:]
    first = [merged.source.model_dump()] if merged.source else []
    return json.dumps(first + others, ensure_ascii=False) if len(first + others) > 1 else None


def update_goal(
    session: Session,
    goal: Target | Plan,
    changes: TargetUpdate | PlanUpdate,
    if_match: str | None,
    actor: str,
) -> Target | Plan:
    """Compare-and-set on ``version``: a stale ``If-Match`` is a 412, never a lost update."""
    if if_match is None:
        raise AppError("send If-Match with the ETag you read", 428, "precondition_required")
    if not if_match_holds(if_match, etag(goal)):
        raise AppError(
            f"the {goal.__tablename__} changed since you read it (now {etag(goal)}); read it again",
            412,
            "precondition_failed",
        )
    # Before the row is updated: a poster holds the series lock while it updates goal rows.
    lock_series(session, [(goal.indicator_code, goal.region_code)])
    before = snapshot(goal)
    merged = _merged(goal, changes)
    errors = check_goal(merged, load_reference(session))
    if errors:
        raise ValidationFailed(errors)
    values: dict[str, Any] = {name: getattr(merged, name) for name in EDITABLE}
    values["document_code"] = merged.source.document if merged.source else None
    values["quote"] = merged.source.quote if merged.source else None
    values["sources_json"] = _first_source_replaced(goal.sources_json, merged)
    if isinstance(merged, TargetCreate):
        values |= {"start_year": merged.start_year, "end_year": merged.end_year}
    elif isinstance(merged, PlanCreate):
        values |= {"year": merged.year}
    action = "update"
    if changes.retired is True:
        values |= {"retired_at": utc_now(), "retired_reason": changes.retired_reason}
        action = "retire"
    elif changes.retired is False:
        values |= {"retired_at": None, "retired_reason": None}
    values |= {"version": goal.version + 1, "updated_at": utc_now()}
    if not q.update_versioned(session, goal, values):
        raise AppError(
            f"the {goal.__tablename__} changed since you read it; read it again",
            412,
            "precondition_failed",
        )
    _audit(session, actor, action, goal, before)
    return goal
