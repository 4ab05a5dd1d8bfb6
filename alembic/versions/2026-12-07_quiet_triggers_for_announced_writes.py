"""the statement triggers stay quiet for a transaction that announces its own change

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 10:00:00

The service's own writes send one ``NOTIFY policy_tracker_changed`` naming the series they
touched (app/changes.py ``announce``), so that each worker's response cache drops only the
answers that depend on them. They set the transaction-local ``policy_tracker.announced``
first; the triggers of migration 0005 then send nothing, or every write would also send a
notice naming a table, which means everything. Writes made anywhere else (psql, a COPY,
an older version of the service) do not set it, and the triggers fire as before.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """
        CREATE OR REPLACE FUNCTION policy_tracker_notify_change() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF coalesce(current_setting('policy_tracker.announced', true), '') <> 'on' THEN
                PERFORM pg_notify('policy_tracker_changed', TG_TABLE_NAME);
            END IF;
            RETURN NULL;
        END
        $$
        """
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """
        CREATE OR REPLACE FUNCTION policy_tracker_notify_change() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('policy_tracker_changed', TG_TABLE_NAME);
            RETURN NULL;
        END
        $$
        """
    )
