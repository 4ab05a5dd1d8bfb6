"""Loads ``seeds/`` into the database through the same schemas and checks as the API.

Idempotent: reference rows are upserted by code; targets and plans by a key derived from
their content; seed observations by (document, indicator, region, period). Running it
twice leaves the database as it was after the first run.
"""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.units import parse_unit
from app.errors import FieldError
from app.models import Document, Indicator, Observation, Plan, Region, Target
from app.queries.goals import GoalModel
from app.schemas.write import ObservationCreate, PlanCreate, TargetCreate
from app.services.figures import (
    ReferenceData,
    build_observation,
    check_goal,
    goal_columns,
    load_reference,
)
from app.services.stored_reads import refresh_pairs

SEED_RECORDER = "seed"
KINDS = ("targets", "plans", "observations")


class SeedError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class SeedReport:
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)

    def lines(self) -> list[str]:
        docs = sorted({doc for doc, _ in self.counts})
        out = [f"{'document':<24}{'targets':>9}{'plans':>7}{'observations':>14}"]
        for doc in docs:
            out.append(
                f"{doc:<24}{self.counts[(doc, 'targets')]:>9}"
                f"{self.counts[(doc, 'plans')]:>7}{self.counts[(doc, 'observations')]:>14}"
            )
        totals = [sum(n for (_, k), n in self.counts.items() if k == kind) for kind in KINDS]
        out.append(f"{'total':<24}{totals[0]:>9}{totals[1]:>7}{totals[2]:>14}")
        return out


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [dict(row) for row in csv.DictReader(handle)]


def _blank_to_none(row: dict[str, str]) -> dict[str, str | None]:
    return {k: (v.strip() if v and v.strip() else None) for k, v in row.items()}


def figure_files(seeds_dir: Path) -> list[tuple[str, str, Path]]:
    """(document code, kind, path) for every figures file, in a stable order."""
    found = []
    for doc_dir in sorted((seeds_dir / "figures").iterdir()):
        for kind in KINDS:
            path = doc_dir / f"{kind}.csv"
            if path.exists():
                found.append((doc_dir.name, kind, path))
    return found


def _payload(kind: str, doc: str, row: dict[str, str | None]) -> dict[str, Any]:
    source = {"document": doc, "quote": row.get("quote")}
    if kind == "observations":
        return {
            "indicator": row["indicator"],
            "region": row["region"],
            "period": row["period"],
            "value": row.get("value"),
            "unit": row.get("unit"),
            "yoy_growth": row.get("yoy_growth"),
            "reported_completion_rate": row.get("reported_completion_rate"),
            "source": source,
            "note": row.get("note"),
        }
    payload: dict[str, Any] = {
        "indicator": row["indicator"],
        "region": row["region"],
        "basis": row["basis"],
        "comparator": row["comparator"],
        "value": row["value"],
        "unit": row["unit"],
        "baseline_year": row.get("baseline_year"),
        "baseline_value": row.get("baseline_value"),
        "stretch": (row.get("stretch") or "").lower() == "true",
        "source": source,
        "note": row.get("note"),
    }
    if kind == "targets":
        payload["start_year"] = row["start_year"]
        payload["end_year"] = row["end_year"]
    else:
        payload["year"] = row["year"]
    return payload


def seed_key(doc: str, kind: str, payload: dict[str, Any]) -> str:
    parts = [doc, kind] + [
        str(payload.get(k) or "")
        for k in (
            "indicator",
            "region",
            "start_year",
            "end_year",
            "year",
            "basis",
            "comparator",
            "value",
            "unit",
            "stretch",
        )
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:40]


def _parents_first(regions: list[dict[str, str]]) -> list[dict[str, str]]:
    """Regions ordered so that each parent is written before its children."""
    ordered: list[dict[str, str]] = []
    placed: set[str] = set()
    pending = sorted(regions, key=lambda r: r["code"])
    while pending:
        ready = [r for r in pending if not r["parent"] or r["parent"] in placed]
        if not ready:
            raise SeedError([f"regions.csv: a parent cycle or unknown parent among {pending}"])
        ordered += ready
        placed |= {r["code"] for r in ready}
        pending = [r for r in pending if r["code"] not in placed]
    return ordered


def _upsert_reference(session: Session, seeds_dir: Path) -> list[str]:
    problems: list[str] = []
    for row in read_csv(seeds_dir / "documents.csv"):
        session.merge(
            Document(
                code=row["code"],
                title=row["title"],
                title_en=row["title_en"],
                issuer=row["issuer"],
                published_on=date.fromisoformat(row["published_on"]),
                date_note=row["date_note"] or None,
                kind=row["kind"],
                script=row["script"],
            )
        )
    regions = read_csv(seeds_dir / "regions.csv")
    known = {r["code"] for r in regions}
    for row in regions:
        if row["parent"] and row["parent"] not in known:
            problems.append(f"regions.csv {row['code']}: unknown parent '{row['parent']}'")
    for row in _parents_first(regions):
        session.merge(
            Region(
                code=row["code"],
                name=row["name"],
                name_en=row["name_en"],
                kind=row["kind"],
                parent_code=row["parent"] or None,
            )
        )
        session.flush()
    for row in read_csv(seeds_dir / "indicators.csv"):
        try:
            parse_unit(row["unit"])
        except ValueError as exc:
            problems.append(f"indicators.csv {row['code']}: {exc}")
        if row["measure"] not in ("flow", "level"):
            problems.append(f"indicators.csv {row['code']}: measure must be flow or level")
        session.merge(
            Indicator(
                code=row["code"],
                name=row["name"],
                name_en=row["name_en"],
                unit=row["unit"],
                measure=row["measure"],
                category=row["category"],
            )
        )
    session.flush()
    return problems


def _describe(where: str, errors: list[FieldError]) -> list[str]:
    return [f"{where}: {e.field}: {e.message}" for e in errors]


def _validation_problems(where: str, exc: ValidationError) -> list[str]:
    return [
        f"{where}: {'.'.join(str(p) for p in e['loc']) or 'row'}: {e['msg']}" for e in exc.errors()
    ]


def load_seeds(session: Session, seeds_dir: Path) -> SeedReport:
    """Validate every row first; write only when all of them pass."""
    problems = _upsert_reference(session, seeds_dir)
    ref = load_reference(session)
    published = {
        code: datetime.combine(d, time(0), tzinfo=UTC)
        for code, d in session.execute(select(Document.code, Document.published_on))
    }
    report = SeedReport()
    targets: dict[str, tuple[TargetCreate, str]] = {}
    plans: dict[str, tuple[PlanCreate, str]] = {}
    observations: list[tuple[str, Observation]] = []
    for doc, kind, path in figure_files(seeds_dir):
        if doc not in ref.documents:
            problems.append(f"{path}: no document '{doc}' in documents.csv")
            continue
        for line, raw in enumerate(read_csv(path), start=2):
            where = f"{doc}/{kind}.csv line {line}"
            row = _blank_to_none(raw)
            if not row.get("quote"):
                problems.append(f"{where}: quote: every seed row needs its quote")
            payload = _payload(kind, doc, row)
            try:
                if kind == "observations":
                    obs_in = ObservationCreate.model_validate(payload)
                    obs, errors = build_observation(
                        obs_in, ref, recorded_at=published[doc], recorded_by=SEED_RECORDER
                    )
                    problems += _describe(where, errors)
                    if obs is not None:
                        observations.append((doc, obs))
                else:
                    model = TargetCreate if kind == "targets" else PlanCreate
                    goal_in = model.model_validate(payload)
                    problems += _describe(where, check_goal(goal_in, ref))
                    key = seed_key(doc, kind, payload)
                    bucket: dict[str, Any] = targets if kind == "targets" else plans
                    if key in bucket:
                        problems.append(f"{where}: repeats an earlier row of the same file")
                    bucket[key] = (goal_in, doc)
            except ValidationError as exc:
                problems += _validation_problems(where, exc)
            report.counts[(doc, kind)] += 1
    if problems:
        raise SeedError(problems)
    _sync_goals(session, Target, targets)
    _sync_goals(session, Plan, plans)
    _sync_observations(session, observations, ref)
    session.flush()
    # Only the seeds' own series: the database may hold many more goals (every county),
    # which a start-up seed load should not recompute.
    refresh_pairs(
        session,
        {(g.indicator, g.region) for g, _ in (*targets.values(), *plans.values())}
        | {(o.indicator_code, o.region_code) for _, o in observations},
    )
    return report


def _sync_goals(session: Session, model: type[GoalModel], rows: dict[str, Any]) -> None:
    existing: dict[str | None, GoalModel] = {
        g.seed_key: g for g in session.scalars(select(model).where(model.seed_key.is_not(None)))
    }
    for key, (payload, _doc) in rows.items():
        columns = goal_columns(payload)
        if isinstance(payload, TargetCreate):
            columns |= {"start_year": payload.start_year, "end_year": payload.end_year}
        elif isinstance(payload, PlanCreate):
            columns |= {"year": payload.year}
        current = existing.get(key)
        if current is None:
            session.add(model(**columns, seed_key=key))
            continue
        for name, value in columns.items():
            if getattr(current, name) != value:
                setattr(current, name, value)
    for stale_key, stale in existing.items():
        if stale_key not in rows:
            session.delete(stale)


def _sync_observations(
    session: Session, observations: list[tuple[str, Observation]], ref: ReferenceData
) -> None:
    """One seed revision per (document, natural key); revisions numbered in date order."""
    existing = {
        (o.document_code, o.indicator_code, o.region_code, o.period): o
        for o in session.scalars(
            select(Observation).where(Observation.recorded_by == SEED_RECORDER)
        )
    }
    top_revision: dict[tuple[str, str, str], int] = {
        (i, r, p): n
        for i, r, p, n in session.execute(
            select(
                Observation.indicator_code,
                Observation.region_code,
                Observation.period,
                func.max(Observation.revision),
            ).group_by(Observation.indicator_code, Observation.region_code, Observation.period)
        )
    }
    observations.sort(key=lambda pair: (pair[1].recorded_at, pair[0]))
    copied = (
        "value",
        "unit",
        "stated_value",
        "stated_unit",
        "yoy_growth",
        "reported_completion_rate",
        "quote",
        "note",
        "recorded_at",
        "published_at",
    )
    for doc, obs in observations:
        key = (doc, obs.indicator_code, obs.region_code, obs.period)
        current = existing.get(key)
        if current is not None:
            for name in copied:
                if getattr(current, name) != getattr(obs, name):
                    setattr(current, name, getattr(obs, name))
            continue
        natural = (obs.indicator_code, obs.region_code, obs.period)
        obs.revision = top_revision.get(natural, 0) + 1
        top_revision[natural] = obs.revision
        session.add(obs)


__all__ = ["Decimal", "SeedError", "SeedReport", "load_seeds"]
