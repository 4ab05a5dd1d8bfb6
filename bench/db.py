"""The bench's own database: created, migrated with the app's migrations, filled through COPY.

Only a database whose name contains ``bench`` is ever created or dropped here.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from bench import datagen

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BULK_TABLES = ("observation", "target", "plan", "region")
CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class Database:
    url: str  # SQLAlchemy URL, postgresql+psycopg://...

    @property
    def name(self) -> str:
        name = make_url(self.url).database
        assert name
        return name

    def conninfo(self, database: str | None = None) -> str:
        u = make_url(self.url)
        parts = {
            "host": u.host or "127.0.0.1",
            "port": str(u.port or 5432),
            "user": u.username or "postgres",
            "dbname": database or u.database or "postgres",
        }
        if u.password:
            parts["password"] = u.password
        return " ".join(f"{k}={v}" for k, v in parts.items())

    def libpq_env(self) -> dict[str, str]:
        """PG* variables for psql and pgbench."""
        u = make_url(self.url)
        env = {
            "PGHOST": u.host or "127.0.0.1",
            "PGPORT": str(u.port or 5432),
            "PGUSER": u.username or "postgres",
            "PGDATABASE": self.name,
        }
        if u.password:
            env["PGPASSWORD"] = u.password
        return env

    def connect(self, autocommit: bool = True) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(self.conninfo(), autocommit=autocommit)

    def _check_name(self) -> None:
        if "bench" not in self.name:
            raise SystemExit(f"refusing to create or drop '{self.name}': its name lacks 'bench'")

    def recreate(self) -> None:
        self._check_name()
        with psycopg.connect(self.conninfo("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        self._check_name()
        with psycopg.connect(self.conninfo("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def app_command(self, *args: str, timeout: float) -> None:
        """``python -m app ARGS`` against this database, as an operator runs it."""
        subprocess.run(
            [sys.executable, "-m", "app", *args],
            cwd=PROJECT_ROOT,
            env={**os.environ, "DATABASE_URL": self.url},
            check=True,
            capture_output=True,
            timeout=timeout,
        )

    def migrate(self) -> None:
        self.app_command("db", "upgrade", timeout=120)

    def refresh_progress(self) -> None:
        """What an operator runs after loading data behind the service's back."""
        self.app_command("progress", "refresh", timeout=7200)

    def build_timelines(self) -> None:
        """The status timelines past summaries sum (the workers build them too, slowly)."""
        self.app_command("progress", "timelines", timeout=7200)

    def create_key(self, name: str, role: str = "analyst") -> str:
        env = {**os.environ, "DATABASE_URL": self.url}
        done = subprocess.run(
            [sys.executable, "-m", "app", "keys", "create", "--name", name, "--role", role],
            cwd=PROJECT_ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        )
        return done.stdout.strip().splitlines()[-1]


def _chunks(lines: Iterable[str]) -> Iterator[bytes]:
    buf: list[str] = []
    size = 0
    for line in lines:
        buf.append(line)
        size += len(line)
        if size >= CHUNK_BYTES // 3:  # characters, up to 3 bytes each in UTF-8
            yield "".join(buf).encode()
            buf, size = [], 0
    if buf:
        yield "".join(buf).encode()


def copy_lines(
    conn: psycopg.Connection[tuple[object, ...]],
    table: str,
    columns: tuple[str, ...],
    lines: Iterable[str],
) -> int:
    rows = 0

    def counted() -> Iterator[str]:
        nonlocal rows
        for line in lines:
            rows += 1
            yield line

    with (
        conn.cursor() as cur,
        cur.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy,
    ):
        for chunk in _chunks(counted()):
            copy.write(chunk)
    return rows


def _secondary_ddl(conn: psycopg.Connection[tuple[object, ...]]) -> tuple[list[str], list[str]]:
    """DROP and re-CREATE statements for the bulk tables' FKs, unique constraints and indexes.

    Read from the catalogue, so what is rebuilt is exactly what the migrations made.
    """
    drops: list[str] = []
    creates: list[str] = []
    cons = conn.execute(
        """
        SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.contype
        FROM pg_constraint c
        WHERE c.conrelid::regclass::text = ANY(%s) AND c.contype IN ('f', 'u')
        ORDER BY c.contype DESC, c.conname
        """,
        (list(BULK_TABLES),),
    ).fetchall()
    for table, name, _definition, _kind in cons:
        drops.append(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    idx = conn.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        ORDER BY 1
        """,
        (list(BULK_TABLES),),
    ).fetchall()
    for name, definition in idx:
        drops.append(f'DROP INDEX "{name}"')
        creates.append(str(definition))
    # Unique constraints first (they build indexes), then foreign keys.
    for table, name, definition, _kind in sorted(cons, key=lambda c: c[3] != "u"):
        creates.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    return drops, creates


def load(db: Database, spec: datagen.Spec, log: bool = True) -> dict[str, float | int]:
    """Empty the bench tables and fill them with ``spec``'s rows; timings in seconds."""
    timings: dict[str, float | int] = {}
    started = time.perf_counter()
    with db.connect() as conn:
        conn.execute("SET synchronous_commit = off")
        conn.execute("SET maintenance_work_mem = '512MB'")
        conn.execute(
            "TRUNCATE observation, target, plan, audit_entry, idempotency_record, region, "
            "indicator, document RESTART IDENTITY CASCADE"
        )
        drops, creates = _secondary_ddl(conn)
        for stmt in drops:
            conn.execute(stmt)
        t = time.perf_counter()
        refs = datagen.reference_lines(spec)
        copy_lines(conn, "document", datagen.DOCUMENT_COLUMNS, refs["document"])
        timings["regions"] = copy_lines(conn, "region", datagen.REGION_COLUMNS, refs["region"])
        copy_lines(conn, "indicator", datagen.INDICATOR_COLUMNS, refs["indicator"])
        timings["targets"] = copy_lines(
            conn, "target", datagen.TARGET_COLUMNS, datagen.target_lines(spec)
        )
        timings["plans"] = copy_lines(conn, "plan", datagen.PLAN_COLUMNS, datagen.plan_lines(spec))
        timings["observations"] = copy_lines(
            conn, "observation", datagen.OBSERVATION_COLUMNS, datagen.observation_lines(spec)
        )
        timings["copy_s"] = time.perf_counter() - t
        if log:
            print(
                f"  copied {timings['observations']:,} observations, {timings['targets']:,} "
                f"targets, {timings['plans']:,} plans in {timings['copy_s']:.1f} s",
                flush=True,
            )
        t = time.perf_counter()
        for stmt in creates:
            conn.execute(stmt)
        for table in ("target", "plan", "observation"):
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
            )
        timings["index_s"] = time.perf_counter() - t
        t = time.perf_counter()
        conn.execute("VACUUM (ANALYZE) observation")
        conn.execute("VACUUM (ANALYZE) target")
        conn.execute("VACUUM (ANALYZE) plan")
        conn.execute("ANALYZE region")
        conn.execute("ANALYZE indicator")
        timings["analyze_s"] = time.perf_counter() - t
        # Rows COPYed behind the service's back have no stored progress: compute it once,
        # as an operator would (python -m app progress refresh), then vacuum so that the
        # status counts are index-only scans.
        t = time.perf_counter()
        db.refresh_progress()
        timings["progress_refresh_s"] = time.perf_counter() - t
        conn.execute("VACUUM (ANALYZE) target")
        conn.execute("VACUUM (ANALYZE) plan")
        if log:
            print(
                f"  progress refresh of every target and plan: "
                f"{timings['progress_refresh_s']:.1f} s",
                flush=True,
            )
        # Then their status timelines, for past summaries (python -m app progress timelines).
        t = time.perf_counter()
        db.build_timelines()
        timings["timelines_build_s"] = time.perf_counter() - t
        conn.execute("VACUUM (ANALYZE) goal_status_history")
        if log:
            print(
                f"  status timelines of every target and plan: "
                f"{timings['timelines_build_s']:.1f} s",
                flush=True,
            )
        size = conn.execute("SELECT pg_database_size(current_database())").fetchone()
        timings["db_bytes"] = int(size[0]) if size else 0  # type: ignore[call-overload]
    timings["load_s"] = time.perf_counter() - started
    if log:
        print(
            f"  indexes and constraints rebuilt in {timings['index_s']:.1f} s, analyzed in "
            f"{timings['analyze_s']:.1f} s; load {timings['load_s']:.1f} s, "
            f"database {int(timings['db_bytes']) / 2**20:,.0f} MiB",
            flush=True,
        )
    return timings


def reuse(db: Database, spec: datagen.Spec, *, refresh: bool, log: bool = True) -> dict[str, float]:
    """A database loaded by an earlier run (``--keep``) with this spec, brought to the
    app's current schema (and, with ``refresh``, its progress recomputed, as after a change
    to the arithmetic or to what a refresh builds): the counts a load reports, without
    loading. Refuses a database that does not hold the spec's regions."""
    db._check_name()
    started = time.perf_counter()
    try:
        conn = db.connect()
    except psycopg.OperationalError as exc:
        raise SystemExit(f"--reuse: cannot open {db.name}: {exc}") from exc
    with conn:
        regions = conn.execute("SELECT count(*) FROM region").fetchone()
        if not regions or regions[0] != spec.regions:
            raise SystemExit(
                f"--reuse: {db.name} holds {regions[0] if regions else 0} regions, "
                f"not the {spec.regions} of scale {spec.scale}"
            )
    db.migrate()
    timings: dict[str, float] = {"reused": 1}
    if refresh:
        t = time.perf_counter()
        db.refresh_progress()
        timings["progress_refresh_s"] = time.perf_counter() - t
    t = time.perf_counter()
    db.build_timelines()  # those missing only: a no-op on a database that has them all
    timings["timelines_build_s"] = time.perf_counter() - t
    with db.connect() as conn:
        if refresh:
            conn.execute("VACUUM (ANALYZE) target")
            conn.execute("VACUUM (ANALYZE) plan")
        conn.execute("VACUUM (ANALYZE) goal_status_history")
        for table in ("target", "plan", "observation"):
            row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
            timings[f"{table}s"] = int(row[0]) if row else 0
        size = conn.execute("SELECT pg_database_size(current_database())").fetchone()
        timings["db_bytes"] = int(size[0]) if size else 0  # type: ignore[call-overload]
    timings["regions"] = spec.regions
    timings["load_s"] = time.perf_counter() - started
    if log:
        print(f"  reused {db.name}: {timings['targets']:,.0f} targets", flush=True)
    return timings


def reset_ingest(db: Database, extra_periods: tuple[str, ...] = ()) -> None:
    """Remove what an ingest run added, so each repetition starts from the same table."""
    with db.connect() as conn:
        periods = [*datagen.INGEST_PERIODS, *extra_periods]
        conn.execute("DELETE FROM observation WHERE period = ANY(%s)", (periods,))
        conn.execute("DELETE FROM audit_entry WHERE entity = 'observation'")
        conn.execute("DELETE FROM idempotency_record")
        conn.execute("DELETE FROM stale_series")  # its figures are gone
        conn.execute("VACUUM (ANALYZE) observation")
        conn.execute("VACUUM audit_entry")
