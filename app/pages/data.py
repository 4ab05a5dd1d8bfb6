"""What the pages show, read through the service layer: the one module of ``app.pages`` that
imports ``app.services``, ``app.queries`` and ``app.models``.

It hands the templates plain dataclasses and the API's own read models (``TargetRead``,
``PlanRead``, ``ObservationRead``), so a page shows exactly what the API answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import TypeAdapter
from sqlalchemy import Select
from sqlalchemy.orm import Session

from app.db import UnitOfWork
from app.domain.periods import PeriodError, parse_period
from app.domain.units import UnitError, convert
from app.errors import NotFound
from app.models import Indicator, Plan, Region, Target
from app.pages.document_text import FURNITURE, MarkedText, mark_text
from app.queries import documents as dq
from app.queries import goals as q
from app.queries import reference
from app.queries.observations import every_revision, series_history
from app.schemas.common import Page
from app.schemas.goal import PlanRead, TargetRead
from app.schemas.observation import ObservationRead
from app.schemas.reference import DocumentRead
from app.services import goal_reads
from app.services import reference as reference_reads
from app.services.progress import evaluate, level_unit
from app.services.render import observation_read

GoalKind = Literal["target", "plan"]
GoalRead = TargetRead | PlanRead

# Goals read per page of the listing service; a region's scorecard reads them all.
_PAGE = 1000
_TARGET_PAGE = TypeAdapter(Page[TargetRead])
_PLAN_PAGE = TypeAdapter(Page[PlanRead])


@dataclass(frozen=True)
class RegionLink:
    code: str
    name: str
    name_en: str


@dataclass(frozen=True)
class DocumentInfo:
    code: str
    title: str
    title_en: str


@dataclass
class Scorecard:
    """A region's goals as of a moment, with where the region sits among the others."""

    region: RegionLink
    ancestors: list[RegionLink]  # the top region first, the region's parent last
    children: list[RegionLink]
    targets: list[TargetRead]
    plans: list[PlanRead]
    categories: dict[str, str]  # indicator code -> category
    indicator_names_en: dict[str, str]
    measures: dict[str, str]  # indicator code -> flow or level
    documents: dict[str, DocumentInfo]

    def time_proportional(self, read: GoalRead) -> bool:
        measure = self.measures.get(read.indicator.code, "")
        return time_proportional(read.basis, measure, read.baseline is not None)


@dataclass(frozen=True)
class ChartPoint:
    time: Decimal  # years, at the end of the period (2023-H1 is 2023.5)
    value: Decimal
    label: str


@dataclass
class Chart:
    """The goal's measure over time, on one axis: levels in the goal's unit (``value``,
    running totals for ``cumulative``), growth in % (``yoy``, ``cagr``) or the change
    from the baseline in % (``change``)."""

    unit: str
    figures: list[ChartPoint]
    baseline: ChartPoint | None
    goal_value: Decimal | None  # the value the goal asks for, drawn as a line
    start: Decimal
    end: Decimal
    projection: list[ChartPoint] = field(default_factory=list)  # targets: UNSD projection
    schedule: list[ChartPoint] = field(default_factory=list)  # plans: the 序时进度 path


@dataclass
class GoalPage:
    kind: GoalKind
    read: GoalRead
    indicator_name_en: str
    category: str
    measure: str
    time_proportional: bool
    region: RegionLink
    ancestors: list[RegionLink]
    figures: list[ObservationRead]  # latest revision of each period, oldest period first
    revisions: list[ObservationRead]  # every revision recorded by the moment, newest first
    spans: frozenset[str]  # the periods among them that are spans of years (history)
    chart: Chart
    documents: dict[str, DocumentInfo]


def _link(region: Region) -> RegionLink:
    return RegionLink(region.code, region.name, region.name_en)


def _family(session: Session, code: str) -> tuple[Region | None, list[Region], list[Region]]:
    """The region, its ancestors (top first) and its children."""
    return reference.family(session, code)


def top_region(session: Session) -> str | None:
    """The region without a parent (重庆市 in the seeds); the first by code if several."""
    return reference.top_region(session)


def _documents(session: Session) -> dict[str, DocumentInfo]:
    return {d.code: DocumentInfo(d.code, d.title, d.title_en) for d in reference.documents(session)}


def _reads(
    session: Session, model: type[Target] | type[Plan], region: str, as_of: datetime | None
) -> list[Any]:
    """Every goal in force of the region: as of now from the stored progress (the listing
    service's path), as of another moment computed from the figures recorded by then."""
    if as_of is not None:
        stmt: Select[Any, Indicator, Region] = (
            q.goals_query(Target, region=region)
            if model is Target
            else q.goals_query(Plan, region=region)
        )
        return list(evaluate(session, model, q.fetch(session, stmt), as_of))
    adapter: TypeAdapter[Any] = _TARGET_PAGE if model is Target else _PLAN_PAGE
    reads: list[Any] = []
    while True:
        body = goal_reads.page(
            UnitOfWork(session),
            model,
            goal_reads.GoalFilter(region=region),
            status=None,
            as_of=datetime.now(UTC),
            as_of_given=False,
            limit=_PAGE,
            offset=len(reads),
        )
        page = adapter.validate_json(body)
        reads += page.items
        if not page.items or len(reads) >= page.total:
            return reads


def region_scorecard(session: Session, code: str, as_of: datetime | None) -> Scorecard | None:
    """The region's targets and plans with their progress (None for an unknown region)."""
    region, ancestors, children = _family(session, code)
    if region is None:
        return None
    targets: list[TargetRead] = _reads(session, Target, code, as_of)
    plans: list[PlanRead] = _reads(session, Plan, code, as_of)
    # Every indicator (a government's list runs to hundreds): one plain read, cheaper than
    # a statement with a bound parameter for each of the page's hundred codes.
    codes = {g.indicator.code for g in (*targets, *plans)}
    used = [i for i in reference.indicators_by_code(session).values() if i.code in codes]
    return Scorecard(
        region=_link(region),
        ancestors=[_link(r) for r in ancestors],
        children=[_link(r) for r in children],
        targets=targets,
        plans=plans,
        categories={i.code: i.category for i in used},
        indicator_names_en={i.code: i.name_en for i in used},
        measures={i.code: i.measure for i in used},
        documents=_documents(session),
    )


def goal_page(session: Session, kind: GoalKind, goal_id: int, as_of: datetime) -> GoalPage | None:
    """One target or plan as of ``as_of``: its progress, the figures behind it, every
    revision of them and the chart's series (None for an unknown id)."""
    model: type[Target] | type[Plan] = Target if kind == "target" else Plan
    stmt: Select[Any, Indicator, Region] = (
        q.goals_query(Target, include_retired=True).where(Target.id == goal_id)
        if kind == "target"
        else q.goals_query(Plan, include_retired=True).where(Plan.id == goal_id)
    )
    rows = q.fetch(session, stmt)
    if not rows:
        return None
    _, indicator, region = rows[0]
    read: GoalRead = evaluate(session, model, rows, as_of)[0]
    latest = series_history(session, as_of, indicator.code, region.code)
    every = every_revision(session, as_of, indicator.code, region.code)
    _, ancestors, _ = _family(session, region.code)
    figures = [observation_read(o, indicator, region) for o in latest]
    has_baseline = read.baseline is not None
    return GoalPage(
        kind=kind,
        read=read,
        indicator_name_en=indicator.name_en,
        category=indicator.category,
        measure=indicator.measure,
        time_proportional=time_proportional(read.basis, indicator.measure, has_baseline),
        region=_link(region),
        ancestors=[_link(r) for r in ancestors],
        figures=figures,
        revisions=[observation_read(o, indicator, region) for o in every],
        spans=frozenset(o.period for o in every if _is_span(o.period)),
        chart=_chart(read, indicator, figures),
        documents=_documents(session),
    )


def time_proportional(basis: str, measure: str, has_baseline: bool) -> bool:
    """Whether the goal is judged against 序时进度 (DESIGN, schedule_variance_pp)."""
    if basis == "cumulative":
        return True
    return basis == "value" and (measure == "flow" or has_baseline)


def _span(read: GoalRead) -> tuple[int, int]:
    if isinstance(read, TargetRead):
        return read.start_year, read.end_year
    return read.year, read.year


def _chart(read: GoalRead, indicator: Indicator, figures: list[ObservationRead]) -> Chart:
    start, end = _span(read)
    unit = level_unit(read.basis, read.unit, indicator.unit)
    points = _measure_points(read, unit, start, figures)
    baseline = None
    if read.baseline is not None:
        b = read.baseline
        at = Decimal(b.year + 1)
        if read.basis == "value":
            baseline = ChartPoint(at, b.value, b.period or str(b.year))
        elif read.basis == "change":
            baseline = ChartPoint(at, Decimal(0), b.period or str(b.year))
    chart = Chart(
        unit=read.unit if read.basis in ("value", "cumulative") else "%",
        figures=points,
        baseline=baseline,
        goal_value=read.value,
        start=Decimal(start),
        end=Decimal(end + 1),
    )
    progress = read.progress
    if (
        isinstance(read, TargetRead)
        and read.progress.projected_end_value is not None
        and progress.actual is not None
        and progress.actual_period is not None
    ):
        at = parse_period(progress.actual_period).end_time
        chart.projection = [
            ChartPoint(at, progress.actual, progress.actual_period),
            ChartPoint(chart.end, read.progress.projected_end_value, str(end)),
        ]
    if isinstance(read, PlanRead) and time_proportional(
        read.basis, indicator.measure, read.baseline is not None
    ):
        origin = read.baseline.value if read.baseline is not None else Decimal(0)
        chart.schedule = [
            ChartPoint(chart.start, origin, f"{start}-01"),
            ChartPoint(chart.end, read.value, f"{end}-12"),
        ]
    return chart


def _is_span(text: str) -> bool:
    try:
        return parse_period(text).is_span
    except PeriodError:
        return False


def _measure_points(
    read: GoalRead, unit: str, start: int, figures: list[ObservationRead]
) -> list[ChartPoint]:
    """Each figure as the goal measures it; figures that carry nothing of that measure (a
    growth rate for a level goal) are left out, and so are spans of years (``2018-2022``):
    a total over five years or an average growth is history, no point of the yearly line
    (the figures table shows them)."""
    points: list[ChartPoint] = []
    done_years = Decimal(0)  # cumulative: the full years summed so far
    for figure in figures:
        try:
            period = parse_period(figure.period)
        except PeriodError:
            continue
        if period.is_span:
            continue
        at = period.end_time
        if read.basis in ("yoy", "cagr"):
            if figure.yoy_growth is not None:
                points.append(ChartPoint(at, figure.yoy_growth, figure.period))
            continue
        if figure.value is None:
            continue
        try:
            value = convert(figure.value, figure.unit or unit, unit)
        except UnitError:
            continue
        if read.basis == "cumulative":
            if period.year < start:
                continue
            points.append(ChartPoint(at, done_years + value, figure.period))
            if period.is_full_year:
                done_years += value
        elif read.basis == "change":
            base = read.baseline.value if read.baseline is not None else None
            if base:
                points.append(ChartPoint(at, (value - base) / base * 100, figure.period))
        else:
            points.append(ChartPoint(at, value, figure.period))
    return points


# --- a document and the figures taken from it ---------------------------------------


@dataclass(frozen=True)
class GoalLink:
    """A goal as a document page names it: enough to say it in a line and link to it."""

    kind: GoalKind
    id: int
    years: str
    basis: str
    comparator: str
    value: Decimal
    unit: str
    retired: bool


@dataclass(frozen=True)
class DocFigure:
    """One target, plan or observation that cites the document, and the goal pages it
    leads to: a goal its own, an observation those of its series (none when no goal
    measures it)."""

    kind: Literal["target", "plan", "observation"]
    id: int
    quote: str | None
    indicator: str
    indicator_en: str
    region: RegionLink
    goal: GoalLink | None
    observation: ObservationRead | None
    links: tuple[GoalLink, ...]


@dataclass
class DocumentPage:
    document: DocumentRead
    text: MarkedText[DocFigure] | None  # None when the text is not in the sources folder
    figures: list[DocFigure]

    def destinations(self, figures: list[DocFigure]) -> list[GoalLink]:
        """The distinct goal pages a mark of these figures leads to, in order."""
        out: dict[tuple[str, int], GoalLink] = {}
        for figure in figures:
            for link in figure.links:
                out.setdefault((link.kind, link.id), link)
        return list(out.values())


def documents_index(session: Session) -> list[DocumentRead]:
    """Every document with its counts of figures."""
    return reference_reads.document_page(session, limit=1000, offset=0).items


def _goal_link(kind: GoalKind, goal: Target | Plan) -> GoalLink:
    years = f"{goal.start_year}–{goal.end_year}" if isinstance(goal, Target) else str(goal.year)
    return GoalLink(
        kind,
        goal.id,
        years,
        goal.basis,
        goal.comparator,
        goal.value,
        goal.unit,
        goal.retired_at is not None,
    )


def _series_goals(
    session: Session, pairs: set[tuple[str, str]]
) -> dict[tuple[str, str], list[GoalLink]]:
    """The goals in force of each (indicator, region) series: targets, then plans."""
    found: dict[tuple[str, str], list[GoalLink]] = {}
    indicators = {i for i, _ in pairs}
    regions = {r for _, r in pairs}
    for kind, model in (("target", Target), ("plan", Plan)):
        for goal in dq.goals_of_series(session, model, indicators, regions):
            key = (goal.indicator_code, goal.region_code)
            if key in pairs:
                found.setdefault(key, []).append(_goal_link(kind, goal))  # type: ignore[arg-type]
    return found


def document_figures(session: Session, code: str) -> list[DocFigure]:
    """Every figure the document supplied: its goals (a goal stated by several documents
    with this document's own quote), then its observations."""
    figures: list[DocFigure] = []
    for kind, model in (("target", Target), ("plan", Plan)):
        for goal, indicator, region in dq.goals_citing(session, model, code):
            link = _goal_link(kind, goal)  # type: ignore[arg-type]
            for quote in dq.cites(goal.sources_json, goal.document_code, code):
                figures.append(
                    DocFigure(
                        kind,  # type: ignore[arg-type]
                        goal.id,
                        quote or (goal.quote if goal.sources_json is None else None),
                        indicator.name,
                        indicator.name_en,
                        _link(region),
                        link,
                        None,
                        (link,),
                    )
                )
    rows = dq.observations_citing(session, code)
    series = _series_goals(session, {(o.indicator_code, o.region_code) for o, _, _ in rows})
    for obs, indicator, region in rows:
        figures.append(
            DocFigure(
                "observation",
                obs.id,
                obs.quote,
                indicator.name,
                indicator.name_en,
                _link(region),
                None,
                observation_read(obs, indicator, region),
                tuple(series.get((obs.indicator_code, obs.region_code), ())),
            )
        )
    return figures


def document_page(session: Session, code: str, sources_dir: Path) -> DocumentPage | None:
    """The document, its text with every quoted figure marked (None for an unknown code)."""
    try:
        document = reference_reads.document(session, code)
    except NotFound:
        return None
    figures = document_figures(session, code)
    path = sources_dir / f"{code}.txt"
    # A seeded document's text is in the sources folder; a registered one's, if it was
    # sent (POST /api/v1/documents), is kept with the document.
    if path.is_file():
        raw: str | None = path.read_text(encoding="utf-8")
    else:
        raw = reference.document_text(session, code)
    text = None
    if raw is not None:
        text = mark_text(raw, [(f.quote, f) for f in figures], FURNITURE.get(code, ()))
    return DocumentPage(document, text, figures)
