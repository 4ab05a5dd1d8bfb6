"""Each goal's status and progress as of now, stored beside it and kept current on every write.

Progress depends only on the goal and the observations recorded so far, never on the
clock, so the stored block stays right until the next write that touches the goal or its
(indicator, region) series; every such write recomputes it in the same transaction. That
lets counts and status filters run in SQL and a page of goals be read without touching the
observations. A goal whose progress is missing (loaded behind the service's back, or
stored before migration 0004) is computed on first use, and ``python -m app progress
refresh`` recomputes them all (after a change to the arithmetic, for instance).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import Row, Select
from sqlalchemy.orm import Session

from app import changes
from app.db import UnitOfWork
from app.domain.progress import depends_on_year
from app.models import Indicator, Plan, Region, Target
from app.models.types import utc_now
from app.queries import backlog, history, paging
from app.queries import goals as q
from app.queries.goals import GoalModel
from app.queries.locks import lock_every_series, lock_series
from app.queries.observations import latest_points
from app.schemas.goal import PlanRead, TargetRead
from app.services.progress import evaluate
from app.services.render import item_json, page_json, read_fragment

# Goals evaluated per round trip when many are recomputed: their series are fetched
# together, and memory stays bounded whatever the number of goals.
BATCH = 5_000

GoalRows = Sequence[Row[Any, Indicator, Region]]


def store(
    session: Session,
    model: type[Target] | type[Plan],
    reads: Iterable[TargetRead | PlanRead],
    *,
    only_missing: bool = False,
    forget: bool = True,
) -> dict[int, str]:
    """Write each read's status and progress onto its goal; returns the stored fragments
    by goal id.

    ``only_missing`` is for fills on a read: a writer that committed meanwhile has already
    stored a newer block, which a fill computed from an older snapshot must not overwrite.
    Otherwise the goals' status timelines are dropped, to be built again off the write
    path (app/services/status_history.py); ``forget=False`` when they are all gone already.
    """
    fragments = {r.id: (r.progress.status, read_fragment(r)) for r in reads}
    changes.touch_series(session, {(r.indicator.code, r.region.code) for r in reads})
    q.store_reads(
        session,
        model,
        [(goal_id, status, fragment) for goal_id, (status, fragment) in fragments.items()],
        only_missing=only_missing,
    )
    if forget and not only_missing:
        history.forget(session, model.__tablename__, fragments)
    return {goal_id: fragment for goal_id, (_, fragment) in fragments.items()}


def current_page(
    uow: UnitOfWork,
    model: type[Target] | type[Plan],
    stmt: Select[Any, Indicator, Region],
    *,
    limit: int,
    offset: int,
) -> bytes:
    """A page of goals as of now, as JSON, from their stored reads: one statement of plain
    columns (the total and each goal's staleness read with them, in one snapshot), and no
    arithmetic. Goals without a stored read are computed and kept first, through the unit
    of work (the stored read is a cache of what the figures say)."""
    rows = q.stored_page(session := uow.session, model, stmt, limit, offset)
    if rows:
        total = rows[0].total
    elif offset:  # past the end: the page is empty, the total still counts
        total = paging.count(session, stmt)
    else:
        total = 0
    return page_of_rows(uow, model, lambda: stmt, rows, total, limit=limit, offset=offset)


def page_of_rows(
    uow: UnitOfWork,
    model: type[Target] | type[Plan],
    query: Callable[[], Select[Any, Indicator, Region]],
    rows: Sequence[q.StoredRow],
    total: int,
    *,
    limit: int,
    offset: int,
) -> bytes:
    """``current_page``'s answer from its rows; ``query`` gives the goals' statement, needed
    only when one has no current stored read."""
    session = uow.session
    fresh: dict[int, str] = {}
    # A stale goal (its series in the backlog) is computed, not stored: only the backlog's
    # refresh, under the series' locks, may store over it (app/models/backlog.py).
    stale = {row.id for row in rows if row.stale}
    missing = [row.id for row in rows if row.read_json is None or row.id in stale]
    if missing:
        stmt = query()
        reads = evaluate(session, model, q.fetch(session, stmt.where(model.id.in_(missing))))
        kept = [r for r in reads if r.id not in stale]
        fresh = {r.id: read_fragment(r) for r in reads if r.id in stale}
        if kept:
            fresh |= uow.run(partial(store, model=model, reads=kept, only_missing=True))
    items = [_stored_item(row, fresh.get(row.id) or row.read_json or "") for row in rows]
    return page_json(items, total, limit, offset)


def stored_page(rows: Sequence[q.StoredRow], *, limit: int, offset: int) -> bytes | None:
    """``page_of_rows``'s answer when its stored reads make the whole page: every row
    current (none stale, none missing). None otherwise, and for no rows: an unknown code
    or a page past the end, which the general path tells apart."""
    if not rows or any(row.stale or row.read_json is None for row in rows):
        return None
    return page_json(
        [_stored_item(row, row.read_json or "") for row in rows], rows[0].total, limit, offset
    )


def _stored_item(row: q.StoredRow, read_json: str) -> str:
    return item_json(
        row.id,
        (row.indicator_code, row.indicator_name, row.indicator_unit),
        (row.region_code, row.region_name),
        read_json,
    )


def current_items(
    session: Session, model: type[Target] | type[Plan], stmt: Select[Any, Indicator, Region]
) -> Iterator[str]:
    """Every goal ``stmt`` selects as its JSON item as of now, from the stored reads, a
    batch at a time (for the exports). A goal without a stored read, or a stale one, is
    computed and not stored: the export streams after its unit of work has answered."""
    for rows in q.stored_batches(session, model, stmt, BATCH):
        missing = [row.id for row in rows if row.read_json is None or row.stale]
        fresh: dict[int, str] = {}
        if missing:
            goals = q.fetch(session, stmt.order_by(None).where(model.id.in_(missing)))
            fresh = {r.id: read_fragment(r) for r in evaluate(session, model, goals)}
        for row in rows:
            yield _stored_item(row, fresh.get(row.id) or row.read_json or "")


def _batches(
    session: Session, model: type[GoalModel], stmt: Select[GoalModel, Indicator, Region]
) -> Iterator[GoalRows]:
    """The goals ``stmt`` selects, ``BATCH`` at a time (app/queries/paging.py)."""
    return paging.keyset_batches(session, stmt, model.id, BATCH)


def refresh(
    session: Session,
    model: type[GoalModel],
    stmt: Select[GoalModel, Indicator, Region],
    *,
    forget: bool = True,
) -> int:
    """Recompute and store the progress of every goal ``stmt`` selects; returns how many."""
    done = 0
    for rows in _batches(session, model, stmt):
        store(session, model, evaluate(session, model, rows), forget=forget)
        done += len(rows)
    return done


def refresh_missing(
    uow: UnitOfWork, model: type[GoalModel], stmt: Select[GoalModel, Indicator, Region]
) -> None:
    """Compute and keep the status of the goals among ``stmt``'s that have none yet, or
    whose series wait in the backlog: each batch one transaction of the unit of work."""
    drain(uow, backlog.pairs_among(uow.session, model, stmt))
    missing = stmt.where(model.status.is_(None))
    if not q.any_goal(uow.session, model, missing):
        return
    while uow.run(partial(_fill_batch, model=model, missing=missing)):
        pass


def _fill_batch(
    session: Session, model: type[GoalModel], missing: Select[GoalModel, Indicator, Region]
) -> bool:
    """Store the next batch of goals without a status; False when none is left."""
    changes.touch_nothing(session)  # only what it stores (``store``)
    rows = q.fetch(session, missing.order_by(None).order_by(model.id).limit(BATCH))
    if not rows:
        return False
    store(session, model, evaluate(session, model, rows), only_missing=True)
    return True


def current_status_counts(
    uow: UnitOfWork,
    region: str | None,
    targets: Select[Target, Indicator, Region],
    plans: Select[Plan, Indicator, Region],
) -> tuple[Counter[str], Counter[str]]:
    """Targets and plans in force by status now: any missing status computed first, then
    the tally summed; a tally grown past ``COMPACT_TALLIES_AT`` rows is compacted after."""
    refresh_missing(uow, Target, targets)
    refresh_missing(uow, Plan, plans)
    target_counts, target_rows = q.status_counts(uow.session, Target, region)
    plan_counts, plan_rows = q.status_counts(uow.session, Plan, region)
    if target_rows + plan_rows > q.COMPACT_TALLIES_AT:
        uow.run(_compact_tallies)
    return target_counts, plan_counts


def _compact_tallies(session: Session) -> None:
    changes.touch_nothing(session)  # the same counts in fewer rows; the summary is not cached
    q.compact_tallies(session)


def refresh_all(session: Session) -> int:
    changes.touch_everything(session)  # every goal
    lock_every_series(session)  # posts wait, rather than race the recomputation
    history.clear(session)  # built again afterwards, with the arithmetic of now
    done = refresh(
        session, Target, q.goals_query(Target, include_retired=True), forget=False
    ) + refresh(session, Plan, q.goals_query(Plan, include_retired=True), forget=False)
    q.compact_tallies(session)  # a refresh after a bulk load leaves a delta per goal
    backlog.clear_all(session)
    return done


def refresh_pairs(session: Session, pairs: set[tuple[str, str]]) -> int:
    """Recompute every goal, retired ones included, of these (indicator, region) pairs."""
    lock_series(session, pairs)
    done = 0
    for stmt in _pair_chunks(q.goals_query(Target, include_retired=True), Target, pairs):
        done += refresh(session, Target, stmt)
    for plans in _pair_chunks(q.goals_query(Plan, include_retired=True), Plan, pairs):
        done += refresh(session, Plan, plans)
    backlog.clear(session, pairs)
    return done


def _pair_chunks(
    stmt: Select[GoalModel, Indicator, Region],
    model: type[GoalModel],
    pairs: set[tuple[str, str]],
) -> Iterator[Select[GoalModel, Indicator, Region]]:
    """``stmt`` narrowed to the pairs' regions and indicators, 500 regions at a time (a
    superset of the pairs: recomputing a goal whose figures did not change is harmless)."""
    regions = sorted({p[1] for p in pairs})
    for start in range(0, len(regions), 500):
        chunk = set(regions[start : start + 500])
        indicators = sorted({i for i, r in pairs if r in chunk})
        yield stmt.where(model.region_code.in_(chunk), model.indicator_code.in_(indicators))


def status_counts_as_of(
    session: Session,
    model: type[GoalModel],
    stmt: Select[GoalModel, Indicator, Region],
    as_of: datetime,
) -> dict[str, int]:
    """Statuses at a past moment: every goal evaluated, in batches of bounded memory."""
    counts: dict[str, int] = {}
    for rows in _batches(session, model, stmt):
        reads: Sequence[TargetRead | PlanRead] = evaluate(session, model, rows, as_of)
        for read in reads:
            counts[read.progress.status] = counts.get(read.progress.status, 0) + 1
    return counts


# Series recomputed together after a post: their goals, figures and reads are dropped
# before the next round, so a 10,000-row batch holds one round's worth at a time.
PAIRS_PER_ROUND = 1_000


def earliest_years(figures: Iterable[tuple[str, str, int]]) -> dict[tuple[str, str], int]:
    """Each series' earliest year among figures (indicator, region, period year)."""
    earliest: dict[tuple[str, str], int] = {}
    for indicator, region, year in figures:
        pair = (indicator, region)
        earliest[pair] = min(year, earliest.get(pair, year))
    return earliest


def refresh_stale_now(session: Session, earliest: dict[tuple[str, str], int]) -> None:
    """Recompute the goals these new figures can change (the series are locked already)."""
    now = utc_now()
    for round_ in _rounds(earliest):
        _recompute(session, round_, now)


def _rounds(earliest: dict[tuple[str, str], int]) -> Iterator[dict[tuple[str, str], int]]:
    """The series in rounds of ``PAIRS_PER_ROUND``, region by region."""
    by_region = sorted(earliest, key=lambda pair: (pair[1], pair[0]))
    for start in range(0, len(by_region), PAIRS_PER_ROUND):
        yield {pair: earliest[pair] for pair in by_region[start : start + PAIRS_PER_ROUND]}


def refresh_stale(session: Session, pairs: Iterable[tuple[str, str]]) -> int:
    """Recompute the goals of these backlog series, under their locks, and take them out
    of the backlog; returns how many series were in it. The caller commits."""
    pairs = set(pairs)
    changes.touch_nothing(session)  # only the series it recomputes
    lock_series(session, pairs)
    waiting = backlog.years(session, pairs)  # read under the locks: no post adds to it now
    if waiting:
        changes.touch_series(session, waiting)
        refresh_stale_now(session, waiting)
        backlog.clear(session, waiting)
    return len(waiting)


def drain(uow: UnitOfWork, pairs: Iterable[tuple[str, str]]) -> int:
    """``refresh_stale`` in rounds of ``PAIRS_PER_ROUND`` series, each its own transaction."""
    ordered = sorted(set(pairs), key=lambda pair: (pair[1], pair[0]))
    done = 0
    for start in range(0, len(ordered), PAIRS_PER_ROUND):
        done += uow.run(partial(refresh_stale, pairs=ordered[start : start + PAIRS_PER_ROUND]))
    return done


def refresh_for_figures(
    session: Session, figures: Iterable[tuple[str, str, int]]
) -> tuple[list[bytes], list[bytes]]:
    """After new figures (indicator, region, period year): the goals of those series with
    their progress now, as the API's JSON in UTF-8 (by id), recomputed and stored where a figure
    can change it.

    A goal that ends before the earliest new figure's year cannot change
    (``depends_on_year``): it is read from its stored block. The series go in rounds of
    ``PAIRS_PER_ROUND``, region by region; each round's figures are fetched once for its
    targets and plans together.
    """
    earliest = earliest_years(figures)
    # Series in the backlog are recomputed from its year, if earlier, and leave it.
    waiting = backlog.years(session, earliest)
    for pair, year in waiting.items():
        earliest[pair] = min(year, earliest[pair])
    backlog.clear(session, waiting)
    targets: list[tuple[int, bytes]] = []
    plans: list[tuple[int, bytes]] = []
    now = utc_now()
    for round_ in _rounds(earliest):
        round_targets, round_plans = _refresh_round(session, round_, now)
        targets += round_targets
        plans += round_plans
    return [item for _, item in sorted(targets)], [item for _, item in sorted(plans)]


def _recompute(
    session: Session, earliest: dict[tuple[str, str], int], now: datetime
) -> tuple[GoalRows, GoalRows, dict[int, str], dict[int, str]]:
    """The goals in force of these series, and the fresh fragments of those that a figure
    from the series' earliest year on can change (computed and stored)."""
    targets = _goals_of_pairs(session, Target, set(earliest))
    plans = _goals_of_pairs(session, Plan, set(earliest))

    def changed(goal: Target | Plan, end_year: int) -> bool:
        first = earliest[(goal.indicator_code, goal.region_code)]
        return goal.read_json is None or depends_on_year(end_year, first)

    stale_targets = [r for r in targets if changed(r[0], r[0].end_year)]
    stale_plans = [r for r in plans if changed(r[0], r[0].year)]
    series = latest_points(
        session,
        now,
        {(t.indicator_code, t.region_code) for t, _, _ in stale_targets}
        | {(p.indicator_code, p.region_code) for p, _, _ in stale_plans},
    )
    fresh_targets = store(session, Target, evaluate(session, Target, stale_targets, now, series))
    fresh_plans = store(session, Plan, evaluate(session, Plan, stale_plans, now, series))
    for row in (*targets, *plans):  # only stored through Core: nothing of them to flush
        session.expunge(row[0])
    return targets, plans, fresh_targets, fresh_plans


def _refresh_round(
    session: Session, earliest: dict[tuple[str, str], int], now: datetime
) -> tuple[list[tuple[int, bytes]], list[tuple[int, bytes]]]:
    targets, plans, fresh_targets, fresh_plans = _recompute(session, earliest, now)
    return (
        [(row[0].id, _item(row, fresh_targets).encode()) for row in targets],
        [(row[0].id, _item(row, fresh_plans).encode()) for row in plans],
    )


def _item(row: Row[Any, Indicator, Region], fresh: dict[int, str]) -> str:
    goal, indicator, region = row
    return item_json(
        goal.id,
        (indicator.code, indicator.name, indicator.unit),
        (region.code, region.name),
        fresh.get(goal.id) or goal.read_json,
    )


def _goals_of_pairs(
    session: Session, model: type[GoalModel], pairs: set[tuple[str, str]]
) -> list[Row[GoalModel, Indicator, Region]]:
    """Goals in force of exactly these pairs: per chunk of regions, filtered to the pairs."""
    found: list[Row[GoalModel, Indicator, Region]] = []
    for stmt in _pair_chunks(q.goals_query(model), model, pairs):
        found += [
            r for r in q.fetch(session, stmt) if (r[0].indicator_code, r[0].region_code) in pairs
        ]
    return found
