"""Each goal's status as of now, stored beside it and kept current on every write.

Status depends only on the goal and the observations recorded so far, never on the
clock, so the stored value stays right until the next write that touches the goal's
indicator and region. That lets counts and status filters run in SQL; a goal whose
status is missing (loaded behind the service's back) is computed on first use.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import Select, update
from sqlalchemy.orm import Session

from app.models import Indicator, Plan, Region, Target
from app.models.types import utc_now
from app.queries import goals as q
from app.queries.goals import GoalModel
from app.schemas.goal import PlanRead, TargetRead
from app.services.progress import evaluate_plans, evaluate_targets

BATCH = 5_000


def store(
    session: Session, model: type[Target] | type[Plan], reads: Iterable[TargetRead | PlanRead]
) -> None:
    """One UPDATE per status value, whatever the number of goals."""
    by_status: dict[str, list[int]] = defaultdict(list)
    for read in reads:
        by_status[read.progress.status].append(read.id)
    for status, ids in by_status.items():
        for start in range(0, len(ids), BATCH):
            session.execute(
                update(model)
                .where(model.id.in_(ids[start : start + BATCH]))
                .values(status=status)
                .execution_options(synchronize_session=False)
            )


def _evaluate(
    session: Session, model: type[GoalModel], rows: Sequence[object]
) -> list[TargetRead] | list[PlanRead]:
    now = utc_now()
    if model is Target:
        return evaluate_targets(session, rows, now)  # type: ignore[arg-type]
    return evaluate_plans(session, rows, now)  # type: ignore[arg-type]


def refresh(
    session: Session, model: type[GoalModel], stmt: Select[GoalModel, Indicator, Region]
) -> None:
    """Recompute and store the status of every goal ``stmt`` selects, in batches."""
    offset = 0
    while True:
        rows = q.fetch(session, stmt.order_by(None).order_by(model.id).limit(BATCH).offset(offset))
        if not rows:
            return
        store(session, model, _evaluate(session, model, rows))
        offset += BATCH


def refresh_missing(
    session: Session, model: type[GoalModel], stmt: Select[GoalModel, Indicator, Region]
) -> None:
    """Compute and keep the status of the goals among ``stmt``'s that have none yet.

    Committed at once, even on a read: it is a cache of what the figures already say.
    """
    missing = stmt.where(model.status.is_(None))
    if session.scalar(missing.with_only_columns(model.id).limit(1)) is None:
        return
    refresh(session, model, missing)
    session.commit()


def refresh_all(session: Session) -> None:
    refresh(session, Target, q.goals_query(Target, include_retired=True))
    refresh(session, Plan, q.goals_query(Plan, include_retired=True))


def refresh_pairs(
    session: Session, pairs: set[tuple[str, str]]
) -> tuple[list[TargetRead], list[PlanRead]]:
    """Recompute the goals of these (indicator, region) pairs; returns their fresh reads."""
    if not pairs:
        return [], []
    indicators = {p[0] for p in pairs}
    regions = {p[1] for p in pairs}
    targets = [
        r
        for r in q.fetch(
            session,
            q.goals_query(Target).where(
                Target.indicator_code.in_(indicators), Target.region_code.in_(regions)
            ),
        )
        if (r[0].indicator_code, r[0].region_code) in pairs
    ]
    plans = [
        r
        for r in q.fetch(
            session,
            q.goals_query(Plan).where(
                Plan.indicator_code.in_(indicators), Plan.region_code.in_(regions)
            ),
        )
        if (r[0].indicator_code, r[0].region_code) in pairs
    ]
    now = utc_now()
    target_reads = evaluate_targets(session, targets, now)
    plan_reads = evaluate_plans(session, plans, now)
    store(session, Target, target_reads)
    store(session, Plan, plan_reads)
    return target_reads, plan_reads
