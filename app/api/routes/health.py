"""Liveness and readiness, for docker-compose and load balancers."""

from __future__ import annotations

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.settings import PROJECT_ROOT

router = APIRouter(tags=["health"])


def _head_revision() -> str | None:
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    return ScriptDirectory.from_config(config).get_current_head()


@router.get("/healthz", summary="The process is up")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="The database answers and the schema is at the newest migration")
def readyz(request: Request) -> JSONResponse:
    try:
        with request.app.state.sessionmaker() as session:
            session.execute(text("SELECT 1"))
            current = MigrationContext.configure(session.connection()).get_current_revision()
    except SQLAlchemyError:
        return JSONResponse(
            {"status": "unavailable", "reason": "database unreachable"},
            status_code=503,
            headers={"Retry-After": "1"},
        )
    head = _head_revision()
    if current != head:
        return JSONResponse(
            {"status": "unavailable", "reason": f"schema at {current}, newest is {head}"},
            status_code=503,
            headers={"Retry-After": "5"},
        )
    return JSONResponse({"status": "ready", "schema": current})
