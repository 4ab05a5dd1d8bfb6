"""The command line's failures as one line each, saying what to do, without a traceback."""

from __future__ import annotations

import httpx
from sqlalchemy.exc import DBAPIError

from app.db import NOT_MIGRATED, is_unmigrated

USAGE_ERROR = 2
FAILURE = 1


def explain(error: BaseException) -> tuple[str, int] | None:
    """The line to print and the exit code for an expected failure; None for a bug."""
    if isinstance(error, FileNotFoundError):
        return f"no such file: {error.filename}; check the path", USAGE_ERROR
    if isinstance(error, IsADirectoryError):
        return f"{error.filename} is a folder; give a .csv file", USAGE_ERROR
    if isinstance(error, PermissionError):
        return f"cannot read {error.filename}: permission denied", USAGE_ERROR
    if isinstance(error, httpx.TransportError):
        url = error.request.url if _has_request(error) else "the service"
        return (
            f"cannot reach {url}: {error or type(error).__name__}; is the service running "
            "(python -m app serve) and is --url right?",
            FAILURE,
        )
    if isinstance(error, DBAPIError):
        if is_unmigrated(error):
            return NOT_MIGRATED, FAILURE
        reason = str(getattr(error, "orig", error)).strip().splitlines()[0]
        return f"the database refused or is unreachable ({reason}); check DATABASE_URL", FAILURE
    return None


def _has_request(error: httpx.TransportError) -> bool:
    try:
        error.request  # noqa: B018 - raises when the error has no request
    except RuntimeError:
        return False
    return True
