"""Each goal's status timeline (app/models/history.py), rebuilt from its figures' times.

A goal's status as of T is its progress computed from the figures published by T
(``published_at``): it can only change at a moment one of its series' figures became
countable, and only through a figure of its end year or before (``depends_on_year``).
The rebuild walks each series' revisions in order of publication, keeping the latest
revision of each period as ``latest_points`` would pick it as of that moment, and
evaluates the series' goals at each moment that changed a period they read.

Building one costs an evaluation per moment (about twenty a series), so it is kept off
the write path: every write that stores a goal's progress (``stored_reads.store``) only
drops its timeline, in the same transaction, and the timelines missing are built
afterwards, a round at a time, by the backlog refresher's thread while the worker is
quiet (app/services/backlog_refresher.py) or by ``python -m app progress timelines``.
Until a goal has one, a past summary computes that goal from its figures.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import Row, Select, select
from sqlalchemy.orm import Session

from app import changes
from app.db import UnitOfWork
from app.domain.progress import Point
from app.models import Indicator, Plan, Region, Target
from app.queries import goals as q
from app.queries import history
from app.queries.goals import GoalModel
from app.queries.locks import lock_series, try_lock_series
from app.queries.observations import Figure, Published, published_revisions
from app.services.progress import status_judge, to_points

# Goals built per transaction by the command: their every revision in memory at once.
BATCH = 5_000
# Goals built per round of the background thread: their series stay locked meanwhile, so
# a post to one of them waits at most a round (under a second at ~3 ms a goal).
ROUND = 200

Moment = tuple[datetime, int, list[Published]]  # when, earliest year it changed, figures


def moments(revisions: Sequence[Published]) -> list[Moment]:
    """The series as of each moment a revision was published (oldest first): the latest
    revision of each period by then, ordered by period as ``latest_points`` orders them,
    and the earliest year whose figure changed then."""
    latest: dict[str, Published] = {}
    out: list[Moment] = []
    i = 0
    while i < len(revisions):
        when = revisions[i].published_at
        changed: int | None = None
        while i < len(revisions) and revisions[i].published_at == when:
            rev = revisions[i]
            held = latest.get(rev.period)
            if held is None or rev.revision > held.revision:
                latest[rev.period] = rev
                year = rev.period_year
                changed = year if changed is None else min(changed, year)
            i += 1
        if changed is not None:
            out.append((when, changed, [latest[period] for period in sorted(latest)]))
    return out


class SeriesPoints:
    """A series' moments with their figures converted once per unit: the goals of one
    series share the conversions, and each figure is converted once, not once a moment."""

    def __init__(self, indicator: Indicator, series: list[Moment]) -> None:
        self.indicator_unit = indicator.unit
        self.series = series
        self._point: dict[tuple[str, int, str], Point] = {}
        self._moment: dict[tuple[int, str], list[Point]] = {}

    def points(self, index: int, unit: str) -> list[Point]:
        key = (index, unit)
        found = self._moment.get(key)
        if found is None:
            found = [self._convert(rev, unit) for rev in self.series[index][2]]
            self._moment[key] = found
        return found

    def _convert(self, rev: Published, unit: str) -> Point:
        key = (rev.period, rev.revision, unit)
        point = self._point.get(key)
        if point is None:
            figure = Figure(
                rev.period, rev.value, rev.unit, rev.yoy_growth, rev.reported_completion_rate
            )
            point = to_points([figure], self.indicator_unit, unit)[0]
            self._point[key] = point
        return point


Steps = list[tuple[str, datetime | None]]  # each status from when (None: always)


def timeline(
    goal: Target | Plan, indicator: Indicator, series: SeriesPoints
) -> list[tuple[str, datetime | None, datetime | None]]:
    """The goal's statuses as (status, since, until): since always, then at each moment
    that changed a figure it reads; consecutive equal statuses merged."""
    last_year = goal.end_year if isinstance(goal, Target) else goal.year
    unit, judge = status_judge(goal, indicator)
    steps: Steps = [(judge([]), None)]
    for index, (when, changed, _) in enumerate(series.series):
        if changed > last_year:
            continue
        status = judge(series.points(index, unit))
        if status != steps[-1][0]:
            steps.append((status, when))
    return [
        (status, since, steps[k + 1][1] if k + 1 < len(steps) else None)
        for k, (status, since) in enumerate(steps)
    ]


def build_rows(
    session: Session,
    model: type[Target] | type[Plan],
    rows: Sequence[Row[Any, Indicator, Region]],
) -> int:
    """Build and insert the timelines of these goals in force (which have none); how many
    intervals. Every revision of their series is read in one statement per chunk of
    regions, each series' moments worked out once for all its goals."""
    kind = model.__tablename__
    in_force = [row for row in rows if row[0].retired_at is None]
    if not in_force:
        return 0
    revisions = published_revisions(
        session, {(row[0].indicator_code, row[0].region_code) for row in in_force}
    )
    by_series: dict[tuple[str, str], SeriesPoints] = {}
    records: list[dict[str, Any]] = []
    for goal, indicator, _region in in_force:
        end_year = goal.end_year if isinstance(goal, Target) else goal.year
        pair = (goal.indicator_code, goal.region_code)
        series = by_series.get(pair)
        if series is None:
            series = by_series[pair] = SeriesPoints(indicator, moments(revisions[pair]))
        for status, since, until in timeline(goal, indicator, series):
            records.append(
                {
                    "kind": kind,
                    "goal_id": goal.id,
                    "indicator_code": goal.indicator_code,
                    "region_code": goal.region_code,
                    "end_year": end_year,
                    "status": status,
                    "since": since,
                    "until": until,
                }
            )
    history.add(session, records)
    return len(records)


def build_round(
    session: Session,
    model: type[GoalModel],
    after: int = 0,
    limit: int = ROUND,
    *,
    wait: bool = True,
) -> tuple[int, int] | None:
    """Build the timelines of up to ``limit`` goals in force that have none, by id from
    ``after`` on; the last id looked at and how many were built, or None when none is
    left from there (or, with ``wait=False``, when a writer holds one of their series:
    background work does not hold a connection waiting behind a post).

    The goals' series are locked before the goals and their figures are read, as every
    writer locks them before it writes (app/queries/locks.py): a post or an edit that
    commits after this round drops what it built (``history.forget``), and one that
    committed before is seen. The caller commits."""
    # Timelines feed only past summaries, which no cache keeps (app/changes.py).
    changes.touch_nothing(session)
    ids = history.without_timeline(session, model, after, limit)
    if not ids:
        return None
    pairs = select(model.indicator_code, model.region_code).where(model.id.in_(ids))
    series = {(indicator, region) for indicator, region in session.execute(pairs)}
    if not wait and not try_lock_series(session, series):
        return None
    lock_series(session, series)  # at once when just tried
    rows = q.fetch(session, _by_ids(model, ids))  # under the locks: as the last writer left it
    have = history.with_history(session, model.__tablename__, ids)  # another builder's
    todo = [row for row in rows if row[0].id not in have]
    build_rows(session, model, todo)
    for row in rows:
        session.expunge(row[0])
    return ids[-1], len(todo)


def build_all(sessions: Callable[[], Session], limit: int = BATCH) -> int:
    """Every missing timeline built, ``limit`` goals per transaction; how many goals got
    one (``python -m app progress timelines``)."""
    return _build_all(sessions, Target, limit) + _build_all(sessions, Plan, limit)


def _build_all(sessions: Callable[[], Session], model: type[GoalModel], limit: int) -> int:
    """The planner's statistics of the timelines are renewed each time the number built
    doubles: built from nothing, the table grows from empty to millions of rows, and a
    planner that still believes it empty (autovacuum off, or not come round yet) reads all
    of it for each round. At scale 1.0 a round took 24 s once 1.9 M rows were in, against a
    fraction of a second with statistics."""
    done = after = 0
    analyze_at = 1
    while True:
        with sessions() as session:
            result = UnitOfWork(session).run(
                partial(build_round, model=model, after=after, limit=limit)
            )
            if result is not None and done + result[1] >= analyze_at:
                UnitOfWork(session).run(_analyze)
                analyze_at = 2 * (done + result[1])
        if result is None:
            return done
        after, built = result
        done += built


def _analyze(session: Session) -> None:
    changes.touch_nothing(session)  # statistics change no answer
    history.analyze(session)


def _by_ids(model: type[GoalModel], ids: list[int]) -> Select[GoalModel, Indicator, Region]:
    return q.goals_query(model, include_retired=True).where(model.id.in_(ids))
