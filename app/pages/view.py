"""How figures read on a page: thousands separators, units, and the progress in words.

Rounding here is for display only; statuses were decided on the exact values upstream.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from app.labels import Lang
from app.pages.i18n import basis_name, t
from app.schemas.goal import PlanRead, TargetRead

COMPARATOR_SIGNS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "~": "≈"}
GROWTH_BASES = ("yoy", "cagr", "change")
_QUANTA = {places: Decimal(1).scaleb(-places) for places in range(9)}


def number(value: Decimal | float | int | None, places: int = 4) -> str:
    """``2411`` -> ``2,411``; ``56.0698`` with 2 places -> ``56.07``; None -> ``–``."""
    if value is None:
        return "–"
    exact = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    rounded = exact.quantize(_QUANTA.get(places) or Decimal(1).scaleb(-places), ROUND_HALF_UP)
    text = f"{rounded:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def percent(value: Decimal | float | int | None) -> str:
    return "–" if value is None else f"{number(value, 2)} %"


def goal_unit(read: TargetRead | PlanRead) -> str:
    """The unit of the goal's value and actual: % for the growth bases."""
    return "%" if read.basis in GROWTH_BASES else read.unit


def quantity(value: Decimal | None, unit: str) -> str:
    if value is None:
        return "–"
    return f"{number(value)} {unit}".rstrip()


def goal_text(read: TargetRead | PlanRead) -> str:
    """``≥ 4,300 亿元``."""
    sign = COMPARATOR_SIGNS.get(read.comparator, read.comparator)
    return f"{sign} {quantity(read.value, goal_unit(read))}"


def bar_share(read: TargetRead | PlanRead) -> Decimal | None:
    """What the completion bar fills: the way from the baseline where there is one (the
    share judged against 序时进度), the completion rate otherwise."""
    p = read.progress
    return p.progress_from_baseline if p.progress_from_baseline is not None else p.completion_rate


def bar_width(share: Decimal | None) -> str:
    """CSS width of a completion bar, clamped to 0–100 %."""
    if share is None:
        return "0%"
    clamped = min(max(share, Decimal(0)), Decimal(100))
    return f"{number(clamped, 2)}%"


def progress_sentence(read: TargetRead | PlanRead, lang: Lang, time_proportional: bool) -> str:
    """``2,411 亿元 of ≥ 4,300 亿元: 56.07 %, 6.07 points ahead of 序时进度 50 %``."""
    p = read.progress
    if p.actual is None:
        return t(lang, "no_figure_yet")
    actual = quantity(p.actual, goal_unit(read))
    if p.status == "no_data":  # only the baseline is known
        return f"{t(lang, 'no_figure_yet')} · {t(lang, 'baseline')} {actual}"
    goal = goal_text(read)
    share = percent(p.completion_rate)
    if lang == "en":
        text = f"{actual} of {goal}: {share}"
        if p.progress_from_baseline is not None:
            text += f" ({percent(p.progress_from_baseline)} of the way from the baseline)"
    else:
        text = f"{actual}，目标 {goal}：完成 {share}"
        if p.progress_from_baseline is not None:
            text += f"（较基期完成目标增量的 {percent(p.progress_from_baseline)}）"
    variance = p.schedule_variance_pp
    if not time_proportional or variance is None or p.elapsed is None:
        return text
    elapsed = percent(p.elapsed)
    points = number(abs(variance), 2)
    if lang == "en":
        if variance > 0:
            return f"{text}, {points} points ahead of 序时进度 {elapsed}"
        if variance < 0:
            return f"{text}, {points} points behind 序时进度 {elapsed}"
        return f"{text}, level with 序时进度 {elapsed}"
    if variance > 0:
        return f"{text}，快于序时进度（{elapsed}）{points} 个百分点"
    if variance < 0:
        return f"{text}，慢于序时进度（{elapsed}）{points} 个百分点"
    return f"{text}，与序时进度（{elapsed}）持平"


def stated_goal(basis: str, comparator: str, value: Decimal, unit: str) -> str:
    """A goal as a document page lists it: ``≥ 4,300 亿元`` (growth bases in %)."""
    sign = COMPARATOR_SIGNS.get(comparator, comparator)
    return f"{sign} {quantity(value, '%' if basis in GROWTH_BASES else unit)}"


def figure_text(value: Decimal | None, unit: str | None, yoy: Decimal | None, lang: Lang) -> str:
    """An observation in a line: ``2,411 亿元，同比 17.3 %``."""
    parts = [] if value is None else [quantity(value, unit or "")]
    if yoy is not None:
        parts.append(f"{t(lang, 'yoy')} {percent(yoy)}")
    return ("，" if lang == "zh" else ", ").join(parts) or "–"


@dataclass(frozen=True)
class SourceLink:
    href: str
    document: str
    title: str | None  # None for a document the page does not know


@dataclass(frozen=True)
class ScorecardRow:
    """One goal of a region's scorecard with every text it shows worked out once, in
    Python: the template only places them. A call from a Jinja template costs several
    times a Python call, and a scorecard holds hundreds of goals."""

    kind: str
    status: str
    href: str
    name: str
    period_tag: str  # "目标 2023–2027"
    basis_tag: str | None
    stretch_tag: str | None
    goal_text: str
    bar_label: str
    fill_width: str
    tick_left: str | None  # the 序时进度 marker, for time-proportional goals
    tick_title: str
    sentence: str
    actual_period: str | None
    sources: tuple[SourceLink, ...]


def scorecard_row(
    kind: str,
    read: TargetRead | PlanRead,
    *,
    lang: Lang,
    href: str,
    name: str,
    time_proportional: bool,
    sources: tuple[SourceLink, ...],
) -> ScorecardRow:
    share = bar_share(read)
    p = read.progress
    marker = time_proportional and p.elapsed is not None
    completion = f"{t(lang, 'completion')} {percent(share)}"
    tick_title = f"{t(lang, 'elapsed_marker')} {percent(p.elapsed)}" if marker else ""
    years = f"{read.start_year}–{read.end_year}" if isinstance(read, TargetRead) else str(read.year)
    return ScorecardRow(
        kind=kind,
        status=p.status,
        href=href,
        name=name,
        period_tag=f"{t(lang, kind)} {years}",
        basis_tag=None if read.basis == "value" else basis_name(lang, read.basis),
        stretch_tag=t(lang, "stretch") if read.stretch else None,
        goal_text=goal_text(read),
        bar_label=f"{completion}, {tick_title}" if marker else completion,
        fill_width=bar_width(share),
        tick_left=bar_width(p.elapsed) if marker else None,
        tick_title=tick_title,
        sentence=progress_sentence(read, lang, time_proportional),
        actual_period=p.actual_period,
        sources=sources,
    )
