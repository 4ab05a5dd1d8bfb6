"""How well the extraction finds the seed figures of the five documents.

``python -m app.extraction_measure`` prints, per document, recall (seed figures proposed
with the right kind, value and unit after conversion) and precision (proposals that are a
seed figure). A seed observation stated as growth only is matched by its growth rate.
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from app.domain.extraction import DocumentContext
from app.domain.units import UnitError, parse_unit
from app.domain.units import tidy as _tidy
from app.schemas.extraction import Proposal
from app.services.extraction import propose
from app.settings import PROJECT_ROOT, get_settings

Key = tuple[str, str, Decimal]
FILES = {"targets.csv": "target", "plans.csv": "plan", "observations.csv": "observation"}


def figure_key(kind: str, value: Decimal | None, unit: str | None, growth: Decimal | None) -> Key:
    """Kind, dimension and value in the dimension's base unit: 1.27万家 is 12700 家."""
    if value is None or not unit:
        return (kind, "growth", _tidy(growth) if growth is not None else Decimal(0))
    try:
        parsed = parse_unit(unit)
    except UnitError:
        return (kind, unit, _tidy(value))
    return (kind, parsed.dimension, _tidy(value * parsed.factor))


def seed_keys(figures_dir: Path) -> list[tuple[Key, dict[str, str]]]:
    keys = []
    for name, kind in FILES.items():
        path = figures_dir / name
        if not path.exists():
            continue
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                value = Decimal(row["value"]) if row["value"] else None
                growth = Decimal(row["yoy_growth"]) if row.get("yoy_growth") else None
                keys.append((figure_key(kind, value, row["unit"] or None, growth), row))
    return keys


def proposal_key(p: Proposal) -> Key:
    return figure_key(p.kind, p.value, p.unit, p.yoy_growth)


@dataclass
class Score:
    document: str
    seeds: int
    proposals: int
    matched: int
    missed: list[dict[str, str]]
    extra: list[Proposal]

    @property
    def recall(self) -> float:
        return self.matched / self.seeds if self.seeds else 1.0

    @property
    def precision(self) -> float:
        return self.matched / self.proposals if self.proposals else 1.0


def sources_dir() -> Path:
    configured = get_settings().sources_dir
    for candidate in (
        configured,
        PROJECT_ROOT / "seeds" / "sources",
        PROJECT_ROOT.parent / "shared" / "sources",
    ):
        if candidate.is_dir() and any(candidate.glob("*.txt")):
            return candidate
    return configured


def document_contexts(seeds_dir: Path) -> dict[str, DocumentContext]:
    """Each seed document's subject region (its figures' most common region) and the year
    it was published (``seeds/documents.csv``), what a person registering a new document
    knows; the kind is left to the extraction, which reads it from the title. The year
    matters only where the text names none (``000`` names no year at all, so without it the
    extraction would take the current year)."""
    published: dict[str, int] = {}
    documents = seeds_dir / "documents.csv"
    if documents.exists():
        with documents.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if row.get("published_on"):
                    published[row["code"]] = int(row["published_on"][:4])
    contexts = {}
    for figures in sorted((seeds_dir / "figures").iterdir()):
        regions = Counter(row["region"] for _key, row in seed_keys(figures))
        region = regions.most_common(1)[0][0] if regions else "500000"
        contexts[figures.name] = DocumentContext(region=region, year=published.get(figures.name))
    return contexts


def score(code: str, text: str, context: DocumentContext, seeds_dir: Path) -> Score:
    proposals = propose(text, context)
    seeds = seed_keys(seeds_dir / "figures" / code)
    wanted = Counter(key for key, _row in seeds)
    offered = Counter(proposal_key(p) for p in proposals)
    matched = sum((wanted & offered).values())
    left = wanted - offered
    missed = []
    for key, row in seeds:
        if left[key] > 0:
            left[key] -= 1
            missed.append(row)
    surplus = offered - wanted
    extra = []
    for p in proposals:
        if surplus[proposal_key(p)] > 0:
            surplus[proposal_key(p)] -= 1
            extra.append(p)
    return Score(code, len(seeds), len(proposals), matched, missed, extra)


def measure(seeds_dir: Path | None = None) -> list[Score]:
    seeds_dir = seeds_dir or get_settings().seeds_dir
    source = sources_dir()
    scores = []
    for code, context in document_contexts(seeds_dir).items():
        text = (source / f"{code}.txt").read_text(encoding="utf-8")
        scores.append(score(code, text, context, seeds_dir))
    return scores


def table(scores: list[Score]) -> str:
    lines = [
        "| document | seed figures | proposals | matched | recall | precision |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for s in scores:
        lines.append(
            f"| `{s.document}` | {s.seeds} | {s.proposals} | {s.matched} "
            f"| {s.recall:.1%} | {s.precision:.1%} |"
        )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    scores = measure()
    print(table(scores))
    if "-v" in argv:
        for s in scores:
            print(f"\n## {s.document}: missed {len(s.missed)}")
            for row in s.missed:
                growth = row.get("yoy_growth", "")
                kind = row.get("basis") or "obs"
                print(f"  - {row['indicator']} {kind} {row['value']} {row['unit']} g={growth}")
                print(f"      | {row['quote']}")
            print(f"## {s.document}: extra {len(s.extra)}")
            for p in s.extra:
                print(f"  + {p.kind} {p.basis} {p.value} {p.unit} g={p.yoy_growth}")
                print(f"      [{p.indicator_phrase}] | {p.quote}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
