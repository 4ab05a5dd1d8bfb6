"""Dependencies that make handlers read like prose: a session, the unit of work, paging,
as-of, and the loaders of detail routes."""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from typing import Annotated

import anyio
from fastapi import Depends, Path, Query, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel, BeforeValidator
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.db import UnitOfWork, closes_without_io, read_from
from app.direct_reads import DirectReader, DirectReaders
from app.errors import FieldError, ValidationFailed, invalid
from app.read_replica import ReadRouter, Route
from app.schemas.goal_query import AS_OF_DESCRIPTION, iso_8601_only
from app.settings import Settings, get_settings

logger = logging.getLogger(__name__)


def open_session(request: Request) -> Session:
    """A request's session; a GET's reads in autocommit (``autocommit_reader``, app/db.py):
    a one-statement read is one round trip, and closing it sends nothing. Its unit of
    work, should it write, moves it back to the transactional engine first."""
    session: Session = request.app.state.sessionmaker()
    if request.method in ("GET", "HEAD"):
        reader = getattr(request.app.state, "autocommit_reader", None)
        if reader is not None:
            read_from(session, reader, request.app.state.engine)
    return session


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request (``open_session``). Reading through it never commits; a
    write goes through the request's unit of work (``UnitOfWorkDep``), which shares it.

    Async: making a session does no I/O, so it needs no trip to the threadpool (FastAPI
    sends every plain ``def`` dependency there). Closing a GET's session, in autocommit,
    sends nothing either, so it is closed right here.

    Closing a session that holds a transaction does I/O (the ROLLBACK), so that close goes
    to a worker thread, as FastAPI closes a plain generator: shielded from cancellation,
    and outside the threadpool's limit, so that a close, which hands a connection back to
    the pool, never waits behind handlers waiting for a connection.

    With a read replica (app/read_replica.py) a GET's session may read from the standby;
    choosing may wait for the standby to replay the reader's own write, so it runs in a
    worker thread."""
    session = open_session(request)
    try:
        router = getattr(request.app.state, "read_router", None)
        if router is not None and request.method in ("GET", "HEAD"):
            await anyio.to_thread.run_sync(router.route, session, request)
        yield session
    finally:
        if closes_without_io(session):
            close_session(session)  # no transaction to end: no I/O, no trip to a thread
        else:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(
                    close_session, session, limiter=anyio.CapacityLimiter(1)
                )


@contextmanager
def reading_session(request: Request) -> Iterator[Session]:
    """``get_session`` for a GET whose whole work runs in one worker thread
    (app/api/threads.py): opened, routed to a standby or not, and closed in that thread."""
    session = open_session(request)
    try:
        route_to_a_reader(request, session)
        yield session
    finally:
        close_session(session)


def direct_reader_of(request: Request) -> DirectReader | None:
    """The direct reader a GET reads through (app/direct_reads.py): the primary's, or
    with a read replica the one the read router chooses without waiting; None where the
    read goes through a session."""
    readers: DirectReaders | None = getattr(request.app.state, "direct_readers", None)
    if readers is None:
        return None
    router: ReadRouter | None = getattr(request.app.state, "read_router", None)
    if router is None or readers.standby is None:
        return readers.primary
    mark = router.route_without_waiting(request)
    if mark is None:
        return None
    return readers.standby if mark.source is Route.STANDBY else readers.primary


def route_to_a_reader(request: Request, session: Session) -> None:
    """With a read replica, send the session's reads to the standby when it has replayed
    the reader's own writes (app/read_replica.py); it may wait, so call it in a thread."""
    router = getattr(request.app.state, "read_router", None)
    if router is not None:
        router.route(session, request)


def close_session(session: Session) -> None:
    """Close the session; a connection lost meanwhile must not cut off the answer.

    Closing ends the request's transaction with a ROLLBACK, after the response has started.
    If the database went away in between (a restart, a failover), that ROLLBACK fails and
    SQLAlchemy has already dropped the connection from the pool; raising here would only
    break the client's connection mid-response, so the answer given stands.
    """
    try:
        session.close()
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
        logger.warning("database connection lost while closing a session: %s", exc.orig)


SessionDep = Annotated[Session, Depends(get_session)]


async def get_unit_of_work(request: Request, session: SessionDep) -> UnitOfWork:
    """The request's one unit of work (app/db.py): services that write take it and run
    their work through it; it begins, commits or rolls back, and retries a lost race."""
    return unit_of_work(request, session)


def unit_of_work(request: Request, session: Session) -> UnitOfWork:
    """``get_unit_of_work`` for a session the handler opened itself."""
    uow = UnitOfWork(session)
    router = getattr(request.app.state, "read_router", None)
    if router is not None:
        uow.on_commit.append(partial(router.note_commit, request))
    return uow


UnitOfWorkDep = Annotated[UnitOfWork, Depends(get_unit_of_work)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def _has_control_characters(text: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" for ch in text)


async def check_request_parameters(request: Request) -> None:
    """422 for a misspelt filter (it must not silently return everything) and for control
    characters such as NUL in any query or path parameter (Postgres refuses NUL in text).
    (No I/O: async, so that FastAPI runs it in the event loop, not in the threadpool.)"""
    bad = [
        FieldError(name, "control characters are not allowed")
        for name, value in [*request.query_params.multi_items(), *request.path_params.items()]
        if _has_control_characters(str(value))
    ]
    if bad:
        raise ValidationFailed(bad)
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    allowed = _allowed_query_params(route)
    unknown = sorted(set(request.query_params.keys()) - allowed)
    if unknown:
        raise ValidationFailed(
            [
                FieldError(name, f"unknown query parameter; allowed: {', '.join(sorted(allowed))}")
                for name in unknown
            ]
        )


def _allowed_query_params(route: APIRoute) -> frozenset[str]:
    """A route's query parameters, its dependencies' included: worked out once per route
    and kept on it."""
    allowed: frozenset[str] | None = getattr(route, "_allowed_query_params", None)
    if allowed is None:
        allowed = frozenset(_query_param_names(route.dependant))
        setattr(route, "_allowed_query_params", allowed)  # noqa: B010
    return allowed


def _query_param_names(dependant: Dependant) -> set[str]:
    names: set[str] = set()
    for param in dependant.query_params:
        model = param.field_info.annotation
        if isinstance(model, type) and issubclass(model, BaseModel):  # a query model
            names |= {field.alias or name for name, field in model.model_fields.items()}
        else:
            names.add(param.alias)
    for sub in dependant.dependencies:
        names |= _query_param_names(sub)
    return names


class Paging:
    def __init__(self, limit: int = 50, offset: int = 0) -> None:
        self.limit = limit
        self.offset = offset


async def get_paging(
    limit: Annotated[int, Query(ge=1, le=1000, description="page size")] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000, description="rows to skip")] = 0,
) -> Paging:
    """``Paging`` from the query; async, as the class itself would go to the threadpool."""
    return Paging(limit, offset)


PagingDep = Annotated[Paging, Depends(get_paging)]


async def get_as_of(
    as_of: Annotated[
        datetime | None,
        Query(
            description=AS_OF_DESCRIPTION,
            examples=["2023-08-01T00:00:00Z"],
        ),
        BeforeValidator(iso_8601_only),
    ] = None,
) -> datetime:
    return as_of_moment(as_of)


def as_of_moment(as_of: datetime | None) -> datetime:
    """The moment a read is as of, in UTC: now when none is named; a naive one is UTC."""
    if as_of is None:
        return datetime.now(UTC)
    if as_of.tzinfo is None:
        return as_of.replace(tzinfo=UTC)
    try:
        return as_of.astimezone(UTC)
    except OverflowError as exc:  # 0001-01-01T00:00:00+01:00 is before year 1 in UTC
        raise invalid("as_of", "out of range once converted to UTC") from exc


AsOfDep = Annotated[datetime, Depends(get_as_of)]


async def as_of_given(request: Request) -> bool:
    """Whether the client named a moment; if not, stored current statuses may be used."""
    return "as_of" in request.query_params


AsOfGiven = Annotated[bool, Depends(as_of_given)]


IdPath = Annotated[int, Path(ge=1, le=2**31 - 1, description="numeric id", examples=[1])]
