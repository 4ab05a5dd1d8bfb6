"""Loads ``seeds/`` into the database through the same schemas and checks as the API.

Idempotent: reference rows are upserted by code; targets and plans by a key derived from
their content; seed observations by (document, indicator, region, period). Running it
twice leaves the database as it was after the first run.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import changes
from app.domain.units import parse_unit
from app.errors import FieldError
from app.models import Document, Indicator, Observation, Plan, Region, Target
from app.models.reference import join_aliases, split_aliases
from app.queries.goals import GoalModel
from app.schemas.write import ObservationCreate, PlanCreate, TargetCreate
from app.services.figures import (
    ReferenceData,
    build_observation,
    check_goal,
    goal_columns,
    goal_identity,
    load_reference,
)
from app.services.goals import goal_sources
from app.services.stored_reads import refresh_pairs

SEED_RECORDER = "seed"
KINDS = ("targets", "plans", "observations")

# The columns of each figures file (seeds/FORMAT.md), in order: what a new document's seeds
# are written with (``python -m app documents extract --out``).
SEED_COLUMNS: dict[str, tuple[str, ...]] = {
    "targets.csv": (
        "indicator",
        "region",
        "start_year",
        "end_year",
        "basis",
        "comparator",
        "value",
        "unit",
        "baseline_year",
        "baseline_value",
        "stretch",
        "quote",
        "note",
    ),
    "plans.csv": (
        "indicator",
        "region",
        "year",
        "basis",
        "comparator",
        "value",
        "unit",
        "baseline_year",
        "baseline_value",
        "stretch",
        "quote",
        "note",
    ),
    "observations.csv": (
        "indicator",
        "region",
        "period",
        "value",
        "unit",
        "yoy_growth",
        "reported_completion_rate",
        "quote",
        "note",
    ),
}


class SeedError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class SeedReport:
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    # goals stored once for several documents' rows: kind -> (goals, rows they stand for)
    merged: Counter[str] = field(default_factory=Counter)
    merged_rows: Counter[str] = field(default_factory=Counter)

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
        for kind in ("targets", "plans"):
            if self.merged[kind]:
                out.append(
                    f"{self.merged_rows[kind]} {kind} rows stated alike by several documents "
                    f"stored as {self.merged[kind]} {kind}"
                )
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


def alike_key(kind: str, goal: TargetCreate | PlanCreate, ref: ReferenceData) -> tuple[Any, ...]:
    """What makes two documents' goals one goal (``figures.goal_identity``)."""
    return goal_identity(kind, goal, ref)


@dataclass
class SeedGoal:
    """One goal and every document row that states it, oldest document first."""

    payload: TargetCreate | PlanCreate
    rows: list[tuple[str, TargetCreate | PlanCreate]]

    def sources_json(self) -> str | None:
        if len(self.rows) < 2:
            return None
        sources = [
            {"document": doc, "quote": goal.source.quote if goal.source else None}
            for doc, goal in self.rows
        ]
        return json.dumps(sources, ensure_ascii=False)

    def note(self) -> str | None:
        notes: list[str] = []
        for _, goal in self.rows:
            if goal.note and goal.note not in notes:
                notes.append(goal.note)
        return "; ".join(notes) or None


def _merge_alike(
    kind: str,
    rows: list[tuple[str, dict[str, Any], TargetCreate | PlanCreate, str]],
    published: dict[str, datetime],
    ref: ReferenceData,
    problems: list[str],
) -> dict[str, SeedGoal]:
    """Rows stated alike by several documents become one goal, keyed by the seed key of
    its oldest document's row: the key an earlier load gave that row's goal, so loading
    onto such a database keeps that goal and drops the others as stale."""
    groups: dict[tuple[Any, ...], list[tuple[str, dict[str, Any], TargetCreate | PlanCreate, str]]]
    groups = {}
    for row in sorted(rows, key=lambda r: (published[r[0]], r[0])):
        doc, _, goal, where = row
        group = groups.setdefault(alike_key(kind, goal, ref), [])
        if any(d == doc for d, *_ in group):
            problems.append(f"{where}: states the same goal as an earlier row of {doc}")
            continue
        group.append(row)
    out: dict[str, SeedGoal] = {}
    for group in groups.values():
        doc, payload, goal, _ = group[0]
        if goal.baseline_value is None:  # a later document may state the starting value
            stated = next((g for _, _, g, _ in group if g.baseline_value is not None), goal)
            goal = goal.model_copy(
                update={
                    "baseline_year": stated.baseline_year,
                    "baseline_value": stated.baseline_value,
                    "baseline_unit": stated.baseline_unit,
                }
            )
        out[seed_key(doc, kind, payload)] = SeedGoal(goal, [(d, g) for d, _, g, _ in group])
    return out


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
                aliases=join_aliases(split_aliases(row.get("aliases"))),
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
    changes.touch_everything(session)  # reference data, goals and figures alike
    problems = _upsert_reference(session, seeds_dir)
    ref = load_reference(session)
    published = {
        code: datetime.combine(d, time(0), tzinfo=UTC)
        for code, d in session.execute(select(Document.code, Document.published_on))
    }
    report = SeedReport()
    goal_rows: dict[str, list[tuple[str, dict[str, Any], TargetCreate | PlanCreate, str]]] = {
        "targets": [],
        "plans": [],
    }
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
                    goal_rows[kind].append((doc, payload, goal_in, where))
            except ValidationError as exc:
                problems += _validation_problems(where, exc)
            report.counts[(doc, kind)] += 1
    targets = _merge_alike("targets", goal_rows["targets"], published, ref, problems)
    plans = _merge_alike("plans", goal_rows["plans"], published, ref, problems)
    if problems:
        raise SeedError(problems)
    for kind, goals in (("targets", targets), ("plans", plans)):
        several = [g for g in goals.values() if len(g.rows) > 1]
        report.merged[kind] = len(several)
        report.merged_rows[kind] = sum(len(g.rows) for g in several)
    seeded = {row["code"] for row in read_csv(seeds_dir / "documents.csv")}
    _sync_goals(session, Target, targets, published, seeded)
    _sync_goals(session, Plan, plans, published, seeded)
    removed = _sync_observations(session, observations, ref)
    session.flush()
    # Only the seeds' own series: the database may hold many more goals (every county),
    # which a start-up seed load should not recompute.
    refresh_pairs(
        session,
        {(g.payload.indicator, g.payload.region) for g in (*targets.values(), *plans.values())}
        | {(o.indicator_code, o.region_code) for _, o in observations}
        | removed,
    )
    return report


def _keep_registered_sources(
    columns: dict[str, Any],
    current: Target | Plan,
    published: dict[str, datetime],
    seeded: set[str],
) -> None:
    """A seeded goal that documents registered later (POST /documents) state alike keeps
    citing them: their sources are not the seed files' to drop. ``published``: every
    document's date; ``seeded``: the codes of documents.csv."""
    registered = [s for s in goal_sources(current) if s["document"] not in seeded]
    if not registered:
        return
    if columns["sources_json"]:
        sources = json.loads(columns["sources_json"])
    else:
        sources = [{"document": columns["document_code"], "quote": columns["quote"]}]
    far = datetime.max.replace(tzinfo=UTC)
    sources = sorted(
        [*sources, *registered],
        key=lambda s: (published.get(s["document"] or "", far), s["document"] or ""),
    )
    columns |= {
        "document_code": sources[0]["document"],
        "quote": sources[0]["quote"],
        "sources_json": json.dumps(sources, ensure_ascii=False),
    }


def _sync_goals(
    session: Session,
    model: type[GoalModel],
    rows: dict[str, SeedGoal],
    published: dict[str, datetime],
    seeded: set[str],
) -> None:
    existing: dict[str | None, GoalModel] = {
        g.seed_key: g for g in session.scalars(select(model).where(model.seed_key.is_not(None)))
    }
    for key, goal in rows.items():
        payload = goal.payload
        columns = goal_columns(payload) | {"note": goal.note(), "sources_json": goal.sources_json()}
        if isinstance(payload, TargetCreate):
            columns |= {"start_year": payload.start_year, "end_year": payload.end_year}
        elif isinstance(payload, PlanCreate):
            columns |= {"year": payload.year}
        current = existing.get(key)
        if current is None:
            session.add(model(**columns, seed_key=key))
            continue
        _keep_registered_sources(columns, current, published, seeded)
        for name, value in columns.items():
            if getattr(current, name) != value:
                setattr(current, name, value)
    for stale_key, stale in existing.items():
        if stale_key not in rows:
            session.delete(stale)


def _sync_observations(
    session: Session, observations: list[tuple[str, Observation]], ref: ReferenceData
) -> set[tuple[str, str]]:
    """One seed revision per (document, natural key); revisions numbered in date order.

    A seed figure no seed file holds any more (a row corrected away, such as a five-year
    floor once read as a year's count) is removed, so loading onto a database an earlier
    version seeded leaves nothing behind; figures analysts posted are never touched.
    Answers the (indicator, region) series it removed figures from."""
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
    wanted = {(doc, o.indicator_code, o.region_code, o.period) for doc, o in observations}
    removed: set[tuple[str, str]] = set()
    for (doc_code, indicator, region, period), stale in existing.items():
        if (doc_code or "", indicator, region, period) not in wanted:
            removed.add((stale.indicator_code, stale.region_code))
            session.delete(stale)
    return removed


__all__ = ["Decimal", "SeedError", "SeedReport", "load_seeds"]
