"""``python -m app observations export``: every matching figure to a .csv or .xlsx file,
from ``DATABASE_URL`` (app/services/exports.py, what the API streams) or from a running
service with ``--url`` (``GET /api/v1/observations?format=...``): the same file either way."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import httpx

from app.errors import AppError

OBSERVATIONS_PATH = "/api/v1/observations"


def _filters(args: argparse.Namespace) -> dict[str, Any]:
    params: dict[str, Any] = {"format": args.format, "lang": args.lang}
    for name in ("indicator", "region", "period"):
        if getattr(args, name):
            params[name] = getattr(args, name)
    if args.include_revisions:
        params["include_revisions"] = "true"
    return params


def run_export(args: argparse.Namespace) -> int:
    if args.url:
        return _over_http(args)
    return _locally(args)


def _locally(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from app.db import make_engine, make_sessionmaker
    from app.services.exports import export_observations
    from app.settings import get_settings

    sessions = make_sessionmaker(make_engine(get_settings().database_url))
    with sessions() as session:
        try:
            answer = export_observations(
                session,
                datetime.now(UTC),
                indicator=args.indicator,
                region=args.region,
                period=args.period,
                include_revisions=args.include_revisions,
                file_format=args.format,
                lang=args.lang,
            )
        except AppError as exc:
            print(f"error: {exc.message}", file=sys.stderr)
            return 1
        path: Path = args.output or Path(answer.filename)
        with path.open("wb") as out:
            for chunk in answer.chunks:
                out.write(chunk)
    print(f"wrote {path}", file=sys.stderr)
    return 0


def _over_http(args: argparse.Namespace) -> int:
    url = args.url.rstrip("/") + OBSERVATIONS_PATH
    with httpx.stream("GET", url, params=_filters(args), timeout=300) as response:
        if response.status_code != 200:
            response.read()
            print(f"error: {response.status_code}: {response.text[:500]}", file=sys.stderr)
            return 1
        path: Path = args.output or Path(_filename(response) or f"observations.{args.format}")
        with path.open("wb") as out:
            for chunk in response.iter_bytes():
                out.write(chunk)
    print(f"wrote {path}", file=sys.stderr)
    return 0


def _filename(response: httpx.Response) -> str | None:
    disposition = response.headers.get("content-disposition", "")
    _, _, name = disposition.partition("filename=")
    name = name.strip().strip('"')
    return Path(name).name or None
