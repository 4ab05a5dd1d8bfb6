"""Review before publication (``PUBLISH_MODE=review``): figures wait, pending, until a
reviewer of their region approves or rejects them.

Who waits: in review mode the figures of analysts and reviewers; an admin's are published
at once (an admin may do everything, and bulk loads of official releases come that way).
Who decides: a reviewer or admin whose scope covers every figure's region, never on
figures the key posted itself (four eyes). A figure counts from its approval:
``published_at`` is the approval's moment, every as-of read filters on it, and the goals
of the approved series are recomputed in the same transaction. A rejected figure keeps
its reason, its reviewer and the moment, and never counts. Each decision is audited.
"""

from __future__ import annotations

from functools import partial

from pydantic import TypeAdapter
from sqlalchemy.orm import Session

from app import changes
from app.db import UnitOfWork
from app.errors import AppError, FieldError, ValidationFailed
from app.models import ApiKey, AuditEntry, Observation
from app.models.types import utc_now
from app.queries import observations as q
from app.queries import paging
from app.queries.locks import lock_series
from app.queries.revisions import insert_rows
from app.schemas.goal import PlanRead, TargetRead
from app.schemas.review import ReviewDecision, ReviewResult
from app.services import scopes, stored_reads
from app.services.api_keys import touch
from app.services.render import observation_read

# The goals an approval moved, from their stored JSON (as the post answer splices them).
_TARGETS = TypeAdapter(list[TargetRead])
_PLANS = TypeAdapter(list[PlanRead])


def needs_review(publish_mode: str, key: ApiKey) -> bool:
    """Whether the figures ``key`` posts wait for a reviewer."""
    return publish_mode == "review" and key.role != "admin"


def decide(uow: UnitOfWork, decision: ReviewDecision, key: ApiKey) -> ReviewResult:
    """Approve or reject pending figures, all or none, in one transaction."""
    return uow.run(partial(_decide, decision=decision, key=key))


def _decide(session: Session, decision: ReviewDecision, key: ApiKey) -> ReviewResult:
    touch(key)
    ids = sorted(set(decision.ids))
    reason = (decision.reason or "").strip() or None
    if decision.decision == "reject" and reason is None:
        raise ValidationFailed([FieldError("reason", "say why the figures are rejected")])
    rows = q.by_ids(session, ids)
    missing = sorted(set(ids) - {row.id for row in rows})
    if missing:
        raise ValidationFailed(
            [FieldError("ids", f"no observation {', '.join(map(str, missing))}")]
        )
    scopes.require(session, key, {row.region_code: None for row in rows})
    own = [row.id for row in rows if row.recorded_by == key.name]
    if own:
        raise AppError(
            f"a reviewer never decides on figures of their own key: {', '.join(map(str, own))}",
            403,
            "own_figures",
        )
    lock_series(session, {(row.indicator_code, row.region_code) for row in rows})
    changes.touch_series(session, {(row.indicator_code, row.region_code) for row in rows})
    _require_pending(rows)
    now = utc_now()
    values: dict[str, object] = {"reviewed_at": now, "reviewed_by": key.name}
    if decision.decision == "approve":
        values |= {"state": "published", "published_at": now}
    else:
        values |= {"state": "rejected", "review_reason": reason}
    if q.decide(session, ids, values) != len(ids):  # another reviewer was first
        raise AppError(
            "some of these figures were decided meanwhile; read them again", 409, "conflict"
        )
    insert_rows(
        session,
        AuditEntry,
        [
            {
                "at": now,
                "actor": key.name,
                "action": decision.decision,
                "entity": "observation",
                "entity_id": row.id,
                "before": {"state": "pending"},
                "after": {"state": values["state"], "reason": reason},
            }
            for row in rows
        ],
    )
    targets: list[bytes] = []
    plans: list[bytes] = []
    if decision.decision == "approve":
        # The moment of change for stored progress: the goals of these series now.
        targets, plans = stored_reads.refresh_for_figures(
            session, ((row.indicator_code, row.region_code, row.period_year) for row in rows)
        )
    stmt = q.with_refs_by_ids(ids).execution_options(populate_existing=True)
    found = paging.rows(session, stmt, len(ids), 0)
    return ReviewResult(
        decision=decision.decision,
        items=[observation_read(o, i, r) for o, i, r in found],
        targets=_TARGETS.validate_json(b"[" + b",".join(targets) + b"]"),
        plans=_PLANS.validate_json(b"[" + b",".join(plans) + b"]"),
    )


def _require_pending(rows: list[Observation]) -> None:
    decided = [row for row in rows if row.state != "pending"]
    if decided:
        raise AppError(
            "only pending figures are reviewed: "
            + ", ".join(f"{row.id} is {row.state}" for row in decided),
            409,
            "conflict",
        )
