"""Bearer API keys with a role: analysts post figures, reviewers also approve them, admins
also edit targets and plans."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.api.deps import SessionDep
from app.api.limits import FailedAuthLimiter
from app.errors import AppError, Unauthorized
from app.models import ApiKey
from app.services.api_keys import authorize, find_key

bearer = HTTPBearer(auto_error=False, description="an API key from `python -m app keys create`")


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def current_key(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> ApiKey:
    limiter: FailedAuthLimiter = request.app.state.auth_limiter
    client = _client(request)
    wait = limiter.retry_after(client)
    if wait is not None:
        raise AppError(
            f"too many failed authentication attempts; retry in {wait} s",
            429,
            "too_many_requests",
            headers={"Retry-After": str(wait)},
        )
    if credentials is None or not credentials.credentials:
        if request.headers.get("authorization"):
            limiter.record_failure(client)
            raise Unauthorized("use the scheme 'Authorization: Bearer <key>'")
        raise Unauthorized("send an API key as 'Authorization: Bearer <key>'")
    key = find_key(session, credentials.credentials)
    if key is None:
        limiter.record_failure(client)
        raise Unauthorized("the API key is unknown or revoked")
    return key


def require_role(*roles: str) -> Callable[[ApiKey], ApiKey]:
    def _check(key: Annotated[ApiKey, Depends(current_key)]) -> ApiKey:
        return authorize(key, roles)

    return _check


AnalystKey = Annotated[ApiKey, Depends(require_role("analyst", "reviewer", "admin"))]
ReviewerKey = Annotated[ApiKey, Depends(require_role("reviewer", "admin"))]
AdminKey = Annotated[ApiKey, Depends(require_role("admin"))]
