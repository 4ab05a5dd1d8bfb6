"""indicator aliases; every source of a goal several documents state alike

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 23:40:00

``indicator.aliases``: the phrases the documents use for an indicator besides its name,
joined by ``|`` (searched by one LIKE). ``target.sources_json`` and ``plan.sources_json``:
the documents that state one goal alike, oldest first, as a JSON list of
``{"document", "quote"}``; null for a goal with one source (its ``document_code`` and
``quote``). Filled by ``seed load``.

Every goal's stored read is emptied (status stays), in both directions: a read now
carries ``sources``, and a stored one is computed afresh on first use or by
``python -m app progress refresh``.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.add_column(sa.Column("aliases", sa.Text(), nullable=True))
    for table in ("target", "plan"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("sources_json", sa.Text(), nullable=True))
        op.execute(f'UPDATE "{table}" SET read_json = NULL WHERE read_json IS NOT NULL')


def downgrade() -> None:
    # Never by copying the table: on SQLite a copy would lose the status-tally triggers
    # (0006) that live on target and plan; SQLite 3.35+ drops a column in place.
    for table in ("plan", "target"):
        with op.batch_alter_table(table, schema=None, recreate="never") as batch_op:
            batch_op.drop_column("sources_json")
        op.execute(f'UPDATE "{table}" SET read_json = NULL WHERE read_json IS NOT NULL')
    # In place too: a copy of indicator would have to drop a table that figures refer to.
    with op.batch_alter_table("indicator", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("aliases")
