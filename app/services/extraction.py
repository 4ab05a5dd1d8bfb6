"""Proposals from a document: its figures, each matched to an indicator, stored nowhere.

The reading itself is ``app.domain.extraction`` (a pure grammar of these documents); this
service folds Traditional script to Simplified, names each figure's indicator from the
reference data (names and, where the model has them, aliases) and shapes the proposals.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from app.domain.extraction import DocumentContext, Figure, extract
from app.domain.units import UnitError, parse_unit, tidy
from app.errors import FieldError, ValidationFailed
from app.models import Indicator
from app.queries import reference as reference_queries
from app.schemas.extraction import Proposal
from app.seeding import SEED_COLUMNS
from app.text import to_simplified


@dataclass(frozen=True)
class IndicatorName:
    """One way of writing an indicator: its name or an alias, in Simplified script."""

    code: str
    name: str
    unit: str


def indicator_names(indicators: Iterable[Indicator]) -> list[IndicatorName]:
    """Names and aliases of the indicators, longest first (the most specific name wins)."""
    names: list[IndicatorName] = []
    for indicator in indicators:
        code, unit = indicator.code, indicator.unit
        written = [indicator.name]
        aliases = getattr(indicator, "aliases", None)
        if aliases:
            written.extend(str(a) for a in aliases)
        for name in written:
            name = to_simplified(name.strip())
            if len(name) >= 2:
                names.append(IndicatorName(code, name, unit))
    names.sort(key=lambda n: len(n.name), reverse=True)
    return names


def simplified_text(text: str) -> str:
    """The text in Simplified script with every character where it was, so that quotes cut
    from the original text line up; a line whose conversion changes length stays as is."""
    converted = to_simplified(text)
    if len(converted) == len(text):
        return converted
    out = []
    for line in text.split("\n"):
        folded = to_simplified(line)
        out.append(folded if len(folded) == len(line) else line)
    return "\n".join(out)


def _dimension(unit: str | None) -> str | None:
    if not unit:
        return None
    try:
        return parse_unit(unit).dimension
    except UnitError:
        return None


def match_indicator(figure: Figure, names: Sequence[IndicatorName]) -> str | None:
    """The indicator whose name (or alias) the sentence writes nearest before the number,
    with a unit of the same dimension; for a growth rate any unit will do."""
    dimension = _dimension(figure.unit)
    rate = figure.unit is None or figure.basis in {"yoy", "cagr", "change"}
    best: tuple[int, int, str] | None = None
    phrase = figure.indicator_phrase
    for name in names:
        if not rate and dimension is not None and _dimension(name.unit) != dimension:
            continue
        where = figure.context.rfind(name.name)
        if where < 0 and name.name in phrase:
            where = len(figure.context)
        if where < 0:
            continue
        key = (where + len(name.name), len(name.name), name.code)
        if best is None or key[:2] > best[:2]:
            best = key
    return best[2] if best else None


def propose(
    text: str, context: DocumentContext, names: Sequence[IndicatorName] = ()
) -> list[Proposal]:
    simplified = simplified_text(text)
    proposals = []
    for figure in extract(simplified, context):
        quote = text[figure.quote_start : figure.quote_end]
        code = match_indicator(figure, names) if names else None
        confidence = figure.confidence if code else round(figure.confidence * 0.7, 2)
        proposals.append(
            Proposal(
                kind=figure.kind,
                indicator=code,
                indicator_phrase=figure.indicator_phrase,
                region=figure.region,
                period=figure.period,
                year=figure.year,
                start_year=figure.start_year,
                end_year=figure.end_year,
                basis=figure.basis,
                comparator=figure.comparator,
                value=figure.value,
                unit=figure.unit,
                yoy_growth=figure.yoy_growth,
                reported_completion_rate=figure.reported_completion_rate,
                baseline_year=figure.baseline_year,
                baseline_value=figure.baseline_value,
                quote=quote,
                note=figure.note,
                confidence=Decimal(str(confidence)),
            )
        )
    return proposals


def extract_document(
    session: Session, text: str, region: str, year: int | None, kind: str | None
) -> list[Proposal]:
    """The proposals for ``text``, its indicators named from the reference data."""
    if reference_queries.region(session, region) is None:
        raise ValidationFailed([FieldError("region", f"unknown region '{region}'")])
    return propose(text, DocumentContext(region=region, year=year, kind=kind), names_in(session))


def names_in(session: Session) -> list[IndicatorName]:
    """Every indicator's names and aliases, read from the reference data."""
    return indicator_names(reference_queries.indicators_by_code(session).values())


_FILE_OF_KIND = {"target": "targets.csv", "plan": "plans.csv", "observation": "observations.csv"}


def seed_rows(proposals: Sequence[Proposal]) -> dict[str, list[dict[str, str]]]:
    """The proposals as rows of the seed files (seeds/FORMAT.md), by file name, sorted as
    the seeds are; an unmatched indicator is left empty and its phrase put in the note."""
    files: dict[str, list[dict[str, str]]] = {name: [] for name in SEED_COLUMNS}
    for p in proposals:
        values = p.model_dump()
        note = p.note
        if p.indicator is None:
            note = f"indicator? {p.indicator_phrase}" + (f"; {note}" if note else "")
        row = {column: _cell(values.get(column)) for column in SEED_COLUMNS[_FILE_OF_KIND[p.kind]]}
        row["note"] = note
        files[_FILE_OF_KIND[p.kind]].append(row)
    for name, rows in files.items():
        order = (
            "period"
            if name == "observations.csv"
            else ("year" if name == "plans.csv" else "end_year")
        )
        rows.sort(key=lambda r: (r["indicator"], r["region"], r[order]))
    return files


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(tidy(value), "f")
    return str(value)
