"""Targets and plans as the API reads them: pages, one goal with its figures, counts.

Without ``as_of`` (now) each goal's stored status and progress are used: filtering,
counting and paging happen in SQL and a page is read without touching the observations
(app/services/stored_reads.py). With ``as_of`` the progress of that moment is computed:
for one page, or, with a status filter, for every candidate first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, NamedTuple

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.orm import Session

from app.db import UnitOfWork, read_one_snapshot
from app.direct_reads import DirectReader
from app.domain.progress import PLAN_STATUSES, TARGET_STATUSES
from app.errors import NotFound
from app.models import Indicator, Plan, Region, Target
from app.queries import backlog, paging
from app.queries import goals as q
from app.queries import history as history_q
from app.queries.backlog import end_year
from app.queries.goals import GoalModel
from app.queries.observations import series_history
from app.schemas.common import Page
from app.schemas.goal import PlanRead, TargetRead
from app.schemas.json_numbers import splice, splice_text
from app.schemas.summary import StatusCounts, SummaryRead
from app.services import stored_reads
from app.services.goals import goal_etag
from app.services.progress import evaluate, plan_read, target_read
from app.services.reference import require_indicator, require_region
from app.services.render import goal_detail_json, history_json, item_json, stored_detail_json


@dataclass(frozen=True)
class GoalFilter:
    """What a list of targets or plans is narrowed to; ``year`` is a target's end year or
    a plan's year."""

    region: str | None = None
    indicator: str | None = None
    name: str | None = None
    year: int | None = None
    include_retired: bool = False

    def query(self, model: type[GoalModel]) -> Select[GoalModel, Indicator, Region]:
        stmt = q.goals_query(
            model,
            region=self.region,
            indicator=self.indicator,
            q=self.name,
            include_retired=self.include_retired,
        )
        if self.year is not None:
            stmt = stmt.where(end_year(model) == self.year)
        return stmt

    def shape(self, model: type[Target] | type[Plan]) -> q.PageShape | None:
        """The plain statement's shape for these filters; None for a name search, whose
        statement depends on the words, or an empty code (a 422 from the general path)."""
        if self.name is not None or self.region == "" or self.indicator == "":
            return None
        return q.PageShape(
            model,
            self.region is not None,
            self.indicator is not None,
            self.year is not None,
            self.include_retired,
        )

    def values(self) -> dict[str, Any]:
        """The shape's bound values by name (``_page_statement``'s parameters)."""
        return {
            name: value
            for name, value in (
                ("region", self.region),
                ("indicator", self.indicator),
                ("year", self.year),
            )
            if value is not None
        }


def page(
    uow: UnitOfWork,
    model: type[Target] | type[Plan],
    goals: GoalFilter,
    *,
    status: str | None,
    as_of: datetime,
    as_of_given: bool,
    limit: int,
    offset: int,
) -> bytes:
    """One page of goals with their progress and the total matching the filters, as JSON."""
    session = uow.session
    shape = goals.shape(model)
    if shape is not None and not as_of_given and status is None:
        return _current_page_of_shape(uow, model, goals, shape, limit, offset)
    stmt = selected(session, model, goals)
    if as_of_given:
        return _page_as_of(session, model, stmt, status, as_of, limit, offset)
    if status is not None:
        stored_reads.refresh_missing(uow, model, stmt)
        stmt = stmt.where(model.status == status)
    return stored_reads.current_page(uow, model, stmt, limit=limit, offset=offset)


async def direct_page(
    reader: DirectReader,
    model: type[Target] | type[Plan],
    goals: GoalFilter,
    *,
    limit: int,
    offset: int,
) -> bytes | None:
    """``page`` as of now, without a status, read directly (app/direct_reads.py) when its
    stored reads make the whole page; None where the general path must answer (a name
    search, a row to compute, an unknown code or an empty page)."""
    shape = goals.shape(model)
    if shape is None:
        return None
    statement = q.direct_page_statement(shape)
    params = statement.params({**goals.values(), "limit": limit, "offset": offset})
    rows = await reader.fetch(statement.sql, params)
    return stored_reads.stored_page([q.StoredRow(*row) for row in rows], limit=limit, offset=offset)


def _current_page_of_shape(
    uow: UnitOfWork,
    model: type[Target] | type[Plan],
    goals: GoalFilter,
    shape: q.PageShape,
    limit: int,
    offset: int,
) -> bytes:
    """The usual page (now, no status, no name search) in one statement built once per
    shape. The codes are checked only when it finds nothing: a row found proves them."""
    rows = q.stored_page_of_shape(uow.session, shape, goals.values(), limit, offset)
    if rows:
        total = rows[0].total
    else:
        stmt = selected(uow.session, model, goals)  # an unknown code: 422, not an empty list
        total = paging.count(uow.session, stmt) if offset else 0
    return stored_reads.page_of_rows(
        uow, model, lambda: goals.query(model), rows, total, limit=limit, offset=offset
    )


def selected(
    session: Session, model: type[Target] | type[Plan], goals: GoalFilter
) -> Select[Any, Indicator, Region]:
    """The goals a list's filters select, once each code is checked (an unknown one is a
    422, never an empty list); for the page and the file exports alike."""
    require_region(session, goals.region)
    require_indicator(session, goals.indicator)
    stmt: Select[Any, Indicator, Region] = goals.query(model)
    return stmt


def _page_as_of(
    session: Session,
    model: type[Target] | type[Plan],
    stmt: Select[Any, Indicator, Region],
    status: str | None,
    as_of: datetime,
    limit: int,
    offset: int,
) -> bytes:
    items: list[Any]
    if status is not None:
        reads: list[Any] = list(evaluate(session, model, q.fetch(session, stmt), as_of))
        matching = [r for r in reads if r.progress.status == status]
        items, total = matching[offset : offset + limit], len(matching)
    else:
        total = paging.count(session, stmt)
        items = list(
            evaluate(session, model, q.fetch(session, stmt.limit(limit).offset(offset)), as_of)
        )
    page_model = Page[TargetRead] if model is Target else Page[PlanRead]
    page_json = page_model(items=items, total=total, limit=limit, offset=offset).model_dump_json()
    return splice(page_json.encode())


class LoadedGoal(NamedTuple, Generic[GoalModel]):
    goal: GoalModel
    indicator: Indicator
    region: Region
    stale: bool


def load(session: Session, model: type[GoalModel], goal_id: int) -> LoadedGoal[GoalModel]:
    """A goal with what its read joins in, and whether its stored read is stale; or 404."""
    row = q.one_with_staleness(session, model, goal_id)
    if row is None:
        raise NotFound(model.__tablename__, goal_id)
    return LoadedGoal(*row)


class DetailAnswer(NamedTuple):
    """A goal's detail as sent, its ETag, and the (indicator, region) series it shows."""

    body: bytes
    etag: str
    series: tuple[str, str]


def current_detail(
    session: Session,
    model: type[Target] | type[Plan],
    goal_id: int,
    as_of: datetime,
    as_of_given: bool,
) -> DetailAnswer | None:
    """One goal as of now with the figures behind it, and its ETag, from its stored read in
    one statement of plain columns; or None where ``detail`` must compute it (``as_of``
    given, the stored read stale or missing). An unknown id is a 404."""
    if as_of_given:
        return None
    return stored_detail_answer(model, goal_id, q.stored_detail(session, model, goal_id, as_of))


def stored_detail_answer(
    model: type[Target] | type[Plan], goal_id: int, rows: Sequence[q.StoredDetailRow]
) -> DetailAnswer | None:
    """``current_detail`` from its statement's rows (read by a session or directly)."""
    if not rows:
        raise NotFound(model.__tablename__, goal_id)
    head = rows[0]
    if head.stale or head.read_json is None:
        return None
    return DetailAnswer(
        stored_detail_json(rows),
        goal_etag(head.id, head.version),
        (head.indicator_code, head.region_code),
    )


async def direct_detail(
    reader: DirectReader, model: type[Target] | type[Plan], goal_id: int, as_of: datetime
) -> DetailAnswer | None:
    """``current_detail`` read directly (app/direct_reads.py); None where it must be
    computed. An unknown id is a 404."""
    statement = q.direct_detail_statement(model)
    rows = await reader.fetch(statement.sql, statement.params({"goal_id": goal_id, "as_of": as_of}))
    return stored_detail_answer(model, goal_id, [q.StoredDetailRow(*row) for row in rows])


def computed_detail(
    session: Session, loaded: LoadedGoal[Any], as_of: datetime, as_of_given: bool
) -> DetailAnswer:
    """``detail`` with its ETag and series, for the routes' general path."""
    goal = loaded.goal
    return DetailAnswer(
        detail(session, loaded, as_of, as_of_given),
        goal_etag(goal.id, goal.version),
        (goal.indicator_code, goal.region_code),
    )


def detail(session: Session, loaded: LoadedGoal[Any], as_of: datetime, as_of_given: bool) -> bytes:
    """One goal with the figures behind it. As of now its read is the stored one unless
    stale; as of another moment it is computed from the figures recorded by then."""
    goal, indicator, region, stale = loaded
    series = series_history(session, as_of, goal.indicator_code, goal.region_code)
    if not as_of_given and not stale and goal.read_json is not None:
        item = item_json(
            goal.id,
            (indicator.code, indicator.name, indicator.unit),
            (region.code, region.name),
            goal.read_json,
        )
    elif isinstance(goal, Target):
        item = splice_text(target_read(goal, indicator, region, series).model_dump_json())
    else:
        item = splice_text(plan_read(goal, indicator, region, series).model_dump_json())
    return goal_detail_json(item, history_json(series, indicator, region))


def _counts(counter: Counter[str], known: tuple[str, ...]) -> StatusCounts:
    return StatusCounts(
        total=sum(counter.values()), by_status={s: counter.get(s, 0) for s in known}
    )


def summary(uow: UnitOfWork, region: str | None, as_of: datetime, as_of_given: bool) -> SummaryRead:
    """Targets and plans in force by status: summed from the stored statuses now, or from
    the status timelines as of another moment."""
    if as_of_given:
        read_one_snapshot(uow.session)  # its statements must agree (app/db.py)
    require_region(uow.session, region)
    targets = q.goals_query(Target, region=region)
    plans = q.goals_query(Plan, region=region)
    if as_of_given:
        target_counts = past_counts(uow.session, Target, targets, region, as_of)
        plan_counts = past_counts(uow.session, Plan, plans, region, as_of)
    else:
        target_counts, plan_counts = stored_reads.current_status_counts(uow, region, targets, plans)
    return SummaryRead(
        region=region,
        as_of=as_of,
        targets=_counts(target_counts, TARGET_STATUSES),
        plans=_counts(plan_counts, PLAN_STATUSES),
    )


def past_counts(
    session: Session,
    model: type[GoalModel],
    goals: Select[GoalModel, Indicator, Region],
    region: str | None,
    as_of: datetime,
) -> Counter[str]:
    """Statuses as of ``as_of`` of the goals in force (``goals``): the intervals of their
    timelines that hold it (app/models/history.py), summed in SQL; and, computed from
    their figures as before, the goals without a timeline yet (written since the last
    round of the builder, or loaded behind the service's back) and those whose series
    wait in the backlog, as their stored reads are."""
    kind = model.__tablename__
    waiting = backlog.anything_waiting(session)
    counts, built = history_q.counts_as_of(session, kind, region, as_of, backlog=waiting)
    computed: list[ColumnElement[bool]] = []
    if built != history_q.goals_in_force(session, kind, region):
        # Some goal in force has none yet, or goals deleted or retired by hand (not
        # through the service, which drops a goal's timeline when it stores the goal)
        # left theirs: only the timelines of goals in force, the others computed.
        in_force = select(model.id).where(model.retired_at.is_(None))
        counts, _ = history_q.counts_as_of(session, kind, region, as_of, in_force, backlog=waiting)
        computed.append(~history_q.has_timeline(model))
    if waiting:
        computed.append(backlog.is_stale(model))
    if computed:
        rest = goals.where(or_(*computed))
        counts.update(stored_reads.status_counts_as_of(session, model, rest, as_of))
    return counts
