"""Dependencies that make handlers read like prose: a session, paging, as-of, loaders."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from app.db import begin_write
from app.errors import FieldError, ValidationFailed, invalid
from app.models import Indicator, Region
from app.settings import Settings, get_settings


def get_session(request: Request) -> Iterator[Session]:
    """One session per request, committed once at the end by the caller that writes."""
    session: Session = request.app.state.sessionmaker()
    try:
        yield session
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_session)]


def get_write_session(session: SessionDep) -> Session:
    """The request's session with its transaction opened as a writer."""
    begin_write(session)
    return session


WriteSessionDep = Annotated[Session, Depends(get_write_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def _has_control_characters(text: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" for ch in text)


def check_request_parameters(request: Request) -> None:
    """422 for a misspelt filter (it must not silently return everything) and for control
    characters such as NUL in any query or path parameter (Postgres refuses NUL in text)."""
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
    allowed = _query_param_names(route.dependant)
    unknown = sorted(set(request.query_params.keys()) - allowed)
    if unknown:
        raise ValidationFailed(
            [
                FieldError(name, f"unknown query parameter; allowed: {', '.join(sorted(allowed))}")
                for name in unknown
            ]
        )


def _query_param_names(dependant: Dependant) -> set[str]:
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_param_names(sub)
    return names


class Paging:
    def __init__(
        self,
        limit: Annotated[int, Query(ge=1, le=1000, description="page size")] = 50,
        offset: Annotated[int, Query(ge=0, le=1_000_000_000, description="rows to skip")] = 0,
    ) -> None:
        self.limit = limit
        self.offset = offset


PagingDep = Annotated[Paging, Depends()]


def get_as_of(
    as_of: Annotated[
        datetime | None,
        Query(
            description="ISO 8601 timestamp: only figures recorded by then count (default: now)",
            examples=["2023-08-01T00:00:00Z"],
        ),
    ] = None,
) -> datetime:
    if as_of is None:
        return datetime.now(UTC)
    if as_of.tzinfo is None:
        return as_of.replace(tzinfo=UTC)
    return as_of.astimezone(UTC)


AsOfDep = Annotated[datetime, Depends(get_as_of)]


def require_region(session: Session, code: str | None, field: str = "region") -> None:
    if code is not None and session.get(Region, code) is None:
        raise invalid(field, f"unknown region '{code}'")


def require_indicator(session: Session, code: str | None, field: str = "indicator") -> None:
    if code is not None and session.get(Indicator, code) is None:
        raise invalid(field, f"unknown indicator '{code}'")
