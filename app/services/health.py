"""Whether the service can answer: the database reachable, its schema the newest."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from alembic.script import ScriptDirectory
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from app.queries.schema import current_revision
from app.settings import PROJECT_ROOT


class Readiness(NamedTuple):
    ready: bool
    reason: str | None  # why not
    schema: str | None  # the revision the schema is at
    retry_after: int


def head_revision() -> str | None:
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    return ScriptDirectory.from_config(config).get_current_head()


def readiness(sessions: Callable[[], Session]) -> Readiness:
    try:
        with sessions() as session:
            current = current_revision(session)
    except SQLAlchemyError:
        return Readiness(False, "database unreachable", None, 1)
    head = head_revision()
    if current != head:
        return Readiness(False, f"schema at {current}, newest is {head}", current, 5)
    return Readiness(True, None, current, 0)
