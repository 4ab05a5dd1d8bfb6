"""series whose goals' stored progress waits to be recomputed

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 05:00:00

Filled by posts with ``Prefer: return=minimal``, emptied by the backlog refresher
(app/models/backlog.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stale_series",
        sa.Column("indicator_code", sa.String(64), nullable=False),
        sa.Column("region_code", sa.String(32), nullable=False),
        sa.Column("from_year", sa.Integer(), nullable=False),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("indicator_code", "region_code", name="pk_stale_series"),
    )


def downgrade() -> None:
    op.drop_table("stale_series")
