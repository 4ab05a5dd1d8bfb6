"""WAL positions of a primary and a hot standby, as text ('16/B374D848'), for the read
replica's routing (app/read_replica.py)."""

from __future__ import annotations

from sqlalchemy import Connection, text

# The primary's current WAL write position: every commit that has returned is before it.
PRIMARY_POSITION = "SELECT pg_current_wal_lsn()::text"
# How far a standby has replayed; NULL on a server that is not in recovery.
REPLAY_POSITION = "SELECT pg_last_wal_replay_lsn()::text"


def primary_position(conn: Connection) -> str:
    value: str = conn.execute(text(PRIMARY_POSITION)).scalar_one()
    return value


def replay_position(conn: Connection) -> str | None:
    value: str | None = conn.execute(text(REPLAY_POSITION)).scalar()
    return value
