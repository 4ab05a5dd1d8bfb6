"""status history: each goal's status by interval of time, for past summaries

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 06:00:00

``GET /summary?as_of=T`` counts the intervals that hold T (app/models/history.py)
instead of recomputing every goal from its figures. The table starts empty: until a
goal's timeline is built (by the workers' background thread, or ``python -m app progress
timelines`` for all of them) the summary computes that goal from its figures as before.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "goal_status_history",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("indicator_code", sa.String(length=64), nullable=False),
        sa.Column("region_code", sa.String(length=32), nullable=False),
        sa.Column("end_year", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goal_status_history")),
    )
    op.create_index("ix_goal_status_history_goal", "goal_status_history", ["kind", "goal_id"])
    op.create_index("ix_goal_status_history_region", "goal_status_history", ["kind", "region_code"])
    op.create_index(
        "ix_goal_status_history_as_of",
        "goal_status_history",
        ["kind", "status", "since", "until"],
    )
    op.create_index(
        "ix_goal_status_history_series", "goal_status_history", ["indicator_code", "region_code"]
    )


def downgrade() -> None:
    op.drop_index("ix_goal_status_history_series", table_name="goal_status_history")
    op.drop_index("ix_goal_status_history_as_of", table_name="goal_status_history")
    op.drop_index("ix_goal_status_history_region", table_name="goal_status_history")
    op.drop_index("ix_goal_status_history_goal", table_name="goal_status_history")
    op.drop_table("goal_status_history")
