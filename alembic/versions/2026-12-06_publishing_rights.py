"""who may publish what: keys scoped to regions, the reviewer role, figures under review

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 00:00:00

``api_key_region`` holds the regions a key may write for (with their descendants); a key
without rows there stays unscoped, as every key made before. ``observation`` gains its
publication state: every figure already stored is ``published`` from its ``recorded_at``.
Reads filter on ``published_at`` where they filtered on ``recorded_at``, so a pending or
rejected figure (``published_at`` NULL) is invisible to them. A partial index keeps the
review queue (the unpublished rows) cheap to list. Downgrading deletes the figures that
were never published (they would otherwise turn public) and makes reviewers analysts.
"""

from collections.abc import Sequence

import sqlalchemy as sa

import app.models.types
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNPUBLISHED = sa.text("state <> 'published'")


def upgrade() -> None:
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_api_key_role"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_api_key_role"), "role IN ('analyst', 'reviewer', 'admin')"
        )
    op.create_table(
        "api_key_region",
        sa.Column("api_key_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["api_key_id"],
            ["api_key.id"],
            name=op.f("fk_api_key_region_api_key_id_api_key"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["region_code"],
            ["region.code"],
            name=op.f("fk_api_key_region_region_code_region"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("api_key_id", "region_code", name=op.f("pk_api_key_region")),
    )
    with op.batch_alter_table("observation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("state", sa.String(length=16), server_default="published", nullable=False)
        )
        batch_op.add_column(
            sa.Column("published_at", app.models.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("reviewed_at", app.models.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("reviewed_by", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("review_reason", sa.Text(), nullable=True))
    op.execute("UPDATE observation SET published_at = recorded_at")
    with op.batch_alter_table("observation", schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f("ck_observation_state"), "state IN ('published', 'pending', 'rejected')"
        )
        batch_op.create_check_constraint(
            op.f("ck_observation_published_when_published"),
            "(state = 'published') = (published_at IS NOT NULL)",
        )
    op.create_index(
        "ix_observation_unpublished",
        "observation",
        ["region_code"],
        unique=False,
        postgresql_where=UNPUBLISHED,
        sqlite_where=UNPUBLISHED,
    )


def downgrade() -> None:
    op.drop_index(
        "ix_observation_unpublished",
        table_name="observation",
        postgresql_where=UNPUBLISHED,
        sqlite_where=UNPUBLISHED,
    )
    op.execute("DELETE FROM observation WHERE state <> 'published'")
    with op.batch_alter_table("observation", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_observation_published_when_published"), type_="check")
        batch_op.drop_constraint(op.f("ck_observation_state"), type_="check")
        batch_op.drop_column("review_reason")
        batch_op.drop_column("reviewed_by")
        batch_op.drop_column("reviewed_at")
        batch_op.drop_column("published_at")
        batch_op.drop_column("state")
    op.drop_table("api_key_region")
    op.execute("UPDATE api_key SET role = 'analyst' WHERE role = 'reviewer'")
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_api_key_role"), type_="check")
        batch_op.create_check_constraint(op.f("ck_api_key_role"), "role IN ('analyst', 'admin')")
