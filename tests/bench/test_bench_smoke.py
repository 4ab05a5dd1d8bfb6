"""The benchmark harness at its smallest, so that it never rots: every step runs once through.

Postgres only (the bench needs COPY, pgbench-style SQL and ``json_agg``). The run is bounded:
short load windows, a short timeout (a summary that takes longer is recorded as a timeout,
which is an outcome the harness must handle, not a failure), a few hundred ingested rows and
a growth factor of 2. It uses its own database, ``<TEST_DATABASE_URL's name>_bench``, and drops it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TEST_URL = os.environ.get("TEST_DATABASE_URL", "")

pytestmark = pytest.mark.skipif(
    not TEST_URL.startswith("postgresql"),
    reason="the bench harness runs on Postgres only (set TEST_DATABASE_URL=postgresql+psycopg://…)",
)


def test_bench_runs_every_step_at_tiny_scale(tmp_path: Path) -> None:
    url = make_url(TEST_URL)
    bench_url = url.set(database=f"{url.database}_bench").render_as_string(hide_password=False)
    out = tmp_path / "results.json"
    argv = [
        sys.executable, "-m", "bench", "run",
        "--scale", "0.01",
        "--database-url", bench_url,
        "--reps", "3",
        "--duration", "0.5",
        "--tool", "python",
        "--workers", "1",
        "--concurrency", "2",
        "--regions", "3",
        "--timeout", "5",
        "--ingest-rows", "300",
        "--ingest-budget", "20",
        "--growth", "2",
        "--out", str(out),
        "--log-dir", str(tmp_path / "logs"),
    ]  # fmt: skip
    # The timeout only guards against a hang: the whole run takes about 2 minutes on a
    # quiet machine, and 4 on a slow or busy one (a 2-core machine at half speed, the
    # other suite beside it).
    done = subprocess.run(
        argv, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=900, check=False
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "| bench |" in done.stdout  # the results table is printed

    result = json.loads(out.read_text())
    by_subject = {(m["bench"], m["subject"].split(" (")[0]): m for m in result["measurements"]}
    benches = {m["bench"] for m in result["measurements"]}
    assert {
        "scorecard",
        "target",
        "pages",
        "mixed",
        "summary",
        "export",
        "ingest",
        "scorecard, history x2",
        "summary, regions x2",
    } <= benches

    for m in result["measurements"]:
        assert len(m["reps"]) >= 1, m["subject"]
        if m["bench"].startswith("scorecard") or m["bench"] in ("target", "pages"):
            assert len(m["reps"]) == 3, m["subject"]
            assert m["median"]["p50_ms"] is not None, m["subject"]
            # A busy machine may push a request past the 5 s timeout; nothing else may fail.
            statuses = {code for r in m["reps"] for code in r.get("statuses", {})}
            assert statuses <= {"200", "timeout"}, m["reps"]

    scorecard_subjects = {s for (b, s) in by_subject if b == "scorecard"}
    assert any(s.startswith("app GET /api/v1/targets") for s in scorecard_subjects)
    assert any(s.startswith("Postgres json_agg") for s in scorecard_subjects)
    assert any(s.startswith("the app's own SQL") for s in scorecard_subjects)

    # readers alone and with an analyst posting: every read checked, none stale
    mixed = {m["subject"].split(",")[0]: m for m in result["measurements"] if m["bench"] == "mixed"}
    readers = [mixed["readers alone"], mixed["the same readers"]]
    assert all(r["stale"] == 0 and r["p50_ms"] is not None for m in readers for r in m["reps"])
    assert {c for m in readers for r in m["reps"] for c in r["statuses"]} <= {"200", "timeout"}
    posts = next(m for s, m in mixed.items() if s.startswith("the analyst"))
    assert all(r["batches"] >= 1 and r["outcome"] == "201" for r in posts["reps"]), posts

    ingest = [m for m in result["measurements"] if m["bench"] == "ingest"]
    assert all(m["median"]["rows_per_s"] for m in ingest), ingest
    api = next(m for m in ingest if "return=minimal" in m["subject"])
    assert all(r["rows"] == 300 for r in api["reps"]), api["reps"]
    # the refresher stores the posted series' progress once the posts stop
    assert api["reps"][0]["backlog_drained_s"] is not None, api["reps"]
    full = next(m for m in ingest if "default answer" in m["subject"])
    assert all(r["rows"] == 300 for r in full["reps"]), full["reps"]

    # The harness judges the summary (totals checked, timeouts bounded) but a finding about
    # the app, such as wrong totals, is a result to report, not a failure of the harness.
    for m in result["measurements"]:
        if m["bench"].startswith("summary"):
            assert m["reps"], m
            assert all(
                r["outcome"].startswith("200") or r["outcome"] == "timeout" for r in m["reps"]
            ), m["reps"]

    ratios = {(r["bench"], r["what"]): r["value"] for r in result["ratios"]}
    assert ratios[("ingest", "API rows/s ÷ \\copy rows/s (return=minimal)")] is not None
    assert ratios[("ingest", "API rows/s ÷ \\copy rows/s (default answer)")] is not None
    assert ratios[("target", "target req/s ÷ /healthz req/s")] is not None
    # the region page reads the stored progress, never the observations
    assert ratios[("pages", "statements reading the observation table")] == 0
    assert 0 < ratios[("pages", "statements per region page")] <= 8
    assert any("scorecard" in r["bench"] and "pgbench" in r["what"] for r in result["ratios"])
    # every goal loaded comes out of each export, in bounded memory
    exports = [r for m in result["measurements"] if m["bench"] == "export" for r in m["reps"]]
    assert {(r["kind"], r["format"]) for r in exports} == {
        (kind, fmt) for kind in ("targets", "plans") for fmt in ("csv", "xlsx")
    }
    assert all(r["outcome"] == "200" and r["rows"] > 0 for r in exports), exports
    assert ratios[("export", f"csv: rows/s over {sum(r['rows'] for r in exports) // 2:,} goals")]
    assert result["explain"], "EXPLAIN ANALYZE of the scorecard statements is recorded"

    # The scorecard now reads each goal's stored progress and never the observations; the
    # same scorecard as of a moment computes from the region's series, and its plan must
    # reach them through an index: never a full scan of the observation table.
    scorecard_plans = {k: v for k, v in result["explain"].items() if k.startswith("scorecard")}
    now_plans = [v for k, v in scorecard_plans.items() if " as_of " not in k]
    as_of_plans = [v for k, v in scorecard_plans.items() if " as_of " in k]
    assert now_plans and as_of_plans, sorted(result["explain"])
    assert not any("observation" in plan for plan in now_plans), now_plans
    assert any("on observation" in plan for plan in as_of_plans), as_of_plans
    assert not any("Seq Scan on observation" in plan for plan in as_of_plans), as_of_plans

    # The replica step: four servers on a primary and a standby of its own, the standby
    # servers reading from the standby; skipped only where clusters cannot be built.
    from tests.reliability.support import postgres_skip_reason

    replica = [m for m in result["measurements"] if m["bench"] == "replica"]
    if postgres_skip_reason() is None:
        assert len(replica) == 8, [m["subject"] for m in replica]
        assert all(m["note"].endswith("X-Read-From standby") for m in replica), replica[0]["note"]
        assert all(m["median"]["rps"] for m in replica), [m["median"] for m in replica]
        assert ratios[("replica", "scorecard no cache: req/s with the standby ÷ without")]

    # Loaded goals get their progress computed once (python -m app progress refresh), so
    # the summary counts every target and plan from the first call on.
    summary = next(
        m for m in result["measurements"] if m["subject"].startswith("app GET /api/v1/summary (")
    )
    assert [r["outcome"] for r in summary["reps"]] == ["200"] * 3, summary["reps"]

    # The bench dropped its database on the way out.
    import psycopg

    admin = url.set(database="postgres")
    with psycopg.connect(
        host=admin.host or "127.0.0.1",
        port=admin.port or 5432,
        user=admin.username or "postgres",
        dbname="postgres",
        autocommit=True,
    ) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_database WHERE datname = %s", (f"{url.database}_bench",)
        ).fetchone()
    assert row is not None and row[0] == 0
