"""each goal's read (its progress) stored beside its status; an index for the counts

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 20:45:00

The index lets ``GROUP BY status`` over the goals in force be an index-only scan.
Progress is left empty: each goal's progress is computed on first use, or by
``python -m app progress refresh`` (which ``seed load`` also runs).
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('read_json', sa.Text(), nullable=True))
        batch_op.create_index('ix_plan_status_retired', ['status', 'retired_at'], unique=False)

    with op.batch_alter_table('target', schema=None) as batch_op:
        batch_op.add_column(sa.Column('read_json', sa.Text(), nullable=True))
        batch_op.create_index('ix_target_status_retired', ['status', 'retired_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('target', schema=None) as batch_op:
        batch_op.drop_index('ix_target_status_retired')
        batch_op.drop_column('read_json')

    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.drop_index('ix_plan_status_retired')
        batch_op.drop_column('read_json')
