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
    """The peer address; ``X-Forwarded-For`` counts only when the server was told to trust
    the proxy that sent it (``FORWARDED_ALLOW_IPS``, passed to uvicorn by ``serve``)."""
    return request.client.host if request.client else "unknown"


def current_key(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> ApiKey:
    """The key of the request, checked before the failed-auth limiter: a valid key always
    passes, so one client's failures behind a shared address (an office NAT) never lock out
    the others. The limiter throttles the failures themselves: a key is 256 random bits,
    so it slows noise and scanners down; it is not what keeps keys from being guessed."""
    limiter: FailedAuthLimiter = request.app.state.auth_limiter
    client = _client(request)
    if credentials is not None and credentials.credentials:
        found = find_key(session, credentials.credentials)
        if found is not None:
            return found
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
    limiter.record_failure(client)
    raise Unauthorized("the API key is unknown or revoked")


def require_role(*roles: str) -> Callable[[ApiKey], ApiKey]:
    def _check(key: Annotated[ApiKey, Depends(current_key)]) -> ApiKey:
        return authorize(key, roles)

    return _check


AnalystKey = Annotated[ApiKey, Depends(require_role("analyst", "reviewer", "admin"))]
ReviewerKey = Annotated[ApiKey, Depends(require_role("reviewer", "admin"))]
AdminKey = Annotated[ApiKey, Depends(require_role("admin"))]
