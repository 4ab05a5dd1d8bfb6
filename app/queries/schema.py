"""What the database says of itself: that it answers, and its schema's migration."""

from __future__ import annotations

from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.orm import Session


def current_revision(session: Session) -> str | None:
    """The migration the schema is at (one round trip first: the database answers)."""
    session.execute(text("SELECT 1"))
    return MigrationContext.configure(session.connection()).get_current_revision()
