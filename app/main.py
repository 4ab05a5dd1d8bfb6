"""Application factory: engine and sessions built in the lifespan; one error shape."""

from __future__ import annotations

import gc
import logging
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import psycopg
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException

from app import pages
from app.api.deps import check_request_parameters
from app.api.exact_json import ExactJSONResponse
from app.api.hot_reads import HotReads
from app.api.http_semantics import HeadAsGet, allowed_methods
from app.api.limits import BodySizeLimit, FailedAuthLimiter
from app.api.response_cache import (
    ChangeListener,
    ResponseCache,
    ResponseCacheMiddleware,
    invalidate_on_commit,
)
from app.api.routes import (
    audit,
    documents,
    goals,
    health,
    observations,
    posting,
    reference,
    review,
    summary,
)
from app.db import (
    NOT_MIGRATED,
    autocommit_reader,
    engine_for,
    is_sqlite,
    is_unmigrated,
    make_sessionmaker,
)
from app.direct_reads import direct_readers
from app.errors import AppError, FieldError, ServiceUnavailable, ValidationFailed
from app.logging_setup import install_log_redaction
from app.read_replica import ReadAfterMiddleware, replica_configured, start_read_router
from app.services.backlog_refresher import BacklogRefresher
from app.settings import Settings, get_settings

logger = logging.getLogger("app")

DESCRIPTION = """
Tracks a government's multi-year **targets** (to 2027), its **annual plans** and the
**progress figures** analysts post each quarter, and says for each target how far it is
from being met and whether it is on course (gap, completion rate, 序时进度, projection,
status). Every figure cites the document and sentence it came from.

Reads are public. Amounts are exact decimals sent as JSON numbers; each figure states its unit.
"""


def _error_response(error: AppError) -> JSONResponse:
    body = {
        "error": error.code,
        "message": error.message,
        "errors": [e.as_dict() for e in error.errors],
    }
    return JSONResponse(body, status_code=error.status_code, headers=error.headers or None)


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("query", "path", "body", "header")]
    return ".".join(parts) or "body"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(_request: Request, exc: AppError) -> JSONResponse:
        return _error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [FieldError(_field_name(tuple(e["loc"])), str(e["msg"])) for e in exc.errors()]
        return _error_response(ValidationFailed(errors))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {
            404: "not_found",
            405: "method_not_allowed",
            400: "bad_request",
            413: "payload_too_large",
        }
        error = AppError(str(exc.detail), exc.status_code, codes.get(exc.status_code, "http_error"))
        error.headers = dict(exc.headers or {})
        allowed = allowed_methods(app, request.url.path) if exc.status_code == 405 else None
        if allowed:
            error.headers["Allow"] = ", ".join(allowed)
        return _error_response(error)

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unexpected error", exc_info=exc)
        return _error_response(
            AppError("unexpected error; it has been logged", 500, "internal_error")
        )

    @app.exception_handler(PoolTimeout)
    async def _pool(_request: Request, _exc: PoolTimeout) -> JSONResponse:
        return _error_response(ServiceUnavailable("all database connections are busy; retry"))

    @app.exception_handler(OperationalError)
    async def _db_down(_request: Request, exc: OperationalError) -> JSONResponse:
        if is_unmigrated(exc):
            return _error_response(ServiceUnavailable(NOT_MIGRATED))
        return _error_response(ServiceUnavailable())

    @app.exception_handler(psycopg.OperationalError)
    async def _driver_down(_request: Request, _exc: psycopg.OperationalError) -> JSONResponse:
        # Raised as is, not wrapped by SQLAlchemy, where the service talks to psycopg
        # directly: the COPY of a large batch (app/queries/staging.py).
        return _error_response(ServiceUnavailable())

    @app.exception_handler(DBAPIError)
    async def _db_error(_request: Request, exc: DBAPIError) -> JSONResponse:
        if is_unmigrated(exc):
            return _error_response(ServiceUnavailable(NOT_MIGRATED))
        if exc.connection_invalidated:
            return _error_response(ServiceUnavailable())
        return _error_response(AppError("the database refused the request", 500, "internal_error"))


def _start_change_listener(settings: Settings, cache: ResponseCache) -> ChangeListener | None:
    """The response cache answers only while it hears of every change: on Postgres, by
    LISTEN; SQLite has no notices from other processes, so there it stays closed."""
    if settings.response_cache_bytes <= 0 or is_sqlite(settings.database_url):
        return None
    listener = ChangeListener(settings.database_url, cache)
    listener.start()
    return listener


def _start_backlog_refresher(
    settings: Settings, sessions: sessionmaker[Session]
) -> BacklogRefresher | None:
    """SQLite never has a backlog: there a post recomputes its goals at once."""
    if not settings.backlog_refresher or is_sqlite(settings.database_url):
        return None
    refresher = BacklogRefresher(sessions)
    refresher.start()
    return refresher


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        install_log_redaction()  # after the server configured its loggers
        if not hasattr(app.state, "sessionmaker"):
            engine = engine_for(settings.database_url, settings)
            app.state.engine = engine
            app.state.sessionmaker = make_sessionmaker(engine)
            # GETs read in autocommit: no BEGIN and ROLLBACK round trips (app/db.py).
            app.state.autocommit_reader = autocommit_reader(engine)
            listener = _start_change_listener(settings, cache)
            refresher = _start_backlog_refresher(settings, app.state.sessionmaker)
            # GETs may read from a hot standby (DATABASE_READ_URL); None without one.
            read_router = start_read_router(settings, engine, cache.generation)
            app.state.read_router = read_router
            cache.admission = read_router
            readers = direct_readers(settings)
            app.state.direct_readers = readers
            # What startup built lives as long as the process: out of the collector's sight,
            # a full collection no longer walks it (about 0.1 s of each 10,000-row post).
            gc.freeze()
            yield
            if refresher is not None:
                refresher.stop()
            if listener is not None:
                listener.stop()
            if read_router is not None:
                read_router.stop()
            if readers is not None:
                await readers.close()
            engine.dispose()
        else:
            yield

    app = FastAPI(
        title="Policy-target tracker",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served offline by app.pages
        redoc_url=None,
        default_response_class=ExactJSONResponse,
    )
    app.state.settings = settings
    cache = ResponseCache(settings.response_cache_bytes, settings.response_cache_seconds)
    app.state.response_cache = cache
    # Every commit in this process empties the cache before its writer answers; commits
    # elsewhere reach it through the change listener started in the lifespan.
    invalidate_on_commit(cache)
    app.state.auth_limiter = FailedAuthLimiter(
        settings.auth_failure_limit, settings.auth_failure_window_seconds
    )
    if settings.hot_reads:
        # Innermost: the cache and read-after-write wrap its answers as any route's.
        app.add_middleware(HotReads)
    app.add_middleware(ResponseCacheMiddleware, cache=cache)
    if replica_configured(settings):
        # Outside the cache: an answer from the cache says nothing of where it was read.
        staleness = settings.read_replica_max_lag_seconds + settings.read_replica_check_seconds
        app.add_middleware(ReadAfterMiddleware, cookie_seconds=math.ceil(staleness))
    app.add_middleware(BodySizeLimit, limit=settings.max_body_bytes)
    app.add_middleware(HeadAsGet)
    install_error_handlers(app)
    api_dependencies = [Depends(check_request_parameters)]
    for module, tag in (
        (reference, "reference"),
        (goals, "targets and plans"),
        (observations, "observations"),
        (posting, "observations"),
        (review, "observations"),
        (summary, "summary"),
        (audit, "audit"),
        (documents, "documents"),
    ):
        app.include_router(
            module.router, prefix="/api/v1", tags=[tag], dependencies=api_dependencies
        )
    posting.install_body_schemas(app)
    documents.install_body_schemas(app)
    app.include_router(health.router)
    app.include_router(pages.router)
    app.mount(pages.STATIC_URL, pages.static_files, name="static")
    return app


app = create_app()
