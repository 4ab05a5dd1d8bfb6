"""Liveness and readiness, for docker-compose and load balancers."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from app.services.health import readiness

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is up")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


class Standby(BaseModel):
    status: Literal["up", "lagging", "down", "unknown"]
    reads: Literal["standby", "primary"] = Field(description="where reads without a token go")
    lag_seconds: float | None
    max_lag_seconds: float
    reason: str | None


class Ready(BaseModel):
    status: Literal["ready"]
    schema_: str | None = Field(alias="schema", description="the schema's migration revision")
    replica: Standby | None = Field(
        None,
        description="the read replica (DATABASE_READ_URL), when there is one: its state "
        "never makes the service unready, reads then go to the primary",
    )


class NotReady(BaseModel):
    status: Literal["unavailable"]
    reason: str | None = Field(description="why not: the database unreachable, or not migrated")


@router.get(
    "/readyz",
    summary="The database answers and the schema is at the newest migration",
    response_model=Ready,
    responses={503: {"model": NotReady, "description": "not ready; retry after Retry-After"}},
)
def readyz(request: Request) -> JSONResponse:
    state = readiness(request.app.state.sessionmaker)
    if not state.ready:
        return JSONResponse(
            {"status": "unavailable", "reason": state.reason},
            status_code=503,
            headers={"Retry-After": str(state.retry_after)},
        )
    body: dict[str, object] = {"status": "ready", "schema": state.schema}
    router = getattr(request.app.state, "read_router", None)
    if router is not None:
        body["replica"] = router.describe()
    return JSONResponse(body)
