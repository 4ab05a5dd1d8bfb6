"""every committed change to the data behind a read sends NOTIFY policy_tracker_changed

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 00:20:00

Each worker keeps recent read answers in memory (app/api/response_cache.py) and empties
that cache when it hears this notice. These are statement triggers, so they also fire for
writes made behind the service's back (psql, COPY, another replica). Postgres sends a
notice only when the transaction commits, and only once per table and transaction.
SQLite has no notices: there the cache stays closed.
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ('observation', 'target', 'plan', 'region', 'indicator', 'document')


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute(
        """
        CREATE FUNCTION policy_tracker_notify_change() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('policy_tracker_changed', TG_TABLE_NAME);
            RETURN NULL;
        END
        $$
        """
    )
    for table in TABLES:
        op.execute(
            f'CREATE TRIGGER notify_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE '
            f'ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION policy_tracker_notify_change()'
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    for table in TABLES:
        op.execute(f'DROP TRIGGER notify_change ON "{table}"')
    op.execute('DROP FUNCTION policy_tracker_notify_change()')
