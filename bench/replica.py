"""The ``replica`` step: reads with and without a Postgres hot standby, in one run.

The shared Postgres on 127.0.0.1:5432 is never touched: the step builds a primary and a
streaming standby of its own (``initdb``, ``pg_basebackup -R``, through ``runuser -u
postgres`` when run as root, as the reliability tests do), loads the current data set into
the primary and runs four app servers on it: without and with ``DATABASE_READ_URL``, each
with and without its response cache. The same scorecards and single targets go to each,
repetitions interleaved. On one machine both clusters share its cores, so the gain is
bounded by what the primary's own work (WAL, checkpoints, its pool) costs the reads; the
ratio is reported as it is.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from bench import datagen
from bench import db as dbmod
from bench.db import Database
from bench.servers import Server

if TYPE_CHECKING:
    from bench.suite import Run

BENCH = "replica"
DATABASE = "policy_tracker_bench"


def _server(run: Run, db: Database, name: str, *, cache: bool, read_url: str | None) -> Server:
    env = {"DATABASE_URL": db.url}
    if not cache:
        env["RESPONSE_CACHE_BYTES"] = "0"
    if read_url:
        env["DATABASE_READ_URL"] = read_url
    return Server(name, "app.main:app", env, **run.server_kwargs())


def copy_database(source: Database, target: Database, bindir: Path) -> None:
    """``source`` into the empty ``target``, schema, rows and indexes: ``pg_dump`` piped
    into ``pg_restore``, both of the primary's own version."""
    dump = subprocess.Popen(
        [str(bindir / "pg_dump"), "--format=custom", "--compress=0", "-d", source.conninfo()],
        stdout=subprocess.PIPE,
    )
    restore = subprocess.run(
        [str(bindir / "pg_restore"), "--no-owner", "--exit-on-error", "-d", target.conninfo()],
        stdin=dump.stdout,
        check=False,
    )
    assert dump.stdout is not None
    dump.stdout.close()
    if dump.wait() != 0 or restore.returncode != 0:
        raise RuntimeError(
            f"copying {source.name} failed: pg_dump {dump.returncode}, "
            f"pg_restore {restore.returncode}"
        )
    with target.connect() as conn:
        conn.execute("ANALYZE")


def _wait_for_standby(base: str, deadline: float = 60.0) -> dict[str, Any]:
    end = time.monotonic() + deadline
    state: dict[str, Any] = {}
    while time.monotonic() < end:
        state = httpx.get(base + "/readyz", timeout=5).json().get("replica") or {}
        if state.get("status") == "up":
            return state
        time.sleep(0.2)
    raise RuntimeError(f"the standby did not come up for the app: {state}")


def measure(run: Run) -> None:
    """Scorecards and single targets, four servers, interleaved; ratios with ÷ without."""
    from tests.reliability.support import PgCluster, postgres_bindir, postgres_skip_reason

    reason = postgres_skip_reason()
    if reason:
        run.log(f"  replica: skipped: {reason}")
        run.ratio(BENCH, "skipped", None, note=reason)
        return
    run.stop_servers()
    bindir = postgres_bindir()
    assert bindir is not None
    primary = PgCluster(bindir)
    standby = PgCluster(bindir)
    servers: list[Server] = []
    try:
        primary.init()
        primary.start()
        db = Database(primary.url(DATABASE))
        db.recreate()
        if run.opts.reuse:
            # The kept database, copied whole: a load would recompute every goal and
            # build every timeline again (about 35 minutes at scale 1.0 on 2 cores).
            run.log("  replica: copying the kept database into a primary of its own")
            copy_database(run.db, db, bindir)
        else:
            db.migrate()
            run.log(f"  replica: loading {run.spec.describe()} into a primary of its own")
            dbmod.load(db, run.spec, log=False)
        standby.basebackup_from(primary)
        standby.start()
        read_url = standby.url(DATABASE)
        plain = _server(run, db, "replica-primary-only", cache=True, read_url=None)
        plain_uncached = _server(
            run, db, "replica-primary-only-uncached", cache=False, read_url=None
        )
        with_standby = _server(run, db, "replica-standby", cache=True, read_url=read_url)
        with_standby_uncached = _server(
            run, db, "replica-standby-uncached", cache=False, read_url=read_url
        )
        servers = [plain, plain_uncached, with_standby, with_standby_uncached]
        for server in servers:
            server.start()
        for server in (with_standby, with_standby_uncached):
            _wait_for_standby(server.base)
        regions = datagen.county_codes(run.spec, run.opts.regions)
        scorecards = [f"/api/v1/targets?region={c}&limit=1000" for c in regions]
        total = httpx.get(plain.base + "/api/v1/targets?limit=1", timeout=30).json()["total"]
        step = max(1, total // max(1, run.opts.regions))
        targets = [f"/api/v1/targets/{i}" for i in range(1, total + 1, step)][: run.opts.regions]
        # The standby server must read from the standby: its uncached answer says so.
        check = httpx.get(with_standby_uncached.base + scorecards[0], timeout=run.opts.timeout)
        check.raise_for_status()
        read_from = check.headers.get("X-Read-From")
        note = f"the standby server's reads: X-Read-From {read_from}"
        tool = run.tool_for([(plain_uncached.base, scorecards[0])])
        subjects: dict[tuple[str, str, bool], Any] = {}
        for kind, paths in (("scorecard", scorecards), ("target", targets)):
            for server, standby_used in (
                (plain, False),
                (with_standby, True),
                (plain_uncached, False),
                (with_standby_uncached, True),
            ):
                cached = server in (plain, with_standby)
                label = (
                    f"{kind}: {'with' if standby_used else 'without'} the standby, "
                    f"{'cached' if cached else 'no cache'}"
                )
                path = scorecards[0] if kind == "scorecard" else targets[0]
                subjects[(kind, server.name, cached)] = (
                    run.measurement(BENCH, f"{label} (GET {path.split('?')[0]})", tool, note),
                    server,
                    paths,
                )
        for rep in range(run.opts.reps):
            run.log(f"  replica: repetition {rep + 1}/{run.opts.reps}")
            for measurement, server, paths in subjects.values():
                measurement.reps.append(run._http(server.base, paths, tool))
        for kind in ("scorecard", "target"):
            for cached, (without, with_) in (
                (True, (plain, with_standby)),
                (False, (plain_uncached, with_standby_uncached)),
            ):
                a = subjects[(kind, with_.name, cached)][0]
                b = subjects[(kind, without.name, cached)][0]
                ratio = (
                    a.median("rps") / b.median("rps")
                    if a.median("rps") and b.median("rps")
                    else None
                )
                how = "cached" if cached else "no cache"
                run.ratio(
                    BENCH,
                    f"{kind} {how}: req/s with the standby ÷ without",
                    ratio,
                    note=note,
                )
    finally:
        for server in servers:
            server.stop()
        standby.destroy()
        primary.destroy()
