"""counts of goals in force by region and status, kept as deltas by triggers

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 00:40:00

Row triggers on ``target`` and ``plan`` append -1 for a goal's old (region, status) and
+1 for its new one, for goals in force (not retired) only. They fire only when the
status, the retirement or the region changes, so storing a fresh read with the same
status costs nothing here. The summary sums the deltas (app/queries/goals.py).
The table starts with the counts of the goals already there.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GOAL_TABLES = ("target", "plan")

POSTGRES_FUNCTION = """
CREATE FUNCTION policy_tracker_tally_status() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM goal_status_tally WHERE kind = TG_TABLE_NAME;
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.retired_at IS NULL THEN
        INSERT INTO goal_status_tally (kind, region_code, status, n)
        VALUES (TG_TABLE_NAME, OLD.region_code, OLD.status, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.retired_at IS NULL THEN
        INSERT INTO goal_status_tally (kind, region_code, status, n)
        VALUES (TG_TABLE_NAME, NEW.region_code, NEW.status, 1);
    END IF;
    RETURN NULL;
END
$$
"""

# Postgres and SQLite spell "the tallied columns changed" alike, but for IS DISTINCT FROM.
_CHANGED = (
    "OLD.status {ne} NEW.status OR OLD.region_code {ne} NEW.region_code "
    "OR (OLD.retired_at IS NULL) {ne} (NEW.retired_at IS NULL)"
)


def _postgres_triggers(table: str) -> list[str]:
    run = "FOR EACH ROW EXECUTE FUNCTION policy_tracker_tally_status()"
    return [
        f'CREATE TRIGGER tally_status_rows AFTER INSERT OR DELETE ON "{table}" {run}',
        f"CREATE TRIGGER tally_status_change AFTER UPDATE OF status, region_code, retired_at "
        f'ON "{table}" FOR EACH ROW WHEN ({_CHANGED.format(ne="IS DISTINCT FROM")}) '
        f"EXECUTE FUNCTION policy_tracker_tally_status()",
        f'CREATE TRIGGER tally_status_truncate AFTER TRUNCATE ON "{table}" '
        f"FOR EACH STATEMENT EXECUTE FUNCTION policy_tracker_tally_status()",
    ]


def _sqlite_triggers(table: str) -> list[str]:
    def add(row: str, n: int) -> str:
        return (
            f"INSERT INTO goal_status_tally (kind, region_code, status, n) "
            f"SELECT '{table}', {row}.region_code, {row}.status, {n} "
            f"WHERE {row}.retired_at IS NULL;"
        )

    return [
        f'CREATE TRIGGER tally_{table}_insert AFTER INSERT ON "{table}" BEGIN {add("NEW", 1)} END',
        f'CREATE TRIGGER tally_{table}_delete AFTER DELETE ON "{table}" BEGIN {add("OLD", -1)} END',
        f"CREATE TRIGGER tally_{table}_update AFTER UPDATE OF status, region_code, retired_at "
        f'ON "{table}" WHEN {_CHANGED.format(ne="IS NOT")} '
        f"BEGIN {add('OLD', -1)} {add('NEW', 1)} END",
    ]


def upgrade() -> None:
    op.create_table(
        "goal_status_tally",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("region_code", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=True),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goal_status_tally")),
    )
    op.create_index(
        "ix_goal_status_tally_kind_region", "goal_status_tally", ["kind", "region_code"]
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute(POSTGRES_FUNCTION)
    for table in GOAL_TABLES:
        for statement in _postgres_triggers(table) if postgres else _sqlite_triggers(table):
            op.execute(statement)
        op.execute(
            f"INSERT INTO goal_status_tally (kind, region_code, status, n) "
            f"SELECT '{table}', region_code, status, count(*) FROM \"{table}\" "
            f"WHERE retired_at IS NULL GROUP BY region_code, status"
        )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in GOAL_TABLES:
        if postgres:
            for name in ("tally_status_rows", "tally_status_change", "tally_status_truncate"):
                op.execute(f'DROP TRIGGER {name} ON "{table}"')
        else:
            for event in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER tally_{table}_{event}")
    if postgres:
        op.execute("DROP FUNCTION policy_tracker_tally_status()")
    op.drop_index("ix_goal_status_tally_kind_region", table_name="goal_status_tally")
    op.drop_table("goal_status_tally")
