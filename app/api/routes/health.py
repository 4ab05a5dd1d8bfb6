"""Liveness and readiness, for docker-compose and load balancers."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from app.services.health import readiness

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is up")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="The database answers and the schema is at the newest migration")
def readyz(request: Request) -> JSONResponse:
    state = readiness(request.app.state.sessionmaker)
    if not state.ready:
        return JSONResponse(
            {"status": "unavailable", "reason": state.reason},
            status_code=503,
            headers={"Retry-After": str(state.retry_after)},
        )
    return JSONResponse({"status": "ready", "schema": state.schema})
