"""``python -m app observations import FILE.csv``: post a spreadsheet through the same checks.

Rows go in batches of at most 10,000; each batch is all or nothing and carries an
``Idempotency-Key`` derived from the file and the batch, so re-running an interrupted
import records nothing twice. Without ``--url`` the rows go straight to ``DATABASE_URL``.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

import httpx

from app.errors import AppError
from app.services.posting import parse_csv_rows

Sender = Callable[[list[dict[str, Any]], str], tuple[int, dict[str, Any]]]


def progress_bar(done: int, total: int, width: int = 30) -> str:
    filled = width * done // max(total, 1)
    return f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} rows"


def http_sender(url: str, key: str, timeout: float = 60.0) -> Sender:
    endpoint = url.rstrip("/") + "/api/v1/observations"

    def send(rows: list[dict[str, Any]], idempotency_key: str) -> tuple[int, dict[str, Any]]:
        response = httpx.post(
            endpoint,
            json=rows,
            headers={"Authorization": f"Bearer {key}", "Idempotency-Key": idempotency_key},
            timeout=timeout,
        )
        try:
            body = response.json()
        except json.JSONDecodeError:
            body = {"message": response.text[:500]}
        return response.status_code, body

    return send


def local_sender(key: str) -> Sender:
    from app.db import begin_write, make_engine, make_sessionmaker
    from app.services.api_keys import find_key
    from app.services.posting import record_observations
    from app.settings import get_settings

    settings = get_settings()
    sessions = make_sessionmaker(make_engine(settings.database_url))

    def send(rows: list[dict[str, Any]], _idempotency_key: str) -> tuple[int, dict[str, Any]]:
        with sessions() as session:
            begin_write(session)
            api_key = find_key(session, key)
            if api_key is None:
                return 401, {"message": "the API key is unknown or revoked"}
            if api_key.role not in ("analyst", "admin"):
                return 403, {"message": "the key may not post"}
            try:
                # Their goals' progress: recomputed now on SQLite, by the backlog on Postgres.
                outcome = record_observations(
                    session, rows, api_key.name, max_rows=settings.max_batch_rows, mark_stale=True
                )
            except AppError as exc:
                session.rollback()
                errors = [e.as_dict() for e in exc.errors]
                return exc.status_code, {"message": exc.message, "errors": errors}
            session.commit()
            warnings = [w.as_dict() for w in outcome.warnings]
            return 201, {"items": [None] * len(outcome.ids), "warnings": warnings}

    return send


def run_import(path: Path, send: Sender, batch_size: int = 10_000, out: TextIO = sys.stderr) -> int:
    content = path.read_bytes()
    try:
        rows = parse_csv_rows(content)
    except AppError as exc:
        print(f"{path}: {exc.message}", file=out)
        return 1
    digest = hashlib.sha256(content).hexdigest()[:32]
    done = 0
    for start in range(0, len(rows), batch_size):
        batch = rows[start : start + batch_size]
        status, body = send(batch, f"import-{digest}-{start}")
        if status != 201:
            print(
                f"\nbatch from data row {start + 1} refused ({status}): {body.get('message')}",
                file=out,
            )
            _print_rows(body.get("errors", []), start, out)
            print(f"{done} rows were stored before this batch; nothing of it was.", file=out)
            return 1
        done += len(batch)
        for warning in body.get("warnings", []):
            line = start + int(warning.get("row") or 0)
            print(f"\nwarning, data row {line}: {warning['message']}", file=out)
        print(f"\r{progress_bar(done, len(rows))}", end="", file=out, flush=True)
    print(f"\nimported {done} rows from {path}", file=out)
    return 0


def _print_rows(errors: Sequence[dict[str, Any]], offset: int, out: TextIO) -> None:
    for error in errors:
        row = error.get("row")
        where = f"data row {offset + int(row)}" if row is not None else "file"
        print(f"  {where}: {error.get('field')}: {error.get('message')}", file=out)
