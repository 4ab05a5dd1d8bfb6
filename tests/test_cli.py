"""The command line end to end on a fresh SQLite file: migrate, seed, keys, import."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(
    args: list[str], db: Path, check: bool = True, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", **(extra_env or {})}
    result = subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("cli") / "cli.db"
    run(["db", "upgrade"], db)
    first = run(["seed", "load"], db)
    assert "total" in first.stdout
    assert run(["seed", "load"], db).stdout == first.stdout  # idempotent
    return db


def test_keys_create_prints_the_key_alone_on_the_last_line(seeded: Path) -> None:
    out = run(["keys", "create", "--name", "cli-analyst", "--role", "analyst"], seeded).stdout
    key = out.strip().splitlines()[-1]
    assert key.startswith("ptk_") and " " not in key
    listing = run(["keys", "list"], seeded).stdout
    assert "cli-analyst\tanalyst" in listing and key not in listing
    again = run(["keys", "create", "--name", "cli-analyst", "--role", "admin"], seeded, check=False)
    assert again.returncode == 1


CREATE_CS = ["keys", "create", "--name", "cs", "--role", "reviewer"]


def test_keys_are_scoped_to_regions(seeded: Path) -> None:
    made = run(
        [*CREATE_CS, "--region", "500115", "--region", "500000-SC"],
        seeded,
    ).stdout
    assert "for 500115, 500000-SC and their subregions" in made
    listing = run(["keys", "list"], seeded).stdout.splitlines()
    (row,) = [line for line in listing if line.startswith("cs\t")]
    assert row.split("\t")[1:3] == ["reviewer", "regions 500000-SC,500115"]
    run(["keys", "create", "--name", "everywhere", "--role", "analyst"], seeded)
    (unscoped,) = [
        line
        for line in run(["keys", "list"], seeded).stdout.splitlines()
        if line.startswith("everywhere\t")
    ]
    assert unscoped.split("\t")[2] == "regions all"
    unknown = run(
        ["keys", "create", "--name", "nowhere", "--role", "analyst", "--region", "999999"],
        seeded,
        check=False,
    )
    assert unknown.returncode == 1 and "no region 999999" in unknown.stderr
    assert "nowhere" not in run(["keys", "list"], seeded).stdout


def test_import_posts_a_csv_in_batches(seeded: Path, tmp_path: Path) -> None:
    key = run(["keys", "create", "--name", "importer", "--role", "analyst"], seeded).stdout.split()[
        -1
    ]
    sheet = tmp_path / "q3.csv"
    sheet.write_bytes(
        "\ufeffindicator,region,period,value,unit,yoy_growth\n"
        "key_project_investment,500000,2023-Q3,0.348,万亿元,12.1\n"
        "retail_sales,500000,2023-Q3,11000,亿元,6.5\n".encode()
    )
    result = run(["observations", "import", str(sheet), "--key", key], seeded)
    assert "imported 2 rows" in result.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "indicator,region,period,value,unit\n"
        "gdp,500000,2023-Q3,22000,亿元\n"
        "gdp,500000,2023-Q3,22000,家\n",
        encoding="utf-8",
    )
    refused = run(["observations", "import", str(bad), "--key", key], seeded, check=False)
    assert refused.returncode == 1
    assert "data row 2: unit:" in refused.stderr
    revoked = run(["keys", "revoke", "importer"], seeded)
    assert "revoked" in revoked.stdout
    denied = run(["observations", "import", str(sheet), "--key", key], seeded, check=False)
    assert denied.returncode == 1


def test_progress_refresh_recomputes_every_goal_and_keeps_the_summary(seeded: Path) -> None:
    import sqlite3

    with sqlite3.connect(seeded) as conn:
        goals = sum(
            conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("target", "plan")
        )
        conn.execute("UPDATE target SET status = NULL, read_json = NULL")
    out = run(["progress", "refresh"], seeded).stdout
    assert f"recomputed for {goals} targets and plans" in out
    with sqlite3.connect(seeded) as conn:
        assert conn.execute("SELECT count(*) FROM target WHERE status IS NULL").fetchone() == (0,)
        in_force = dict(
            conn.execute(
                "SELECT status, count(*) FROM target WHERE retired_at IS NULL GROUP BY status"
            ).fetchall()
        )
        tallied = dict(
            conn.execute(
                "SELECT status, sum(n) FROM goal_status_tally WHERE kind = 'target' "
                "GROUP BY status HAVING sum(n) <> 0"
            ).fetchall()
        )
        assert tallied == in_force
        # compacted: one row per (kind, region, status)
        groups = conn.execute(
            "SELECT count(*) FROM "
            "(SELECT DISTINCT kind, region_code, status FROM goal_status_tally)"
        ).fetchone()
        assert conn.execute("SELECT count(*) FROM goal_status_tally").fetchone() == groups


def test_progress_timelines_builds_one_per_goal_in_force_and_only_the_missing(
    seeded: Path,
) -> None:
    import sqlite3

    with sqlite3.connect(seeded) as conn:
        in_force = sum(
            conn.execute(f"SELECT count(*) FROM {t} WHERE retired_at IS NULL").fetchone()[0]
            for t in ("target", "plan")
        )
    assert in_force > 0
    out = run(["progress", "timelines"], seeded).stdout
    assert f"built for {in_force} targets and plans" in out
    with sqlite3.connect(seeded) as conn:
        open_intervals = conn.execute(
            "SELECT count(*) FROM goal_status_history WHERE until IS NULL"
        ).fetchone()[0]
        assert open_intervals == in_force
    assert "built for 0 targets and plans" in run(["progress", "timelines"], seeded).stdout
    run(["progress", "refresh"], seeded)  # drops them all
    with sqlite3.connect(seeded) as conn:
        assert conn.execute("SELECT count(*) FROM goal_status_history").fetchone() == (0,)


def _one_line_error(result: subprocess.CompletedProcess[str], code: int, *needles: str) -> None:
    assert result.returncode == code, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_a_missing_file_is_one_line_not_a_traceback(seeded: Path, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.csv"
    result = run(["observations", "import", str(missing), "--key", "ptk_x"], seeded, check=False)
    _one_line_error(result, 2, "no such file", str(missing))


def test_an_unreachable_service_is_one_line(seeded: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "figures.csv"
    sheet.write_text("indicator,region,period,value\ngdp,500000,2023,30145.79\n")
    result = run(
        ["observations", "import", str(sheet), "--key", "ptk_x", "--url", "http://127.0.0.1:9"],
        seeded,
        check=False,
    )
    _one_line_error(result, 1, "cannot reach", "--url")


def test_an_unmigrated_database_says_to_migrate(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    for args in (["keys", "create", "--name", "x", "--role", "admin"], ["seed", "load"]):
        result = run(args, empty, check=False)
        _one_line_error(result, 1, "not migrated", "python -m app db upgrade")


def test_the_default_database_is_a_file_in_the_project(monkeypatch: pytest.MonkeyPatch) -> None:
    from app.settings import PROJECT_ROOT, Settings

    monkeypatch.delenv("DATABASE_URL", raising=False)
    url = Settings(_env_file=None).database_url  # type: ignore[call-arg]
    assert url == f"sqlite:///{PROJECT_ROOT / 'policy_tracker.db'}"
    assert Path(url.removeprefix("sqlite:///")).is_absolute()


def test_a_server_on_an_unmigrated_database_says_so(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from app.main import create_app
    from app.settings import Settings

    app = create_app(
        Settings(database_url=f"sqlite:///{tmp_path / 'empty.db'}", backlog_refresher=False)
    )
    with TestClient(app) as client:
        response = client.get("/api/v1/targets")
    assert response.status_code == 503
    assert response.json()["message"] == (
        "the database is not migrated: run `python -m app db upgrade`"
    )


def test_an_xlsx_import_with_the_key_in_the_environment_and_an_export(
    seeded: Path, tmp_path: Path
) -> None:
    import csv

    from openpyxl import Workbook, load_workbook

    key = run(["keys", "create", "--name", "xlsx", "--role", "analyst"], seeded).stdout.split()[-1]
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["indicator", "region", "period", "value", "unit"])
    sheet.append(["key_project_investment", "500000", "2023-Q3", 3480.25, "亿元"])
    path = tmp_path / "q3.xlsx"
    workbook.save(path)
    env_key = {"POLICY_TRACKER_KEY": key}
    no_key = run(["observations", "import", str(path)], seeded, check=False)
    assert no_key.returncode == 2 and "POLICY_TRACKER_KEY" in no_key.stderr
    for _ in range(2):  # the second run records nothing twice
        result = run(["observations", "import", str(path)], seeded, extra_env=env_key)
        assert "imported 1 rows" in result.stderr
    out = tmp_path / "figures.csv"
    args = ["observations", "export", "--indicator", "key_project_investment", "-o", str(out)]
    run([*args, "--region", "500000", "--period", "2023-Q3", "--include-revisions"], seeded)
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert [r["value"] for r in rows if r["recorded_by"] == "xlsx"] == ["3480.25"]
    xlsx = tmp_path / "figures.xlsx"
    run([*args[:-2], "--format", "xlsx", "--lang", "zh", "-o", str(xlsx)], seeded)
    exported = load_workbook(xlsx).worksheets[0]
    assert exported.cell(row=1, column=2).value == "指标代码"
    assert exported.max_row - 1 >= 2  # the seeded 2023 figures and this one


def test_serve_workers_wait_for_a_busy_worker_past_uvicorns_5_s(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With --workers 2 the supervisor waits WORKER_HEALTHCHECK_SECONDS (300) for a
    worker's answer to its ping; one worker is uvicorn's own process, no supervisor."""
    import uvicorn

    from app import cli
    from app.settings import get_settings

    calls: list[dict[str, object]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: calls.append(kwargs))
    get_settings.cache_clear()
    try:
        assert cli.main(["serve", "--workers", "2"]) == 0
        monkeypatch.setenv("WORKERS", "3")
        monkeypatch.setenv("WORKER_HEALTHCHECK_SECONDS", "30")
        get_settings.cache_clear()
        assert cli.main(["serve"]) == 0
        assert cli.main(["serve", "--workers", "1"]) == 0
        assert cli.main(["serve", "--workers", "0"]) == 2
    finally:
        get_settings.cache_clear()
    assert [(c.get("workers"), c.get("timeout_worker_healthcheck")) for c in calls] == [
        (2, 300),
        (3, 30),
        (None, None),
    ]
    # the installed uvicorn knows the option (0.37 and later)
    config = uvicorn.Config("app.main:app", workers=2, timeout_worker_healthcheck=300)
    assert config.timeout_worker_healthcheck == 300
