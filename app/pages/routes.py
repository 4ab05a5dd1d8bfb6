"""HTML pages for people: the offline API docs, a region's scorecard and each goal's page.

Thin handlers: read the page's parameters, ask ``data`` for what to show, render a template.
Out of the OpenAPI schema, and outside the ``/api/v1`` routers, so neither the strict
query-parameter check nor the response cache applies here.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from app.api.deps import SessionDep
from app.api.response_cache import depends_on
from app.changes import region_tag
from app.labels import Lang, status_word
from app.pages import data, i18n, view
from app.pages.data import GoalKind, GoalRead
from app.pages.document_text import quote_anchor
from app.pages.i18n import LANGS, STATUSES, t

HERE = Path(__file__).parent
STATIC_URL = "/static"
static_files = StaticFiles(directory=HERE / "static")
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.globals.update(
    t=t,
    status_word=status_word,
    status_mark=i18n.STATUS_MARKS.get,
    category_name=i18n.category_name,
    basis_name=i18n.basis_name,
    number=view.number,
    percent=view.percent,
    quantity=view.quantity,
    goal_text=view.goal_text,
    goal_unit=view.goal_unit,
    bar_share=view.bar_share,
    bar_width=view.bar_width,
    progress_sentence=view.progress_sentence,
    stated_goal=view.stated_goal,
    figure_text=view.figure_text,
    quote_anchor=quote_anchor,
    document_kind=i18n.document_kind,
    script_name=i18n.script_name,
    static=lambda path: f"{STATIC_URL}/{path}",
)

router = APIRouter(include_in_schema=False)

SWAGGER = f"{STATIC_URL}/vendor/swagger-ui"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MAX_ID = 2**31 - 1


class BadParameter(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class PageParams:
    """The parameters every page takes: its language and the moment it shows."""

    path: str
    lang: Lang
    as_of: datetime | None
    as_of_text: str | None
    status: str | None

    @classmethod
    def of(cls, request: Request) -> PageParams:
        query = request.query_params
        lang = query.get("lang") or "zh"
        if lang not in LANGS:
            raise BadParameter("lang", f"unknown language '{lang}'; allowed: zh, en")
        as_of_text = query.get("as_of") or None
        status = query.get("status") or None
        if status is not None and status not in STATUSES:
            allowed = ", ".join(STATUSES)
            raise BadParameter("status", f"unknown status '{status}'; allowed: {allowed}")
        return cls(request.url.path, lang, _as_of(as_of_text), as_of_text, status)

    def url(self, path: str, **changes: str | None) -> str:
        """``path`` with this page's language and moment (and any changes) kept."""
        params = {"lang": self.lang if self.lang != "zh" else None, "as_of": self.as_of_text}
        params |= changes
        query = urlencode({k: v for k, v in params.items() if v})
        return f"{path}?{query}" if query else path

    @property
    def moment(self) -> datetime:
        return self.as_of or datetime.now(UTC)


def _as_of(text: str | None) -> datetime | None:
    if text is None:
        return None
    message = "give an ISO 8601 date or timestamp, such as 2023-08-01 or 2023-08-01T00:00:00Z"
    if not _ISO_DATE.match(text):
        raise BadParameter("as_of", message)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise BadParameter("as_of", message) from exc
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError as exc:
        raise BadParameter("as_of", "out of range once converted to UTC") from exc


def _render(
    request: Request, name: str, params: PageParams, status_code: int = 200, **context: Any
) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        name,
        {"p": params, "lang": params.lang, **context},
        status_code=status_code,
    )


def _not_found(request: Request, params: PageParams, what: str) -> HTMLResponse:
    return _render(request, "not_found.html", params, 404, what=what)


def _bad_request(request: Request, error: BadParameter) -> HTMLResponse:
    params = PageParams(request.url.path, "zh", None, None, None)
    lang = request.query_params.get("lang")
    if lang in LANGS:
        params = PageParams(request.url.path, lang, None, None, None)
    return _render(request, "bad_request.html", params, 422, error=error)


# --- the API's documentation, offline ----------------------------------------------


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    app = request.app
    return get_swagger_ui_html(
        openapi_url=app.openapi_url,
        title=f"{app.title} - Swagger UI",
        oauth2_redirect_url=app.swagger_ui_oauth2_redirect_url,
        swagger_js_url=f"{SWAGGER}/swagger-ui-bundle.js",
        swagger_css_url=f"{SWAGGER}/swagger-ui.css",
        swagger_favicon_url=f"{STATIC_URL}/favicon.svg",
        # Swagger UI would otherwise show a badge image from validator.swagger.io.
        swagger_ui_parameters={"validatorUrl": None},
    )


@router.get("/docs/oauth2-redirect")
def swagger_ui_redirect() -> HTMLResponse:
    return get_swagger_ui_oauth2_redirect_html()


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        "redoc.html",
        {"title": f"{request.app.title} - ReDoc", "openapi_url": request.app.openapi_url},
    )


# --- pages -------------------------------------------------------------------------


def _sources(
    read: GoalRead, card: data.Scorecard, params: PageParams
) -> tuple[view.SourceLink, ...]:
    links = []
    for source in read.sources or ([read.source] if read.source else []):
        href = params.url("/documents/" + source.document)
        if source.quote:
            href += "#" + quote_anchor(source.quote)
        doc = card.documents.get(source.document)
        title = None if doc is None else (doc.title if params.lang == "zh" else doc.title_en)
        links.append(view.SourceLink(href, source.document, title))
    return tuple(links)


def _group(card: data.Scorecard, params: PageParams) -> list[tuple[str, list[view.ScorecardRow]]]:
    """The goals by category (in the order of ``i18n.CATEGORIES``), targets before plans."""
    reads: list[tuple[GoalKind, GoalRead]] = [("target", r) for r in card.targets]
    reads += [("plan", r) for r in card.plans]
    if params.status is not None:
        reads = [(kind, r) for kind, r in reads if r.progress.status == params.status]
    groups: dict[str, list[view.ScorecardRow]] = {}
    for kind, read in reads:
        code = read.indicator.code
        name = read.indicator.name
        if params.lang != "zh":
            name = card.indicator_names_en.get(code, "") or name
        row = view.scorecard_row(
            kind,
            read,
            lang=params.lang,
            href=params.url(f"/{kind}s/{read.id}"),
            name=name,
            time_proportional=card.time_proportional(read),
            sources=_sources(read, card, params),
        )
        groups.setdefault(card.categories.get(code, ""), []).append(row)
    order = {c: i for i, c in enumerate(i18n.CATEGORIES)}
    return sorted(groups.items(), key=lambda item: (order.get(item[0], len(order)), item[0]))


def _scorecard(request: Request, session: SessionDep, code: str) -> HTMLResponse:
    try:
        params = PageParams.of(request)
    except BadParameter as error:
        return _bad_request(request, error)
    card = data.region_scorecard(session, code, params.as_of)
    if card is None:
        return _not_found(request, params, code)
    # The page lists the region's own goals: a write elsewhere leaves it cached.
    depends_on(request.scope, [region_tag(code)])
    target_counts = Counter(r.progress.status for r in card.targets)
    plan_counts = Counter(r.progress.status for r in card.plans)
    counts = target_counts + plan_counts
    return _render(
        request,
        "scorecard.html",
        params,
        card=card,
        groups=_group(card, params),
        target_counts=target_counts,
        plan_counts=plan_counts,
        counts=counts,
        statuses=STATUSES,
        shown=counts[params.status] if params.status else counts.total(),
    )


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, session: SessionDep) -> HTMLResponse:
    code = data.top_region(session)
    if code is None:
        return _not_found(request, PageParams(request.url.path, "zh", None, None, None), "/")
    return _scorecard(request, session, code)


@router.get("/regions/{code}", response_class=HTMLResponse)
def region_page(request: Request, session: SessionDep, code: str) -> HTMLResponse:
    return _scorecard(request, session, code)


def _goal(request: Request, session: SessionDep, kind: GoalKind, goal_id: str) -> HTMLResponse:
    try:
        params = PageParams.of(request)
    except BadParameter as error:
        return _bad_request(request, error)
    number = int(goal_id) if goal_id.isdigit() and len(goal_id) <= 10 else 0
    page = None
    if 1 <= number <= _MAX_ID:
        page = data.goal_page(session, kind, number, params.moment)
    if page is None:
        return _not_found(request, params, f"{kind} {goal_id}")
    return _render(
        request,
        "goal.html",
        params,
        page=page,
        chart_json=_chart_json(page, params.lang),
    )


CHART_WORDS = ("figures", "goal", "baseline", "projection", "schedule", "empty", "year_end")


def _chart_json(page: data.GoalPage, lang: Lang) -> str:
    """The chart's series for goal-chart.js, in display numbers (floats are fine here)."""

    def pts(points: list[data.ChartPoint]) -> list[list[object]]:
        return [[float(p.time), float(p.value), p.label] for p in points]

    chart = page.chart
    body = {
        "unit": chart.unit,
        "start": float(chart.start),
        "end": float(chart.end),
        "figures": pts(chart.figures),
        "baseline": pts([chart.baseline]) if chart.baseline else [],
        "goal": None if chart.goal_value is None else float(chart.goal_value),
        "projection": pts(chart.projection),
        "schedule": pts(chart.schedule),
        "names": {key: t(lang, f"chart_{key}") for key in CHART_WORDS},
    }
    # Safe inside <script type="application/json">: no "</" can close the element.
    return json.dumps(body, ensure_ascii=False).replace("</", "<\\/")


@router.get("/targets/{goal_id}", response_class=HTMLResponse)
def target_page(request: Request, session: SessionDep, goal_id: str) -> HTMLResponse:
    return _goal(request, session, "target", goal_id)


@router.get("/plans/{goal_id}", response_class=HTMLResponse)
def plan_page(request: Request, session: SessionDep, goal_id: str) -> HTMLResponse:
    return _goal(request, session, "plan", goal_id)


# --- the documents ------------------------------------------------------------------


@router.get("/documents", response_class=HTMLResponse)
def documents_index(request: Request, session: SessionDep) -> HTMLResponse:
    try:
        params = PageParams.of(request)
    except BadParameter as error:
        return _bad_request(request, error)
    return _render(request, "documents.html", params, documents=data.documents_index(session))


@router.get("/documents/new", response_class=HTMLResponse)
def document_intake_page(request: Request) -> HTMLResponse:
    """The shell of the intake page: intake.js proposes through the extract endpoint and
    registers the document with the ticked proposals through POST /api/v1/documents, with
    the key the person pastes (kept in the tab's sessionStorage). Declared before
    ``/documents/{code}``: ``new`` is no document's code (the API refuses it)."""
    return _script_page(request, "document_new.html", i18n.INTAKE_SCRIPT_WORDS)


@router.get("/documents/{code}", response_class=HTMLResponse)
def document_page(request: Request, session: SessionDep, code: str) -> HTMLResponse:
    try:
        params = PageParams.of(request)
    except BadParameter as error:
        return _bad_request(request, error)
    sources_dir: Path = request.app.state.settings.sources_dir
    page = data.document_page(session, code, sources_dir)
    if page is None:
        return _not_found(request, params, code)
    return _render(
        request, "document.html", params, page=page, doc=page.document, source_file=f"{code}.txt"
    )


# --- the reviewer's page -----------------------------------------------------------


@router.get("/review", response_class=HTMLResponse)
def review_page(request: Request) -> HTMLResponse:
    """The shell of the reviewer's page: review.js reads and decides through the API with
    the key the reviewer pastes (kept in the tab's sessionStorage, never in a cookie)."""
    return _script_page(request, "review.html", i18n.REVIEW_SCRIPT_WORDS)


# --- the import page ---------------------------------------------------------------


@router.get("/import", response_class=HTMLResponse)
def import_page(request: Request) -> HTMLResponse:
    """The shell of the import page: import.js sends the file to the import endpoint, a dry
    run first, with the key the analyst pastes (kept in the tab's sessionStorage)."""
    return _script_page(request, "import.html", i18n.IMPORT_SCRIPT_WORDS)


def _script_page(
    request: Request, template: str, script_words: dict[str, dict[Lang, str]]
) -> HTMLResponse:
    """A page whose script talks to the API: the words it shows, in the page's language,
    carried as JSON (with the status names)."""
    try:
        params = PageParams.of(request)
    except BadParameter as error:
        return _bad_request(request, error)
    words = {key: text[params.lang] for key, text in script_words.items()}
    words |= {f"status_{s}": status_word(params.lang, s) for s in STATUSES}
    # Safe inside <script type="application/json">: no "</" can close the element.
    words_json = json.dumps(words, ensure_ascii=False).replace("</", "<\\/")
    return _render(request, template, params, words_json=words_json)
