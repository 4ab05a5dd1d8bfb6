"""Command line: ``python -m app db upgrade | seed load | keys create|list|revoke |
documents extract | serve``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from app.settings import PROJECT_ROOT, Settings, get_settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from app.services.extraction import IndicatorName

T = TypeVar("T")


def in_one_transaction(work: Callable[[Session], T]) -> T:
    """Run ``work`` in one transaction of the configured database (the unit of work)."""
    from app.db import UnitOfWork, make_engine, make_sessionmaker

    engine = make_engine(get_settings().database_url)
    try:
        with make_sessionmaker(engine)() as session:
            return UnitOfWork(session).run(work)
    finally:
        engine.dispose()


def _alembic_config() -> object:
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    config.set_main_option("sqlalchemy.url", get_settings().database_url.replace("%", "%%"))
    return config


def db_upgrade(revision: str = "head") -> None:
    from alembic import command

    command.upgrade(_alembic_config(), revision)  # type: ignore[arg-type]


def db_downgrade(revision: str) -> None:
    from alembic import command

    command.downgrade(_alembic_config(), revision)  # type: ignore[arg-type]


def seed_load() -> int:
    from app.seeding import SeedError, load_seeds

    seeds_dir = get_settings().seeds_dir
    try:
        report = in_one_transaction(lambda session: load_seeds(session, seeds_dir))
    except SeedError as exc:
        print(
            f"seed load refused: {len(exc.problems)} problem(s), nothing written", file=sys.stderr
        )
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print("\n".join(report.lines()))
    return 0


def progress_refresh() -> int:
    from app.db import make_engine
    from app.queries.goals import vacuum_tally
    from app.services.stored_reads import refresh_all

    count = in_one_transaction(refresh_all)
    engine = make_engine(get_settings().database_url)
    try:
        vacuum_tally(engine)
    finally:
        engine.dispose()
    print(f"progress and status recomputed for {count} targets and plans")
    print("status timelines (past summaries): python -m app progress timelines")
    return 0


def progress_timelines() -> int:
    """Build every missing status timeline, a batch per transaction (after a refresh or
    a bulk load; the workers' background thread builds them too, more slowly)."""
    from app.db import make_engine, make_sessionmaker
    from app.services.status_history import build_all

    engine = make_engine(get_settings().database_url)
    try:
        count = build_all(make_sessionmaker(engine))
    finally:
        engine.dispose()
    print(f"status timelines built for {count} targets and plans")
    return 0


def keys(args: argparse.Namespace) -> int:
    from app.services import api_keys

    try:
        if args.keys_command == "create":
            key = in_one_transaction(
                lambda session: api_keys.create_key(session, args.name, args.role, args.region)
            )
            scope = f" for {', '.join(args.region)} and their subregions" if args.region else ""
            print(f"created {args.role} key '{args.name}'{scope}; it is shown once, store it now:")
            print(key)
        elif args.keys_command == "list":
            for row in in_one_transaction(api_keys.list_keys):
                print(row)
        elif not in_one_transaction(lambda session: api_keys.revoke_key(session, args.name)):
            print(f"no active key named '{args.name}'", file=sys.stderr)
            return 1
        else:
            print(f"revoked '{args.name}'")
    except api_keys.KeyRefused as exc:
        print(str(exc), file=sys.stderr)
        return 1
    return 0


def documents_extract(args: argparse.Namespace) -> int:
    """Print a document's proposals: one CSV (a ``kind`` column, then the seed columns),
    JSON, or with ``--out`` the three seed files, so that its seeds start from them."""
    import csv
    import json

    from app.domain.extraction import DocumentContext
    from app.seeding import SEED_COLUMNS
    from app.services import extraction

    try:
        text = args.file.read_text(encoding="utf-8").removeprefix("\ufeff")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"cannot read {args.file}: {exc}", file=sys.stderr)
        return 1
    context = DocumentContext(region=args.region, year=args.year, kind=args.kind)
    proposals = extraction.propose(text, context, _indicator_names())
    if args.json:
        from app.schemas.json_numbers import splice_text

        items = [p.model_dump(mode="json") for p in proposals]
        body = json.dumps({"items": items, "total": len(items)}, ensure_ascii=False, indent=2)
        print(splice_text(body))  # the exact numbers as bare JSON numbers, as the API gives
        return 0
    files = extraction.seed_rows(proposals)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        for name, rows in files.items():
            with (args.out / name).open("w", encoding="utf-8", newline="") as handle:
                writer = csv.DictWriter(handle, SEED_COLUMNS[name], lineterminator="\n")
                writer.writeheader()
                writer.writerows(rows)
        print(f"{len(proposals)} proposals written to {args.out}", file=sys.stderr)
        return 0
    seed_columns = dict.fromkeys(c for cs in SEED_COLUMNS.values() for c in cs)
    columns = ["kind", *seed_columns]
    writer = csv.DictWriter(sys.stdout, columns, lineterminator="\n")
    writer.writeheader()
    for name, rows in files.items():
        for row in rows:
            writer.writerow({"kind": name.removesuffix("s.csv"), **row})
    return 0


def _indicator_names() -> list[IndicatorName]:
    """The indicators of the configured database, to name each figure's indicator; without
    a reachable database the proposals keep only the phrases."""
    from sqlalchemy.exc import SQLAlchemyError

    from app.db import make_engine, make_sessionmaker
    from app.services.extraction import names_in

    engine = make_engine(get_settings().database_url)
    try:
        with make_sessionmaker(engine)() as session:
            return list(names_in(session))
    except SQLAlchemyError as exc:
        print(f"indicators not matched (database: {type(exc).__name__})", file=sys.stderr)
        return []
    finally:
        engine.dispose()


def serve(host: str, port: int, workers: int = 1) -> None:
    import uvicorn

    settings = get_settings()
    uvicorn.run(
        "app.main:app",
        host=host,
        port=port,
        **proxy_options(settings),
        **worker_options(settings, workers),
    )


def worker_options(settings: Settings, workers: int) -> dict[str, Any]:
    """One process (the default), or ``workers`` under uvicorn's supervisor, which waits
    ``WORKER_HEALTHCHECK_SECONDS`` for a worker's answer to its ping before killing it."""
    if workers <= 1:
        return {}
    return {"workers": workers, "timeout_worker_healthcheck": settings.worker_healthcheck_seconds}


def proxy_options(settings: Settings) -> dict[str, Any]:
    """uvicorn trusts X-Forwarded-For from loopback by default; here only from the proxies
    FORWARDED_ALLOW_IPS names, and from none when it is empty."""
    trusted = settings.forwarded_allow_ips.strip()
    if not trusted:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": trusted}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m app", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    db = sub.add_parser("db", help="schema migrations").add_subparsers(
        dest="db_command", required=True
    )
    up = db.add_parser("upgrade", help="migrate to the newest schema")
    up.add_argument("revision", nargs="?", default="head")
    down = db.add_parser("downgrade", help="migrate back")
    down.add_argument("revision")
    seed = sub.add_parser("seed", help="load seeds/").add_subparsers(
        dest="seed_command", required=True
    )
    seed.add_parser("load", help="load every seed file (idempotent)")
    key = sub.add_parser("keys", help="API keys").add_subparsers(dest="keys_command", required=True)
    create = key.add_parser("create", help="create a key; prints it on the last line")
    create.add_argument("--name", required=True)
    create.add_argument("--role", required=True, choices=["analyst", "reviewer", "admin"])
    create.add_argument(
        "--region",
        action="append",
        default=[],
        metavar="CODE",
        help="scope the key to this region and its subregions (repeatable; default: all)",
    )
    key.add_parser("list", help="list keys")
    revoke = key.add_parser("revoke", help="revoke a key by name")
    revoke.add_argument("name")
    obs = sub.add_parser("observations", help="progress figures").add_subparsers(
        dest="observations_command", required=True
    )
    imp = obs.add_parser("import", help="post a .csv or .xlsx file of figures (batches of 10,000)")
    imp.add_argument("file", type=Path)
    imp.add_argument(
        "--key",
        help="an analyst, reviewer or admin API key (default: the environment variable "
        "POLICY_TRACKER_KEY; an argument shows in `ps` and the shell's history)",
    )
    imp.add_argument(
        "--url", help="a running service, e.g. http://127.0.0.1:8000 (default: DATABASE_URL)"
    )
    imp.add_argument("--sheet", help="the workbook's sheet to read (default: the first)")
    exp = obs.add_parser("export", help="write every matching figure to a .csv or .xlsx file")
    exp.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    exp.add_argument("--indicator")
    exp.add_argument("--region")
    exp.add_argument("--period")
    exp.add_argument("--include-revisions", action="store_true")
    exp.add_argument("--lang", choices=["en", "zh"], default="en", help="column headers")
    exp.add_argument("-o", "--output", type=Path, help="the file (default: the export's name)")
    exp.add_argument(
        "--url", help="a running service, e.g. http://127.0.0.1:8000 (default: DATABASE_URL)"
    )
    progress = sub.add_parser("progress", help="stored statuses").add_subparsers(
        dest="progress_command", required=True
    )
    progress.add_parser(
        "refresh", help="recompute every goal's stored status (after loading rows by hand)"
    )
    progress.add_parser(
        "timelines", help="build the missing status timelines that past summaries sum"
    )
    documents = sub.add_parser("documents", help="read new documents").add_subparsers(
        dest="documents_command", required=True
    )
    extract = documents.add_parser("extract", help="propose a document's figures (seed format)")
    extract.add_argument("file", type=Path)
    form = extract.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help="the API's JSON answer")
    form.add_argument("--csv", action="store_true", help="one CSV with a kind column (default)")
    form.add_argument(
        "--out", type=Path, help="write targets.csv, plans.csv, observations.csv here"
    )
    extract.add_argument("--region", default="500000", help="the document's subject region")
    extract.add_argument("--year", type=int, help="the year it was written (default: its title)")
    extract.add_argument(
        "--kind",
        choices=["action_plan", "plan_execution_report", "work_report_digest", "article"],
        help="the kind of document (default: read from its title)",
    )
    srv = sub.add_parser("serve", help="serve the API")
    srv.add_argument("--host", default="127.0.0.1")
    srv.add_argument("--port", type=int, default=8000)
    srv.add_argument(
        "--workers",
        type=int,
        help="worker processes (default: the WORKERS setting, 1); each has its own cache",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Runs a command; an expected failure (a missing file, an unreachable service or
    database, an unmigrated schema) is one line on stderr with its fix, exit code 1 or 2."""
    from app.cli_errors import explain

    try:
        return _run(argv)
    except Exception as exc:
        explained = explain(exc)
        if explained is None:
            raise
        message, code = explained
        print(f"error: {message}", file=sys.stderr)
        return code


def _run(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "db":
        if args.db_command == "upgrade":
            db_upgrade(args.revision)
        else:
            db_downgrade(args.revision)
        return 0
    if args.command == "seed":
        return seed_load()
    if args.command == "keys":
        return keys(args)
    if args.command == "progress" and args.progress_command == "timelines":
        return progress_timelines()
    if args.command == "progress":
        return progress_refresh()
    if args.command == "documents":
        return documents_extract(args)
    if args.command == "observations" and args.observations_command == "export":
        from app.exporter import run_export

        return run_export(args)
    if args.command == "observations":
        import os

        from app.importer import KEY_VARIABLE, http_sender, local_sender, run_import

        key = args.key or os.environ.get(KEY_VARIABLE)
        if not key:
            print(f"error: give the API key in {KEY_VARIABLE} (or --key)", file=sys.stderr)
            return 2
        sender = http_sender(args.url, key) if args.url else local_sender(key)
        return run_import(args.file, sender, sheet=args.sheet)
    workers = get_settings().workers if args.workers is None else args.workers
    if workers < 1:
        print("error: --workers: give 1 or more", file=sys.stderr)
        return 2
    serve(args.host, args.port, workers)
    return 0
