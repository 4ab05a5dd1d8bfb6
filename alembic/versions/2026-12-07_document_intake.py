"""document intake: a registered document's subject region and text; audit of documents

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 00:00:00

``POST /api/v1/documents`` registers a new document with the figures a person confirmed
from it. ``document.region_code`` is the region the document is about (null for the five
seeded documents, which predate it); ``document.text`` its full text when the client sent
it, so that ``/documents/{code}`` can show it with its figures marked (the seeded
documents' text stays in ``seeds/sources/``). A document's key is its code, not a number:
``audit_entry.entity_key`` holds it, and ``audit_entry.entity_id`` may then be null.

``region_code`` has no foreign key: SQLite adds a column in place only without one that
it could later drop in place, and copying ``document`` would mean dropping a table the
figures refer to. The service checks the code (regions are never deleted).
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # In place (ADD COLUMN), never a copy of document (see above).
    with op.batch_alter_table("document", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("region_code", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("text", sa.Text(), nullable=True))
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("entity_key", sa.String(length=64), nullable=True))
        batch_op.alter_column("entity_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    # Entries of documents have no number to keep.
    op.execute("DELETE FROM audit_entry WHERE entity_id IS NULL")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.alter_column("entity_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("entity_key")
    # In place: SQLite 3.35+ drops a column without a copy.
    with op.batch_alter_table("document", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("text")
        batch_op.drop_column("region_code")
