"""``python -m app observations import FILE``: post a spreadsheet (.csv or .xlsx) through the
one write path.

Rows go in batches of at most 10,000, each sent as the same JSON bytes whichever way it
travels; each batch is all or nothing and carries an ``Idempotency-Key`` derived from the
file and the batch, so re-running an interrupted import records nothing twice. Without
``--url`` the rows go straight to ``DATABASE_URL`` through ``posting.post``, the function
the HTTP route calls: the same checks, answers and idempotency either way. Both ask for the
minimal answer (``Prefer: return=minimal``), as a bulk load should.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import httpx

from app.errors import AppError, FieldError
from app.services.spreadsheets import XLSX_MEDIA_TYPE, file_rows

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

OBSERVATIONS_PATH = "/api/v1/observations"
CONTENT_TYPE = "application/json"

# (JSON body of one batch, its Idempotency-Key) -> (status, answer)
Sender = Callable[[bytes, str], tuple[int, dict[str, Any]]]


def progress_bar(done: int, total: int, width: int = 30) -> str:
    filled = width * done // max(total, 1)
    return f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} rows"


def http_sender(url: str, key: str, timeout: float = 60.0) -> Sender:
    endpoint = url.rstrip("/") + OBSERVATIONS_PATH

    def send(body: bytes, idempotency_key: str) -> tuple[int, dict[str, Any]]:
        response = httpx.post(
            endpoint,
            content=body,
            headers={
                "Authorization": f"Bearer {key}",
                "Content-Type": CONTENT_TYPE,
                "Idempotency-Key": idempotency_key,
                "Prefer": "return=minimal",
            },
            timeout=timeout,
        )
        try:
            answer = response.json()
        except json.JSONDecodeError:
            answer = {"message": response.text[:500]}
        return response.status_code, answer

    return send


def local_sender(key: str, sessions: Callable[[], Session] | None = None) -> Sender:
    """Posts straight into ``DATABASE_URL`` (or through ``sessions``)."""
    from app.db import UnitOfWork, make_engine, make_sessionmaker
    from app.services import posting
    from app.services.api_keys import authenticate
    from app.services.review import needs_review
    from app.settings import get_settings

    settings = get_settings()
    if sessions is None:
        sessions = make_sessionmaker(make_engine(settings.database_url))

    def send(body: bytes, idempotency_key: str) -> tuple[int, dict[str, Any]]:
        with sessions() as session:
            try:
                poster = authenticate(session, key, ("analyst", "reviewer", "admin"))
                post = posting.Post(
                    rows=posting.parse_json_rows(body)[0],
                    key=poster,
                    max_rows=settings.max_batch_rows,
                    minimal=True,
                    idempotency_key=idempotency_key,
                    fingerprint=posting.fingerprint(OBSERVATIONS_PATH, CONTENT_TYPE, body, True),
                    pending=needs_review(settings.publish_mode, poster),
                )
                posted = posting.post(UnitOfWork(session), post)
            except AppError as exc:
                errors = [e.as_dict() for e in exc.errors]
                return exc.status_code, {"message": exc.message, "errors": errors}
            answer: dict[str, Any] = json.loads(posted.body)
            return posted.status, answer

    return send


# The environment variable a key may come from: an argument shows in `ps` and the history.
KEY_VARIABLE = "POLICY_TRACKER_KEY"


def media_type_of(path: Path) -> str:
    """How the file is read: by its suffix, else by its content (an XLSX is a ZIP)."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return XLSX_MEDIA_TYPE
    if suffix in (".csv", ".txt"):
        return "text/csv"
    return "application/octet-stream"


def read_rows(
    path: Path, content: bytes, sheet: str | None = None
) -> tuple[list[dict[str, Any]], list[FieldError]]:
    """The file's rows (every one: the batches are the importer's) and its rows' problems."""
    read = file_rows(content, media_type_of(path), sheet=sheet, max_rows=sys.maxsize)
    return read.rows, read.errors


def run_import(
    path: Path,
    send: Sender,
    batch_size: int = 10_000,
    out: TextIO = sys.stderr,
    sheet: str | None = None,
) -> int:
    content = path.read_bytes()
    try:
        rows, errors = read_rows(path, content, sheet)
    except AppError as exc:
        print(f"{path}: {exc.message}", file=out)
        _print_rows([e.as_dict() for e in exc.errors], 0, out)
        return 1
    if errors:
        print(
            f"{path}: {len({e.row for e in errors})} rows cannot be read; nothing was sent",
            file=out,
        )
        _print_rows([e.as_dict() for e in errors], 0, out)
        return 1
    digest = hashlib.sha256(content).hexdigest()[:32]
    done = 0
    for start in range(0, len(rows), batch_size):
        batch = rows[start : start + batch_size]
        body = json.dumps(batch, ensure_ascii=False, separators=(",", ":")).encode()
        status, answer = send(body, f"import-{digest}-{start}")
        if status != 201:
            print(
                f"\nbatch from data row {start + 1} refused ({status}): {answer.get('message')}",
                file=out,
            )
            _print_rows(answer.get("errors", []), start, out)
            print(f"{done} rows were stored before this batch; nothing of it was.", file=out)
            return 1
        done += len(batch)
        for warning in answer.get("warnings", []):
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
