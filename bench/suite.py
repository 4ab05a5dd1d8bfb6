"""The benchmark suite: each figure measured beside its baseline in the same run.

Order of a run: load the base data set; scorecard (app, pgbench on the app's own SQL, the
PostgREST-style JSON endpoint), single target against /healthz, national summary, ingest
(API batches against psql \\copy); then reload with 10x the history (scorecard) and with
10x the regions (summary). Repetitions of comparable subjects are interleaved so that
drift (cache, autovacuum) hits them alike; the median of the repetitions is quoted.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench import datagen, load
from bench.db import Database
from bench.servers import Server, app_server, json_server

STEPS = (
    "scorecard",
    "target",
    "pages",
    "mixed",
    "summary",
    "export",
    "ingest",
    "replica",
    "growth",
)
PAGE_GOAL = '<li class="goal">'  # one per goal on a region page
SUMMARY_REQUESTS = 20  # sequential requests per repetition of the summary (without as_of)


@dataclass
class Options:
    scale: float
    database_url: str
    duration: float
    reps: int
    concurrency: int
    workers: int
    tool: str  # auto | python | wrk
    sql_tool: str  # auto | pgbench | psycopg
    growth: int
    timeout: float
    ingest_budget: float
    ingest_rows: int | None
    regions: int
    mem_limit_gb: float
    skip: tuple[str, ...]
    keep: bool
    reuse: bool
    refresh: bool
    out: Path | None
    log_dir: Path


@dataclass
class Measurement:
    bench: str
    subject: str
    tool: str
    dataset: dict[str, Any]
    reps: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""

    def median(self, key: str) -> float | None:
        values = [r[key] for r in self.reps if r.get(key) is not None]
        return statistics.median(values) if values else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "bench": self.bench,
            "subject": self.subject,
            "tool": self.tool,
            "dataset": self.dataset,
            "reps": self.reps,
            "note": self.note,
            "median": {
                k: self.median(k)
                for k in ("rps", "p50_ms", "p99_ms", "mean_ms", "seconds", "rows_per_s")
            },
        }


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory_gib"] = round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    for tool in ("wrk", "pgbench", "psql"):
        path = shutil.which(tool)
        if path:
            v = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=10)
            info[tool] = (
                (v.stdout or v.stderr).strip().splitlines()[0] if v.returncode in (0, 1) else path
            )
    return info


class Run:
    def __init__(self, opts: Options) -> None:
        self.opts = opts
        self.db = Database(opts.database_url)
        self.measurements: list[Measurement] = []
        self.ratios: list[dict[str, Any]] = []
        self.loads: list[dict[str, Any]] = []
        self.explain: dict[str, str] = {}
        self.http_tool = self._http_tool()
        self.sql_tool = self._sql_tool()
        self.app: Server | None = None
        self.uncached: Server | None = None
        self.json: Server | None = None
        self.dataset: dict[str, Any] = {}
        self.spec = datagen.Spec(scale=opts.scale)
        self.steps: dict[str, float] = {}

    def _http_tool(self) -> str:
        if self.opts.tool == "auto":
            # wrk drops the requests still in flight when its window closes, which biases
            # short windows against slow endpoints: it is used for windows of 5 s or more,
            # and only for subjects fast enough (see ``tool_for``).
            return "wrk" if load.have_wrk() and self.opts.duration >= 5 else "python"
        if self.opts.tool == "wrk" and not load.have_wrk():
            raise SystemExit("--tool wrk: wrk is not installed (apt-get install -y wrk)")
        return self.opts.tool

    def _sql_tool(self) -> str:
        if self.opts.sql_tool == "auto":
            return "pgbench" if load.have_pgbench() else "psycopg"
        return self.opts.sql_tool

    # ---------------------------------------------------------------- plumbing

    def log(self, text: str) -> None:
        print(text, flush=True)

    @contextmanager
    def timed(self, name: str) -> Iterator[None]:
        t = time.perf_counter()
        try:
            yield
        finally:
            self.steps[name] = self.steps.get(name, 0.0) + time.perf_counter() - t
            self.log(f"  [{name}: {self.steps[name]:.1f} s]")

    def server_kwargs(self) -> dict[str, Any]:
        return {
            "workers": self.opts.workers,
            "log_dir": self.opts.log_dir,
            "mem_limit_gb": self.opts.mem_limit_gb,
            "statement_timeout_s": self.opts.timeout,
        }

    def load_dataset(self, spec: datagen.Spec, label: str, reuse: bool = False) -> None:
        self.stop_servers()
        self.log(f"== data set '{label}': {spec.describe()}")
        timings = self_load = None
        from bench import db as dbmod

        if reuse:
            timings = dbmod.reuse(self.db, spec, refresh=self.opts.refresh)
        else:
            timings = dbmod.load(self.db, spec)
        self_load = {"label": label, "spec": spec.describe(), **timings}
        self.loads.append(self_load)
        self.dataset = {
            "label": label,
            "scale": spec.scale,
            "history_factor": spec.history_factor,
            "region_factor": spec.region_factor,
            "regions": spec.regions,
            "targets": timings["targets"],
            "plans": timings["plans"],
            "observations": timings["observations"],
        }
        self.spec = spec

    def start_servers(self, with_json: bool = True, uncached: bool = False) -> None:
        if self.app is None or not self.app.alive():
            self.app = app_server(self.db, **self.server_kwargs()).start()
            # The app may change between servers (it is a working tree): stamp each figure.
            self.dataset["app_sha256"] = app_fingerprint()["sha256"]
        if with_json and (self.json is None or not self.json.alive()):
            self.json = json_server(self.db, **self.server_kwargs()).start()
        if uncached and (self.uncached is None or not self.uncached.alive()):
            self.uncached = app_server(
                self.db, response_cache=False, **self.server_kwargs()
            ).start()

    def stop_servers(self) -> None:
        for server in (self.app, self.json, self.uncached):
            if server is not None:
                server.stop()
        self.app = self.json = self.uncached = None

    def measurement(self, bench: str, subject: str, tool: str, note: str = "") -> Measurement:
        m = Measurement(bench, subject, tool, dict(self.dataset), note=note)
        self.measurements.append(m)
        return m

    def ratio(self, bench: str, what: str, value: float | None, note: str = "") -> None:
        self.ratios.append(
            {
                "bench": bench,
                "what": what,
                "value": value,
                "note": note,
                "dataset": self.dataset.get("label"),
            }
        )

    def tool_for(self, probes: list[tuple[str, str]]) -> str:
        """One tool for a bench's subjects: the Python loop when any is too slow for wrk.

        A subject whose single request takes more than a fifth of the window, divided by
        the concurrency, would have most of its requests cut off by wrk's window; the Python
        loop lets the requests in flight finish and counts them.
        """
        if self.http_tool != "wrk":
            return self.http_tool
        limit = self.opts.duration / 5 / max(1, self.opts.concurrency) * 1000
        for base, path in probes:
            t = time.perf_counter()
            httpx.get(base + path, timeout=self.opts.timeout).raise_for_status()
            if (time.perf_counter() - t) * 1000 > limit:
                return "python"
        return "wrk"

    # ---------------------------------------------------------------- SQL capture

    def capture_scorecard_sql(
        self, regions: list[str], extra: dict[str, str] | None = None
    ) -> list[str]:
        """The statements the app runs for each region's scorecard, with literals in place."""
        import psycopg
        from fastapi.testclient import TestClient
        from sqlalchemy import event

        from app.main import create_app
        from app.settings import Settings

        # Through sessions, whose engine is where statements can be heard: a direct read
        # (app/direct_reads.py) sends the very same statement (tests/api/test_direct_reads.py).
        app = create_app(
            Settings(database_url=self.db.url, response_cache_bytes=0, direct_reads=False)
        )
        scripts: list[str] = []
        captured: list[str] = []

        def before(_conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
            captured.append(psycopg.ClientCursor(cursor.connection).mogrify(statement, parameters))

        with TestClient(app) as client:
            event.listen(app.state.engine, "before_cursor_execute", before)
            for code in regions:
                captured.clear()
                params = {"region": code, "limit": "1000", **(extra or {})}
                r = client.get("/api/v1/targets", params=params)
                r.raise_for_status()
                body = ";\n".join(s.strip() for s in captured)
                scripts.append(f"BEGIN;\n{body};\nROLLBACK;\n")
        return scripts

    def explain_statements(self, label: str, statements: list[str]) -> None:
        import psycopg

        with psycopg.connect(self.db.conninfo(), autocommit=True) as conn:
            conn.execute(f"SET statement_timeout = {int(self.opts.timeout * 1000)}")
            for i, stmt in enumerate(statements):
                try:
                    rows = conn.execute(f"EXPLAIN (ANALYZE, BUFFERS) {stmt}").fetchall()
                    plan = "\n".join(str(r[0]) for r in rows)
                except psycopg.Error as exc:
                    plan = f"failed: {exc}"
                self.explain[f"{label} #{i + 1}"] = f"{stmt}\n\n{plan}"

    # ---------------------------------------------------------------- benchmarks

    def scorecard(self, label: str = "scorecard", baselines: bool = True) -> Measurement:
        self.start_servers(with_json=baselines, uncached=True)
        regions = datagen.county_codes(self.spec, self.opts.regions)
        paths = [f"/api/v1/targets?region={c}&limit=1000" for c in regions]
        assert self.app is not None
        check = httpx.get(self.app.base + paths[0], timeout=self.opts.timeout)
        check.raise_for_status()
        per_region = check.json()["total"]
        probes = [(self.app.base, paths[1 % len(paths)])]
        if baselines and self.json is not None:
            probes.append((self.json.base, f"/scorecard?region={regions[0]}"))
        tool = self.tool_for(probes)
        app_m = self.measurement(
            label, f"app GET /api/v1/targets?region=X&limit=1000 ({per_region} targets)", tool
        )
        assert self.uncached is not None
        uncached_m = self.measurement(label, "the same, app without its response cache", tool)
        json_m = sql_m = None
        scripts: list[str] = []
        if baselines:
            assert self.json is not None
            json_paths = [f"/scorecard?region={c}" for c in regions]
            httpx.get(self.json.base + json_paths[0], timeout=60).raise_for_status()
            json_m = self.measurement(label, "Postgres json_agg + minimal ASGI handler", tool)
            scripts = self.capture_scorecard_sql(regions)
            sql_m = self.measurement(label, "the app's own SQL for the same request", self.sql_tool)
            self.explain_statements(f"{label} ({regions[0]})", script_statements(scripts[0]))
            # The same scorecard as of a moment computes every block from the observations:
            # its plan must read the region's series, never the whole table.
            as_of = datetime.now(UTC).isoformat().replace("+00:00", "Z")
            replay = self.capture_scorecard_sql(regions[:1], {"as_of": as_of})
            self.explain_statements(f"{label} as_of ({regions[0]})", script_statements(replay[0]))
        for rep in range(self.opts.reps):
            self.log(f"  {label}: repetition {rep + 1}/{self.opts.reps}")
            app_m.reps.append(self._http(self.app.base, paths, tool))
            uncached_m.reps.append(self._http(self.uncached.base, paths, tool))
            if json_m is not None and self.json is not None:
                json_m.reps.append(self._http(self.json.base, json_paths, tool))
            if sql_m is not None:
                sql_m.reps.append(self._sql(scripts))
        if sql_m is not None and json_m is not None:
            for what, subject, baseline, key in (
                ("app req/s ÷ pgbench tps (share of the database's ceiling)", app_m, sql_m, "rps"),
                ("app req/s ÷ json_agg endpoint req/s", app_m, json_m, "rps"),
                ("app without its cache req/s ÷ pgbench tps", uncached_m, sql_m, "rps"),
                (
                    "app without its cache req/s ÷ json_agg endpoint req/s",
                    uncached_m,
                    json_m,
                    "rps",
                ),
                ("app p50 ÷ pgbench p50 (latency)", app_m, sql_m, "p50_ms"),
                ("app p50 ÷ json_agg endpoint p50", app_m, json_m, "p50_ms"),
            ):
                self.ratio(label, what, _div(subject.median(key), baseline.median(key)))
        return app_m

    def target(self) -> None:
        self.start_servers(with_json=False, uncached=True)
        assert self.app is not None
        total = self.dataset["targets"]
        step = max(1, total // max(1, self.opts.regions))
        paths = [f"/api/v1/targets/{i}" for i in range(1, total + 1, step)][: self.opts.regions]
        httpx.get(self.app.base + paths[0], timeout=60).raise_for_status()
        tool = self.tool_for([(self.app.base, paths[1 % len(paths)])])
        t_m = self.measurement("target", "app GET /api/v1/targets/{id}", tool)
        h_m = self.measurement("target", "app GET /healthz", tool)
        assert self.uncached is not None
        u_m = self.measurement("target", "the same target, app without its response cache", tool)
        for rep in range(self.opts.reps):
            self.log(f"  target: repetition {rep + 1}/{self.opts.reps}")
            t_m.reps.append(self._http(self.app.base, paths, tool))
            h_m.reps.append(self._http(self.app.base, ["/healthz"], tool))
            u_m.reps.append(self._http(self.uncached.base, paths, tool))
        self.ratio(
            "target", "target req/s ÷ /healthz req/s", _div(t_m.median("rps"), h_m.median("rps"))
        )
        self.ratio(
            "target",
            "target without the cache req/s ÷ /healthz req/s",
            _div(u_m.median("rps"), h_m.median("rps")),
        )
        self.ratio(
            "target", "target p50 ÷ /healthz p50", _div(t_m.median("p50_ms"), h_m.median("p50_ms"))
        )

    def capture_page_sql(self, path: str) -> list[str]:
        """The statements the app runs for one page, with literals in place."""
        import psycopg
        from fastapi.testclient import TestClient
        from sqlalchemy import event

        from app.main import create_app
        from app.settings import Settings

        settings = Settings(
            database_url=self.db.url, response_cache_bytes=0, backlog_refresher=False
        )
        app = create_app(settings)
        captured: list[str] = []

        def before(_conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
            captured.append(psycopg.ClientCursor(cursor.connection).mogrify(statement, parameters))

        with TestClient(app) as client:
            client.get(path).raise_for_status()  # the first request of a process warms up
            event.listen(app.state.engine, "before_cursor_execute", before)
            client.get(path).raise_for_status()
        return [s.strip() for s in captured]

    def _in_process(self, paths: list[str]) -> dict[str, Any]:
        """Sequential requests to the app in this process (no socket, no HTTP client of its
        own): the page's server-side time, queries and rendering, for ``--duration``."""
        from fastapi.testclient import TestClient

        from app.main import create_app
        from app.settings import Settings

        settings = Settings(
            database_url=self.db.url, response_cache_bytes=0, backlog_refresher=False
        )
        load_before = os.getloadavg()[0]
        latencies: list[float] = []
        errors = 0
        statuses: dict[str, int] = {}
        with TestClient(create_app(settings)) as client:
            client.get(paths[0])  # warm-up, not counted
            started = time.perf_counter()
            i = 0
            while time.perf_counter() - started < self.opts.duration:
                t = time.perf_counter()
                r = client.get(paths[i % len(paths)])
                ms = (time.perf_counter() - t) * 1000
                statuses[str(r.status_code)] = statuses.get(str(r.status_code), 0) + 1
                if r.status_code == 200:
                    latencies.append(ms)
                else:
                    errors += 1
                i += 1
            seconds = time.perf_counter() - started
        result = load.summarise("in-process", latencies, errors, seconds, statuses=statuses)
        out = result.as_dict()
        out["loadavg_1m_before"] = round(load_before, 2)
        return out

    def pages(self) -> None:
        """The region page (HTML, 100 targets and 100 plans per region): server-side in
        this process, and over HTTP to the app with and without its response cache (which
        keeps the region pages too, until a write touches the region). It must read the
        stored progress and never the observation table: its statements are captured and
        checked, and their plans kept."""
        self.start_servers(with_json=False, uncached=True)
        assert self.app is not None and self.uncached is not None
        regions = datagen.county_codes(self.spec, self.opts.regions)
        paths = [f"/regions/{c}" for c in regions]
        check = httpx.get(self.app.base + paths[0], timeout=self.opts.timeout)
        check.raise_for_status()
        goals = check.text.count(PAGE_GOAL)
        statements = self.capture_page_sql(paths[0])
        observation_reads = [s for s in statements if re.search(r"\bobservation\b", s)]
        note = f"{len(statements)} statements a page" + (
            f"; {len(observation_reads)} read the observation table" if observation_reads else ""
        )
        self.explain_statements(f"pages ({regions[0]})", statements)
        server_m = self.measurement(
            "pages", f"GET /regions/X ({goals} goals) server-side, sequential", "in-process", note
        )
        tool = self.tool_for([(self.app.base, paths[1 % len(paths)])])
        app_m = self.measurement("pages", "GET /regions/X over HTTP", tool, note)
        uncached_m = self.measurement("pages", "the same, app without its response cache", tool)
        for rep in range(self.opts.reps):
            self.log(f"  pages: repetition {rep + 1}/{self.opts.reps}")
            server_m.reps.append(self._in_process(paths))
            app_m.reps.append(self._http(self.app.base, paths, tool))
            uncached_m.reps.append(self._http(self.uncached.base, paths, tool))
        self.ratio("pages", "statements per region page", float(len(statements)))
        self.ratio(
            "pages",
            "statements reading the observation table",
            float(len(observation_reads)),
        )
        self.ratio(
            "pages",
            "server-side p50 ÷ 100 ms (the issue's goal at scale 1.0)",
            _div(server_m.median("p50_ms"), 100.0),
        )

    def summary(
        self, label: str = "summary", replay: bool = False, region: str | None = None
    ) -> Measurement:
        """National summary (or ``region``'s), sequential; ``replay`` asks for it ``as_of``
        a moment inside the data (mid-year of the middle year), against the 2 s goal.

        Without ``as_of`` the app may answer from stored statuses (computed on first use, so
        the first repetition is the cold one); with ``as_of`` it sums the status timelines
        (issue #19: "past summaries"). The repetitions stop once they have used
        ``--timeout`` seconds in all.
        """
        self.start_servers(with_json=False)
        assert self.app is not None
        middle = self.spec.first_year + self.spec.years // 2
        as_of = f"{middle}-07-01T00:00:00Z"
        where = f"region {region}" if region else "national"
        subject = (
            f"app GET /api/v1/summary?as_of={as_of} ({where}; status timelines; goal < 2 s)"
            if replay
            else f"app GET /api/v1/summary ({where}, every target and plan)"
        )
        m = self.measurement(
            label, subject, "httpx, sequential", note=f"timeout {self.opts.timeout:.0f} s"
        )
        params = [f"as_of={as_of}"] if replay else []
        if region:
            params.append(f"region={region}")
        url = self.app.base + "/api/v1/summary" + ("?" + "&".join(params) if params else "")
        # One keep-alive client: a fresh httpx client per request costs tens of ms of its own.
        # Without as_of each repetition is a run of sequential requests (p50 and p99 of
        # them); a replay is one request per repetition.
        per_rep = 1 if replay else SUMMARY_REQUESTS
        client = httpx.Client(timeout=self.opts.timeout)
        spent = 0.0
        for rep in range(self.opts.reps):
            if spent > self.opts.timeout:
                m.note += f"; stopped after {rep} repetitions ({spent:.0f} s)"
                break
            self.log(f"  {label}: repetition {rep + 1}/{self.opts.reps}")
            load_before = round(os.getloadavg()[0], 2)
            outcome = "200"
            totals = None
            latencies: list[float] = []
            started = time.perf_counter()
            for _ in range(per_rep):
                t = time.perf_counter()
                try:
                    r = client.get(url)
                    outcome = str(r.status_code)
                    if r.status_code == 200:
                        body = r.json()
                        totals = (body["targets"]["total"], body["plans"]["total"])
                except httpx.TimeoutException:
                    outcome = "timeout"
                except httpx.HTTPError as exc:
                    outcome = type(exc).__name__
                latencies.append(time.perf_counter() - t)
                if outcome != "200" or time.perf_counter() - started > self.opts.timeout:
                    break
            seconds = time.perf_counter() - started
            spent += seconds
            ok = outcome.startswith("200")
            ordered = sorted(x * 1000 for x in latencies)
            m.reps.append(
                {
                    "outcome": outcome,
                    "requests": len(latencies),
                    "seconds": statistics.median(latencies) if ok else None,
                    "p50_ms": statistics.median(ordered) if ok else None,
                    "p99_ms": load.percentile(ordered, 0.99) if ok else None,
                    "elapsed_s": seconds,
                    "loadavg_1m_before": load_before,
                    "server_peak_rss_mib": self.app.peak_rss_mib(),
                    # Every loaded target and plan is in force: the totals must match.
                    "totals": totals,
                    "totals_expected": None
                    if region
                    else (self.dataset["targets"], self.dataset["plans"]),
                }
            )
            if (
                region is None
                and totals is not None
                and totals != (self.dataset["targets"], self.dataset["plans"])
            ):
                m.reps[-1]["outcome"] = outcome = "200, wrong totals"
                self.log(
                    f"  {label}: totals {totals}, expected the {self.dataset['targets']:,} "
                    f"targets and {self.dataset['plans']:,} plans loaded"
                )
            self.log(f"  {label}: {outcome} in {seconds:.1f} s")
            if not ok:
                m.reps[-1]["server_log_tail"] = self.app.exit_report()[-600:]
                self.log(f"  {label}: {outcome} after {seconds:.1f} s; the app is killed")
                self.app.kill()  # started afresh by the next step that needs it
                m.note += (
                    f"; repetition {rep + 1}: {outcome} after {seconds:.0f} s, later ones skipped"
                )
                break
        client.close()
        if replay:
            self.ratio(
                label,
                f"{where} as_of p50 ÷ the 2 s goal",
                _div(m.median("p50_ms"), 2000.0),
                note="below 1 meets issue #19's goal",
            )
        return m

    def export(self) -> None:
        """Every target and every plan as CSV and as XLSX (DESIGN v1.1 "Files in and out"):
        one streamed request each, read to the end by a client that keeps nothing but a
        count. Each export runs on a freshly started app, so the server's resident-memory
        high-water mark (VmHWM) is that of the export, beside the one it had when ready."""
        m = self.measurement(
            "export",
            "app GET /api/v1/{targets,plans}?format=csv|xlsx (every goal, streamed)",
            "httpx, one stream",
            note=f"a fresh app per export; timeout {self.opts.timeout:.0f} s",
        )
        for file_format in ("csv", "xlsx"):
            for kind in ("targets", "plans"):
                self.stop_servers()
                self.start_servers(with_json=False)
                assert self.app is not None
                self.log(f"  export: {kind} as {file_format}")
                rss_ready = self.app.peak_rss_mib()
                load_before = round(os.getloadavg()[0], 2)
                rep = {"kind": kind, "format": file_format, "loadavg_1m_before": load_before}
                try:
                    rep |= _stream_export(
                        f"{self.app.base}/api/v1/{kind}?format={file_format}",
                        file_format,
                        self.opts.timeout,
                    )
                    rep["outcome"] = "200"
                except (httpx.HTTPError, ValueError) as exc:
                    rep["outcome"] = f"{type(exc).__name__}: {exc}"[:200]
                expected = self.dataset[kind]
                rows = rep.get("rows")
                if rows is not None and rows != expected:
                    rep["outcome"] = f"200, {rows} rows of {expected}"
                seconds = rep.get("seconds")
                rep["rows_per_s"] = rows / seconds if rows and seconds else None
                rep["server_rss_ready_mib"] = rss_ready
                rep["server_peak_rss_mib"] = self.app.peak_rss_mib()
                m.reps.append(rep)
                self.log(
                    f"  export: {kind} as {file_format}: {rep['outcome']}, "
                    f"{_fmt(rep.get('rows_per_s'), 0)} rows/s, "
                    f"peak RSS {_fmt(rep['server_peak_rss_mib'], 0)} MiB"
                )
        self.stop_servers()
        for file_format in ("csv", "xlsx"):
            reps = [r for r in m.reps if r["format"] == file_format and r["outcome"] == "200"]
            if len(reps) == 2:
                rows = sum(r["rows"] for r in reps)
                seconds = sum(r["seconds"] for r in reps)
                self.ratio("export", f"{file_format}: rows/s over {rows:,} goals", rows / seconds)
                self.ratio(
                    "export",
                    f"{file_format}: peak server RSS, MiB (goal < 300)",
                    max(r["server_peak_rss_mib"] or 0 for r in reps),
                )

    def ingest(self) -> None:
        self.start_servers(with_json=False)
        assert self.app is not None
        rows = datagen.ingest_rows(self.spec)
        if self.opts.ingest_rows is not None:
            rows = rows[: self.opts.ingest_rows]
        key = self.db.create_key(f"bench-analyst-{int(time.time())}")
        batch = 10_000
        api = self.measurement(
            "ingest",
            f"app POST /api/v1/observations, {len(rows):,} rows in {batch:,}-row JSON batches, "
            "Prefer: return=minimal",
            "httpx, sequential",
            note=f"budget {self.opts.ingest_budget:.0f} s per repetition; backlog_drained_s "
            "(first repetition): until the refresher has stored every posted series' progress; "
            "the later repetitions delete the backlog with the figures",
        )
        full_rows = min(len(rows), 2 * batch)
        full = self.measurement(
            "ingest",
            f"app POST, the default answer (every goal of the series), first {full_rows:,} rows",
            "httpx, sequential",
        )
        cp = self.measurement("ingest", f"psql \\copy of the same {len(rows):,} rows", "psql")
        from bench import db as dbmod

        with tempfile.TemporaryDirectory() as tmp:
            copy_file = Path(tmp) / "ingest.tsv"
            with copy_file.open("w", encoding="utf-8") as fh:
                fh.writelines(datagen.ingest_copy_lines(rows, datetime.now(UTC)))
            bodies = [
                json.dumps(rows[i : i + batch], ensure_ascii=False).encode()
                for i in range(0, len(rows), batch)
            ]
            full_bodies = bodies[: -(-full_rows // batch)]
            for rep in range(self.opts.reps):
                self.log(f"  ingest: repetition {rep + 1}/{self.opts.reps} (API, minimal)")
                dbmod.reset_ingest(self.db)
                api.reps.append(self._post_batches(bodies, key, len(rows), minimal=True))
                if rep == 0:  # once: for all 600,000 rows the drain takes minutes
                    api.reps[-1]["backlog_drained_s"] = self._wait_for_backlog()
                self.log(f"  ingest: repetition {rep + 1}/{self.opts.reps} (API, full answer)")
                dbmod.reset_ingest(self.db)
                full.reps.append(self._post_batches(full_bodies, key, full_rows, minimal=False))
                self.log(f"  ingest: repetition {rep + 1}/{self.opts.reps} (\\copy)")
                dbmod.reset_ingest(self.db)
                cp.reps.append(self._copy(copy_file, len(rows)))
            dbmod.reset_ingest(self.db)
        if self._database_outlives_the_run():
            # the figures were deleted behind the service's back: its stored progress of
            # the goals they touched is stale until recomputed
            self.db.refresh_progress()
        copy_rate = cp.median("rows_per_s")
        self.ratio(
            "ingest",
            "API rows/s ÷ \\copy rows/s (return=minimal)",
            _div(api.median("rows_per_s"), copy_rate),
        )
        self.ratio(
            "ingest",
            "API rows/s ÷ \\copy rows/s (default answer)",
            _div(full.median("rows_per_s"), copy_rate),
        )

    # ---------------------------------------------------------------- mixed load

    def _database_outlives_the_run(self) -> bool:
        """Kept (``--keep``) or reused (``--reuse``): a later run measures it, so what a
        step deleted behind the service's back must leave its stored progress current."""
        return self.opts.keep or self.opts.reuse

    def mixed(self) -> None:
        """Readers on scorecards and single targets, alone and while an analyst posts a
        1,000-row batch every ``MIXED_POST_EVERY_S`` seconds (the default answer), in
        interleaved repetitions of ``--duration`` each.

        Every read is checked for staleness. Each county read has a probe: one of its
        targets on a level's value (its ``actual`` is the latest figure). A batch posts,
        besides 1,000 - n rows of the ingest data, a figure of a later quarter for the
        probes of a quarter of the counties, a number that grows with every batch. Once
        the analyst has its 201, that number is committed; a read that began after it and
        shows a smaller ``actual`` for that probe is a stale read.
        """
        self.start_servers(with_json=False)
        assert self.app is not None
        # ``--regions`` counties spread over the table, among those that have a probe
        # (half of them: the bases of a level's targets alternate with the region)
        every = self._probes(datagen.county_codes(self.spec, 10**9))
        step = max(1, len(every) // max(1, self.opts.regions))
        probes = {r: every[r] for r in list(every)[::step][: self.opts.regions]}
        paths = [f"/api/v1/targets?region={r}&limit=1000" for r in probes]
        paths += [f"/api/v1/targets/{probe[0]}" for probe in probes.values()]
        key = self.db.create_key(f"bench-mixed-{int(time.time())}")
        filler = datagen.ingest_rows(self.spec)
        note = (
            f"{len(probes)} counties: their scorecards and one target of each, round-robin; "
            f"{self.opts.concurrency} reader threads (Python loop); stale: reads that began "
            "after a post's 201 and showed an older figure of a posted probe"
        )
        alone = self.measurement("mixed", "readers alone", "python", note=note)
        mixed = self.measurement(
            "mixed",
            f"the same readers, an analyst posting {MIXED_BATCH:,} rows every "
            f"{MIXED_POST_EVERY_S:g} s",
            "python",
            note=note,
        )
        posts = self.measurement(
            "mixed", f"the analyst's posts ({MIXED_BATCH:,}-row batches)", "httpx, sequential"
        )
        version = 0
        for rep in range(self.opts.reps):
            self.log(f"  mixed: repetition {rep + 1}/{self.opts.reps} (readers alone)")
            alone.reps.append(self._readers(paths, probes, None))
            self.log(f"  mixed: repetition {rep + 1}/{self.opts.reps} (readers and an analyst)")
            analyst = _Analyst(self.app.base, key, probes, filler, version, self.opts.timeout)
            mixed.reps.append(self._readers(paths, probes, analyst))
            posts.reps.append(analyst.result())
            version = analyst.version
            self.log(
                f"  mixed: {mixed.reps[-1]['rps']:.1f} reads/s against "
                f"{alone.reps[-1]['rps']:.1f} alone, p99 {_fmt(mixed.reps[-1]['p99_ms'])} ms, "
                f"{mixed.reps[-1]['stale']} stale, {analyst.posted} posts"
            )
        self.stop_servers()
        from bench import db as dbmod

        dbmod.reset_ingest(self.db, extra_periods=(MIXED_PROBE_PERIOD,))
        if self._database_outlives_the_run():
            self.db.refresh_progress()  # figures deleted behind the service's back
        self.ratio(
            "mixed",
            "reads/s with an analyst posting ÷ reads/s alone (goal ≥ 0.5)",
            _div(mixed.median("rps"), alone.median("rps")),
        )
        self.ratio("mixed", "p99 ms with an analyst posting (goal < 250)", mixed.median("p99_ms"))
        self.ratio(
            "mixed",
            "stale reads, every repetition (goal 0)",
            float(sum(int(r["stale"]) for r in mixed.reps)),
        )
        self.ratio(
            "mixed",
            "reads answered from the response cache with an analyst posting (share)",
            mixed.median("cached_share"),
        )

    def _probes(self, regions: list[str]) -> dict[str, tuple[int, str, str]]:
        """Per county: (target id, indicator, unit) of one target on a level's value."""
        found: dict[str, tuple[int, str, str]] = {}
        with self.db.connect() as conn:
            rows = conn.execute(
                """
                SELECT DISTINCT ON (t.region_code) t.region_code, t.id, i.code, i.unit
                FROM target t JOIN indicator i ON i.code = t.indicator_code
                WHERE t.region_code = ANY(%s) AND t.basis = 'value' AND i.measure = 'level'
                  AND t.unit = i.unit AND t.retired_at IS NULL
                ORDER BY t.region_code, t.id
                """,
                (regions,),
            ).fetchall()
        for region, target_id, indicator, unit in rows:
            found[str(region)] = (int(str(target_id)), str(indicator), str(unit))
        return {r: found[r] for r in regions if r in found}

    def _readers(
        self,
        paths: list[str],
        probes: dict[str, tuple[int, str, str]],
        analyst: _Analyst | None,
    ) -> dict[str, Any]:
        """``--concurrency`` reader threads for ``--duration`` seconds; with ``analyst``,
        its posts run meanwhile."""
        assert self.app is not None
        base = self.app.base
        by_path = {f"/api/v1/targets/{p[0]}": r for r, p in probes.items()}
        by_path |= {f"/api/v1/targets?region={r}&limit=1000": r for r in probes}
        lock = threading.Lock()
        latencies: list[float] = []
        statuses: dict[str, int] = {}
        counter = iter(range(10_000_000))
        stale = cached = 0
        load_before = os.getloadavg()[0]
        start = time.perf_counter()
        deadline = start + self.opts.duration

        def reader() -> None:
            nonlocal stale, cached
            with httpx.Client(timeout=self.opts.timeout) as client:
                while time.perf_counter() < deadline:
                    with lock:
                        n = next(counter)
                    path = paths[n % len(paths)]
                    region = by_path[path]
                    seen = analyst.committed(region) if analyst is not None else None
                    t = time.perf_counter()
                    try:
                        response = client.get(base + path)
                        code = str(response.status_code)
                    except httpx.HTTPError as exc:
                        code = type(exc).__name__
                    elapsed = (time.perf_counter() - t) * 1000
                    old = False
                    if code == "200" and seen is not None:
                        old = _probe_actual(response.json(), probes[region][0]) < seen
                    with lock:
                        statuses[code] = statuses.get(code, 0) + 1
                        if code == "200":
                            latencies.append(elapsed)
                            cached += "age" in response.headers
                        stale += old

        threads = [
            threading.Thread(target=reader, daemon=True) for _ in range(self.opts.concurrency)
        ]
        if analyst is not None:
            analyst.start(deadline)
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        if analyst is not None:
            analyst.join()
        seconds = time.perf_counter() - start
        errors = sum(n for code, n in statuses.items() if code != "200")
        result = load.summarise("python", latencies, errors, seconds, statuses=statuses).as_dict()
        result |= {
            "stale": stale,
            "cached_share": cached / len(latencies) if latencies else None,
            "loadavg_1m_before": round(load_before, 2),
        }
        return result

    def _wait_for_backlog(self) -> float | None:
        """Seconds until the backlog of stale series is empty (None: not within the budget)."""
        start = time.perf_counter()
        while time.perf_counter() - start < self.opts.ingest_budget:
            with self.db.connect() as conn:
                left = conn.execute("SELECT count(*) FROM stale_series").fetchone()
            if left is not None and left[0] == 0:
                seconds = time.perf_counter() - start
                self.log(f"  ingest: backlog drained {seconds:.1f} s after the last batch")
                return seconds
            time.sleep(0.5)
        self.log("  ingest: the backlog was not drained within the budget")
        return None

    def _post_batches(
        self, bodies: list[bytes], key: str, total_rows: int, *, minimal: bool
    ) -> dict[str, Any]:
        assert self.app is not None
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        if minimal:
            headers["Prefer"] = "return=minimal"
        latencies: list[float] = []
        posted = 0
        outcome = "201"
        start = time.perf_counter()
        with httpx.Client(timeout=self.opts.timeout) as client:
            for body in bodies:
                if time.perf_counter() - start > self.opts.ingest_budget:
                    outcome = "budget"
                    break
                t = time.perf_counter()
                try:
                    r = client.post(
                        self.app.base + "/api/v1/observations", content=body, headers=headers
                    )
                except httpx.TimeoutException:
                    outcome = "timeout"
                    break
                if r.status_code != 201:
                    outcome = f"{r.status_code}: {r.text[:300]}"
                    break
                latencies.append((time.perf_counter() - t) * 1000)
                answer = r.json()
                posted += answer["stored"] if minimal else len(answer["items"])
        seconds = time.perf_counter() - start
        self.log(f"  ingest (API): {posted:,} rows in {seconds:.1f} s, {outcome[:80]}")
        peak = self.app.peak_rss_mib()
        if outcome == "timeout":
            self.app.kill()
            self.start_servers(with_json=False)
        return {
            "outcome": outcome,
            "server_peak_rss_mib": peak,
            "rows": posted,
            "of_rows": total_rows,
            "batches": len(latencies),
            "seconds": seconds if outcome == "201" else None,
            "elapsed_s": seconds,
            "rows_per_s": posted / seconds if seconds > 0 and posted else None,
            "p50_ms": statistics.median(latencies) if latencies else None,
            "batch_ms_max": max(latencies) if latencies else None,
        }

    def _copy(self, path: Path, rows: int) -> dict[str, Any]:
        cols = ", ".join(c for c in datagen.OBSERVATION_COLUMNS if c != "id")
        t = time.perf_counter()
        if shutil.which("psql"):
            done = subprocess.run(
                [
                    "psql",
                    "-X",
                    "-q",
                    "-v",
                    "ON_ERROR_STOP=1",
                    "-c",
                    f"\\copy observation ({cols}) FROM '{path}'",
                ],
                env={**os.environ, **self.db.libpq_env()},
                capture_output=True,
                text=True,
                timeout=self.opts.timeout,
            )
            if done.returncode != 0:
                raise RuntimeError(f"psql \\copy failed: {done.stderr[-1000:]}")
            tool = "psql"
        else:
            from bench import db as dbmod

            with self.db.connect() as conn, path.open(encoding="utf-8") as fh:
                dbmod.copy_lines(conn, "observation", tuple(cols.split(", ")), fh)
            tool = "psycopg COPY"
        seconds = time.perf_counter() - t
        return {
            "outcome": "ok",
            "tool": tool,
            "rows": rows,
            "seconds": seconds,
            "rows_per_s": rows / seconds,
            "p50_ms": None,
        }

    def _http(self, base: str, paths: list[str], tool: str) -> dict[str, Any]:
        load_before = os.getloadavg()[0]
        result = load.http_load(
            tool,
            base,
            paths,
            duration=self.opts.duration,
            concurrency=self.opts.concurrency,
            timeout=self.opts.timeout,
        ).as_dict()
        result["loadavg_1m_before"] = round(load_before, 2)
        return result

    def _sql(self, scripts: list[str]) -> dict[str, Any]:
        load_before = os.getloadavg()[0]
        result = self._sql_run(scripts).as_dict()
        result["loadavg_1m_before"] = round(load_before, 2)
        return result

    def _sql_run(self, scripts: list[str]) -> load.LoadResult:
        if self.sql_tool == "pgbench":
            return load.pgbench_load(
                scripts,
                self.db.libpq_env(),
                duration=self.opts.duration,
                concurrency=self.opts.concurrency,
            )
        return load.psycopg_load(
            self.db.conninfo(),
            scripts,
            duration=self.opts.duration,
            concurrency=self.opts.concurrency,
        )

    # ---------------------------------------------------------------- the run

    def run(self) -> dict[str, Any]:
        started = time.perf_counter()
        skip = set(self.opts.skip)
        if self.opts.reuse:
            skip.add("growth")  # it reloads the database, which --reuse keeps as it is
        g = self.opts.growth
        fingerprint = app_fingerprint()
        self.opts.log_dir.mkdir(parents=True, exist_ok=True)
        self.log(f"== app {fingerprint}; bench database {self.db.name}: recreated and migrated")
        try:
            with self.timed("load base"):
                if not self.opts.reuse:
                    self.db.recreate()
                    self.db.migrate()
                self.load_dataset(
                    datagen.Spec(scale=self.opts.scale), "base", reuse=self.opts.reuse
                )
            base_scorecard = base_summary = None
            if "scorecard" not in skip:
                with self.timed("scorecard"):
                    base_scorecard = self.scorecard()
            if "target" not in skip:
                with self.timed("target"):
                    self.target()
            if "pages" not in skip:
                with self.timed("pages"):
                    self.pages()
            if "mixed" not in skip:
                with self.timed("mixed"):
                    self.mixed()
            if "summary" not in skip:
                with self.timed("summary"):
                    base_summary = self.summary()
                    self.summary("summary as_of", replay=True)
                    self.summary(
                        "summary as_of, one region",
                        replay=True,
                        region=datagen.regions(self.spec)[-1].code,
                    )
            if "export" not in skip:
                with self.timed("export"):
                    self.export()
            if "ingest" not in skip:
                with self.timed("ingest"):
                    self.ingest()
            if "replica" not in skip:
                from bench import replica

                with self.timed("replica"):
                    replica.measure(self)
            if "growth" not in skip and g > 1 and "scorecard" not in skip:
                with self.timed(f"growth: history x{g}"):
                    spec = datagen.Spec(scale=self.opts.scale, history_factor=g)
                    self.load_dataset(spec, f"history x{g}")
                    grown = self.scorecard(f"scorecard, history x{g}", baselines=False)
                    if base_scorecard is not None:
                        self.ratio(
                            grown.bench,
                            f"p50 ÷ base scorecard p50 ({g}x the history)",
                            _div(grown.median("p50_ms"), base_scorecard.median("p50_ms")),
                        )
                        self.ratio(
                            grown.bench,
                            "req/s ÷ base scorecard req/s",
                            _div(grown.median("rps"), base_scorecard.median("rps")),
                        )
            if "growth" not in skip and g > 1 and "summary" not in skip:
                with self.timed(f"growth: regions x{g}"):
                    spec = datagen.Spec(scale=self.opts.scale, region_factor=g)
                    self.load_dataset(spec, f"regions x{g}")
                    grown = self.summary(f"summary, regions x{g}")
                    self.summary(f"summary, regions x{g}", replay=True)
                    if base_summary is not None:
                        self.ratio(
                            grown.bench,
                            f"p50 ÷ base summary p50 ({g}x the regions)",
                            _div(grown.median("p50_ms"), base_summary.median("p50_ms")),
                        )
        finally:
            self.stop_servers()
            if not self._database_outlives_the_run():
                self.db.drop()
        return {
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "command": " ".join(["python -m bench", *sys.argv[1:]]),
            "options": {
                k: str(v) if isinstance(v, Path) else v for k, v in vars(self.opts).items()
            },
            "app": fingerprint,
            "http_tool": self.http_tool,
            "sql_tool": self.sql_tool,
            "machine": machine(),
            "loads": self.loads,
            "measurements": [m.as_dict() for m in self.measurements],
            "ratios": self.ratios,
            "explain": self.explain,
            "steps_s": self.steps,
            "wall_s": time.perf_counter() - started,
        }


def _stream_export(url: str, file_format: str, timeout: float) -> dict[str, Any]:
    """Read an export to its end, keeping only counts: bytes, the time to its first byte,
    and its data rows (CSV: lines after the header; XLSX: the sheet's ``<row`` elements,
    read from the saved workbook without loading it)."""
    started = time.perf_counter()
    first_byte = None
    size = lines = 0
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"export.{file_format}"
        with httpx.stream("GET", url, timeout=timeout) as response, path.open("wb") as out:
            response.raise_for_status()
            for chunk in response.iter_bytes():
                if first_byte is None:
                    first_byte = time.perf_counter() - started
                size += len(chunk)
                if file_format == "csv":
                    lines += chunk.count(b"\n")  # not CRLF: a chunk may end between the two
                else:
                    out.write(chunk)
        seconds = time.perf_counter() - started
        rows = lines - 1 if file_format == "csv" else _xlsx_rows(path) - 1
    return {"rows": rows, "seconds": seconds, "first_byte_s": first_byte, "bytes": size}


def _xlsx_rows(path: Path) -> int:
    """Rows of a workbook's first sheet, counted in its XML as it is inflated."""
    import zipfile

    count = 0
    tail = b""
    with zipfile.ZipFile(path) as workbook:
        sheet = sorted(n for n in workbook.namelist() if n.startswith("xl/worksheets/sheet"))[0]
        with workbook.open(sheet) as xml:
            while chunk := xml.read(1 << 20):
                data = tail + chunk
                count += data.count(b"<row ") + data.count(b"<row>")
                tail = data[-5:]
                count -= tail.count(b"<row ") + tail.count(b"<row>")
    return count + tail.count(b"<row ") + tail.count(b"<row>")


def script_statements(script: str) -> list[str]:
    """The SELECTs of a captured script, without its BEGIN and ROLLBACK."""
    parts = [p.strip() for p in script.split(";\n")]
    return [p for p in parts if p and p.upper() not in ("BEGIN", "ROLLBACK", "ROLLBACK;")]


def app_fingerprint() -> dict[str, str | None]:
    """Which app was measured: a hash of app/ and alembic/versions, and the migration head."""
    import hashlib

    from bench.db import PROJECT_ROOT

    digest = hashlib.sha256()
    for path in sorted(
        [*PROJECT_ROOT.glob("app/**/*.py"), *PROJECT_ROOT.glob("alembic/versions/*.py")]
    ):
        digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
        digest.update(path.read_bytes())
    head = None
    try:
        from alembic.config import Config
        from alembic.script import ScriptDirectory

        config = Config(str(PROJECT_ROOT / "alembic.ini"))
        config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
        head = ScriptDirectory.from_config(config).get_current_head()
    except Exception:
        pass
    return {"sha256": digest.hexdigest()[:16], "alembic_head": head}


MIXED_BATCH = 1_000
MIXED_POST_EVERY_S = 2.0
# The probes' figures: a quarter after the ingest data's, so each is the latest of its series.
MIXED_PROBE_PERIOD = "2026-Q3"
MIXED_PROBE_BASE = 1_000_000


def _probe_actual(body: dict[str, Any], target_id: int) -> float:
    """The probe target's ``actual`` in a scorecard page or a target's detail."""
    items = body.get("items")
    read = body if items is None else next(i for i in items if i["id"] == target_id)
    actual = read["progress"]["actual"]
    return float("-inf") if actual is None else float(actual)


class _Analyst:
    """Posts a batch every ``MIXED_POST_EVERY_S`` seconds until the deadline: ingest rows,
    and for a quarter of the probes (in turn) the figure ``MIXED_PROBE_BASE + version``.
    ``committed(region)``: the probe figure of the region's last post answered 201."""

    def __init__(
        self,
        base: str,
        key: str,
        probes: dict[str, tuple[int, str, str]],
        filler: list[dict[str, object]],
        version: int,
        timeout: float,
    ) -> None:
        self.base = base
        self.key = key
        self.probes = probes
        self.filler = filler
        self.version = version
        self.timeout = timeout
        self.posted = 0
        self.failed: dict[str, int] = {}
        self.latencies: list[float] = []
        self._committed: dict[str, float] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._offset = 0

    def committed(self, region: str) -> float | None:
        with self._lock:
            return self._committed.get(region)

    def start(self, deadline: float) -> None:
        self._thread = threading.Thread(target=self._run, args=(deadline,), daemon=True)
        self._thread.start()

    def join(self) -> None:
        assert self._thread is not None
        self._thread.join()

    def _batch(self) -> tuple[list[dict[str, object]], list[str]]:
        self.version += 1
        regions = [r for i, r in enumerate(self.probes) if i % 4 == self.version % 4]
        rows: list[dict[str, object]] = [
            {
                "indicator": self.probes[r][1],
                "region": r,
                "period": MIXED_PROBE_PERIOD,
                "value": MIXED_PROBE_BASE + self.version,
                "unit": self.probes[r][2],
            }
            for r in regions
        ]
        want = MIXED_BATCH - len(rows)
        while want > 0:  # the ingest rows in turn, again from the start once all are posted
            part = self.filler[self._offset : self._offset + want]
            rows += part
            want -= len(part)
            self._offset = (self._offset + len(part)) % len(self.filler)
        return rows, regions

    def _run(self, deadline: float) -> None:
        headers = {"Authorization": f"Bearer {self.key}"}
        with httpx.Client(timeout=self.timeout) as client:
            next_post = time.perf_counter()
            while next_post < deadline:
                time.sleep(max(0.0, next_post - time.perf_counter()))
                next_post += MIXED_POST_EVERY_S
                rows, regions = self._batch()
                t = time.perf_counter()
                try:
                    r = client.post(self.base + "/api/v1/observations", json=rows, headers=headers)
                    code = str(r.status_code)
                except httpx.HTTPError as exc:
                    code = type(exc).__name__
                if code != "201":
                    self.failed[code] = self.failed.get(code, 0) + 1
                    continue
                self.latencies.append((time.perf_counter() - t) * 1000)
                self.posted += 1
                with self._lock:
                    for region in regions:
                        self._committed[region] = float(MIXED_PROBE_BASE + self.version)

    def result(self) -> dict[str, Any]:
        ok = sorted(self.latencies)
        return {
            "outcome": "201" if not self.failed else f"failed: {self.failed}",
            "batches": self.posted,
            "rows": self.posted * MIXED_BATCH,
            "p50_ms": load.percentile(ok, 0.5),
            "p99_ms": load.percentile(ok, 0.99),
            "batch_ms_max": ok[-1] if ok else None,
            "rps": None,
        }


def _div(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return a / b


def _fmt(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def _rep_text(rep: dict[str, Any]) -> str:
    if rep.get("rows_per_s") is not None and "batches" not in rep:
        return f"{rep['seconds']:.2f} s"
    if "elapsed_s" in rep:
        outcome = str(rep.get("outcome", ""))
        text = f"{rep['elapsed_s']:.1f} s"
        return text if outcome in ("200", "201") else f"{text} {outcome[:24]}"
    if rep.get("p50_ms") is None:
        return "none completed"
    if rep.get("rps") is None:  # the mixed step's posts
        return f"{rep.get('batches')} posts"
    stale = f" ({rep['stale']} stale)" if "stale" in rep else ""
    return f"{rep['rps']:.1f}/s{stale}"


def table(result: dict[str, Any]) -> str:
    lines = [
        "| bench | data set | subject | tool | req/s | p50 ms | p99 ms | rows/s "
        "| each repetition | load avg | peak RSS MiB |",
        "|---|---|---|---|---:|---:|---:|---:|---|---:|---:|",
    ]
    for m in result["measurements"]:
        med = m["median"]
        p50 = med.get("p50_ms")
        if p50 is None and med.get("seconds") is not None:
            p50 = med["seconds"] * 1000
        ds = m["dataset"]
        data = f"{ds.get('label')}: {ds.get('regions'):,} regions, {ds.get('observations'):,} obs"
        loads = [r["loadavg_1m_before"] for r in m["reps"] if "loadavg_1m_before" in r]
        peaks = [r["server_peak_rss_mib"] for r in m["reps"] if r.get("server_peak_rss_mib")]
        errors = sum(int(r.get("errors", 0)) for r in m["reps"])
        each = ", ".join(_rep_text(r) for r in m["reps"]) + (f"; {errors} errors" if errors else "")
        lines.append(
            f"| {m['bench']} | {data} | {m['subject']} | {m['tool']} | {_fmt(med.get('rps'))} | "
            f"{_fmt(p50)} | {_fmt(med.get('p99_ms'))} | {_fmt(med.get('rows_per_s'), 0)} | "
            f"{each} | {_fmt(statistics.median(loads)) if loads else '—'} | "
            f"{_fmt(max(peaks), 0) if peaks else '—'} |"
        )
    lines += ["", "| bench | ratio (medians) | value |", "|---|---|---:|"]
    for r in result["ratios"]:
        lines.append(f"| {r['bench']} | {r['what']} | {_fmt(r['value'], 3)} |")
    return "\n".join(lines)
