"""Deterministic synthetic data for the benchmarks: the same ``Spec`` always yields the same rows.

At ``scale`` 1.0: 3,000 regions (province → prefecture → county), 100 indicators (50 flows,
50 levels, every basis among their targets), 300,000 targets and 300,000 plans (one of
each per region and indicator) and about 6 million observations: 90 % of the
(indicator, region) pairs report 20 periods (Q1, Q2, Q3 and the full year for 2021–2025),
11 % of the figures have a second revision and 1 % a third.

``scale`` multiplies the number of regions, so a region's scorecard always holds about 100
targets; ``history_factor`` multiplies the years of history (the scorecard's growth axis)
and ``region_factor`` the regions again (the summary's growth axis).

Rows come out as lines in Postgres' COPY text format, streamed, never held in memory.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

INDICATORS = 100
GOALS_PER_PAIR = 1  # one target and one plan per (indicator, region)
COVERAGE = 0.9  # share of pairs that report at all (the rest read as no_data)
SECOND_REVISION = 0.10
THIRD_REVISION = 0.01
LAST_YEAR = 2025
BASE_YEARS = 5
TARGET_SPAN = (2023, 2027)
PLAN_YEARS = (2021, 2025)
INGEST_PERIODS = ("2026-Q1", "2026-Q2")
DOCUMENT = "bench_synthetic"
CREATED = "2023-01-01 00:00:00+00"

FLOW_UNITS = ("亿元", "万人", "万吨", "万标箱", "亿千瓦时")
LEVEL_UNITS = ("家", "%", "公里", "万户", "个")
# Counts of things: whole numbers (the API refuses 12.34 家).
WHOLE_UNITS = ("家", "个")
FLOW_BASES = ("value", "yoy", "cagr", "cumulative", "change")
LEVEL_BASES = ("value", "yoy", "cagr", "change")
COMPARATORS = (">=", ">=", ">=", ">", "<=", "~")
# Year-to-date shares of the annual total at the end of Q1, H1 (Q2) and Q3.
YTD_SHARE = {3: 0.23, 6: 0.48, 9: 0.73, 12: 1.0}

OBSERVATION_COLUMNS = (
    "id",
    "indicator_code",
    "region_code",
    "period",
    "period_year",
    "period_end_month",
    "revision",
    "value",
    "unit",
    "stated_value",
    "stated_unit",
    "yoy_growth",
    "reported_completion_rate",
    "document_code",
    "quote",
    "note",
    "recorded_at",
    "recorded_by",
    "state",
    "published_at",
)
GOAL_COLUMNS = (
    "id",
    "indicator_code",
    "region_code",
    "basis",
    "comparator",
    "value",
    "unit",
    "baseline_year",
    "baseline_value",
    "baseline_unit",
    "stretch",
    "document_code",
    "quote",
    "note",
    "seed_key",
    "version",
    "created_at",
    "updated_at",
    "retired_at",
    "retired_reason",
)
TARGET_COLUMNS = (*GOAL_COLUMNS, "start_year", "end_year")
PLAN_COLUMNS = (*GOAL_COLUMNS, "year")
REGION_COLUMNS = ("code", "name", "name_en", "kind", "parent_code")
INDICATOR_COLUMNS = ("code", "name", "name_en", "unit", "measure", "category")
DOCUMENT_COLUMNS = (
    "code",
    "title",
    "title_en",
    "issuer",
    "published_on",
    "date_note",
    "kind",
    "script",
)
NULL = "\\N"


@dataclass(frozen=True)
class Spec:
    scale: float = 1.0
    history_factor: int = 1
    region_factor: int = 1
    seed: int = 20_231_231

    @property
    def regions(self) -> int:
        return max(3, round(3000 * self.scale * self.region_factor))

    @property
    def years(self) -> int:
        return BASE_YEARS * self.history_factor

    @property
    def first_year(self) -> int:
        return LAST_YEAR - self.years + 1

    @property
    def pairs(self) -> int:
        return self.regions * INDICATORS

    @property
    def expected_observations(self) -> int:
        per_key = 1 + SECOND_REVISION + THIRD_REVISION
        return round(self.pairs * COVERAGE * self.years * 4 * per_key)

    @property
    def ingest_rows(self) -> int:
        return self.pairs * len(INGEST_PERIODS)

    def describe(self) -> dict[str, object]:
        return {
            "scale": self.scale,
            "history_factor": self.history_factor,
            "region_factor": self.region_factor,
            "seed": self.seed,
            "regions": self.regions,
            "indicators": INDICATORS,
            "years": f"{self.first_year}-{LAST_YEAR}",
            "targets": self.pairs,
            "plans": self.pairs,
            "observations_expected": self.expected_observations,
        }


@dataclass(frozen=True)
class Region:
    index: int
    code: str
    kind: str
    parent: str | None


@dataclass(frozen=True)
class IndicatorDef:
    index: int
    code: str
    unit: str
    measure: str


def _line(values: tuple[object, ...]) -> str:
    return "\t".join(NULL if v is None else str(v) for v in values) + "\n"


def regions(spec: Spec) -> list[Region]:
    """Provinces (1 %), prefectures (10 %), counties (the rest), each under the level above."""
    total = spec.regions
    n_prov = max(1, round(total / 100))
    n_pref = max(1, round(total / 10))
    n_county = max(1, total - n_prov - n_pref)
    out: list[Region] = []
    for i in range(n_prov):
        out.append(Region(len(out), f"bp{i:05d}", "province", None))
    for i in range(n_pref):
        out.append(Region(len(out), f"bf{i:05d}", "prefecture", f"bp{i % n_prov:05d}"))
    for i in range(n_county):
        out.append(Region(len(out), f"bc{i:06d}", "county", f"bf{i % n_pref:05d}"))
    return out


def indicators() -> list[IndicatorDef]:
    out = []
    for i in range(INDICATORS):
        measure = "flow" if i % 2 == 0 else "level"
        units = FLOW_UNITS if measure == "flow" else LEVEL_UNITS
        out.append(
            IndicatorDef(i, f"bench_{measure}_{i:03d}", units[(i // 2) % len(units)], measure)
        )
    return out


def county_codes(spec: Spec, count: int) -> list[str]:
    """Regions to benchmark the scorecard on: counties spread over the whole table."""
    counties = [r.code for r in regions(spec) if r.kind == "county"]
    step = max(1, len(counties) // count)
    return counties[::step][:count]


@dataclass(frozen=True)
class Series:
    """The shape of one (indicator, region) series: its level, trend and whether it reports."""

    base: float
    growth: float
    reports: bool
    seed: int


def series_params(spec: Spec, region: int, indicator: IndicatorDef) -> Series:
    rng = random.Random(spec.seed * 1_000_003 + region * 131 + indicator.index)
    base = rng.uniform(20, 70) if indicator.unit == "%" else rng.uniform(50, 5000)
    growth = rng.uniform(-0.03, 0.12)
    reports = rng.random() < COVERAGE
    return Series(base, growth, reports, rng.getrandbits(48))


def _level_at(series: Series, unit: str, years_from_start: float) -> float:
    value = series.base * (1 + series.growth) ** years_from_start
    return min(value, 99.0) if unit == "%" else value


def _periods(spec: Spec) -> list[tuple[str, int, int, datetime]]:
    out = []
    for year in range(spec.first_year, LAST_YEAR + 1):
        for end_month, label in ((3, f"{year}-Q1"), (6, f"{year}-Q2"), (9, f"{year}-Q3")):
            out.append((label, year, end_month, _published(year, end_month)))
        out.append((str(year), year, 12, _published(year, 12)))
    return out


def _published(year: int, end_month: int) -> datetime:
    first_of_next = datetime(year + end_month // 12, end_month % 12 + 1, 1, tzinfo=UTC)
    return first_of_next + timedelta(days=19)


def _ts(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S+00")


def reference_lines(spec: Spec) -> dict[str, Iterator[str]]:
    doc = (
        DOCUMENT,
        "基准测试合成数据",
        "Synthetic benchmark data",
        "bench",
        "2023-01-01",
        None,
        "synthetic",
        "simplified",
    )
    names = {"province": "省", "prefecture": "市", "county": "县"}
    return {
        "document": iter([_line(doc)]),
        "region": (
            _line(
                (
                    r.code,
                    f"合成{names[r.kind]}{r.index}",
                    f"Bench {r.kind} {r.index}",
                    r.kind,
                    r.parent,
                )
            )
            for r in regions(spec)
        ),
        "indicator": (
            _line(
                (
                    ind.code,
                    f"合成指标{ind.index:03d}",
                    f"Bench indicator {ind.index:03d}",
                    ind.unit,
                    ind.measure,
                    "bench",
                )
            )
            for ind in indicators()
        ),
    }


def target_lines(spec: Spec) -> Iterator[str]:
    """One target per (region, indicator), ids 1..n in region-major order."""
    inds = indicators()
    start, end = TARGET_SPAN
    goal_id = 0
    for region in regions(spec):
        for ind in inds:
            goal_id += 1
            s = series_params(spec, region.index, ind)
            rng = random.Random(s.seed ^ 0x7A)
            bases = FLOW_BASES if ind.measure == "flow" else LEVEL_BASES
            basis = bases[(region.index + ind.index) % len(bases)]
            comparator = COMPARATORS[rng.randrange(len(COMPARATORS))]
            baseline_year = baseline_value = baseline_unit = None
            ambition = rng.uniform(0.9, 1.4)
            level_2027 = _level_at(s, ind.unit, 2027 - spec.first_year + 1)
            if basis == "value":
                unit = ind.unit
                value = level_2027 * ambition
                if ind.unit == "%":
                    value = min(value, 99.5)
                if ind.measure == "level" and rng.random() < 0.5:
                    baseline_year = start - 1
                    baseline_value = f"{_level_at(s, ind.unit, start - spec.first_year):.2f}"
                    baseline_unit = ind.unit
            elif basis == "cumulative":
                unit = ind.unit
                value = level_2027 * 5 * ambition
            elif basis == "change":
                unit = "%"
                value = rng.choice((-15.0, -5.0, 10.0, 20.0, 30.0))
                if value < 0 and comparator in (">=", ">"):
                    comparator = "<="
            else:  # yoy, cagr
                unit = "%"
                value = rng.uniform(3, 12)
            yield _line(
                (
                    goal_id,
                    ind.code,
                    region.code,
                    basis,
                    comparator,
                    f"{value:.2f}",
                    unit,
                    baseline_year,
                    baseline_value,
                    baseline_unit,
                    "f",
                    DOCUMENT,
                    f"合成目标{goal_id}",
                    None,
                    None,
                    1,
                    CREATED,
                    CREATED,
                    None,
                    None,
                    start,
                    end,
                )
            )


def plan_lines(spec: Spec) -> Iterator[str]:
    """One annual plan per (region, indicator), the year cycling over 2021–2025."""
    inds = indicators()
    first, last = PLAN_YEARS
    goal_id = 0
    for region in regions(spec):
        for ind in inds:
            goal_id += 1
            s = series_params(spec, region.index, ind)
            rng = random.Random(s.seed ^ 0x51)
            year = first + (region.index + ind.index) % (last - first + 1)
            if rng.random() < 0.8:
                basis, unit = "value", ind.unit
                value = _level_at(s, ind.unit, year - spec.first_year + 1) * rng.uniform(0.85, 1.2)
                if ind.unit == "%":
                    value = min(value, 99.5)
            else:
                basis, unit = "yoy", "%"
                value = rng.uniform(3, 12)
            comparator = ">=" if rng.random() < 0.85 else "<="
            yield _line(
                (
                    goal_id,
                    ind.code,
                    region.code,
                    basis,
                    comparator,
                    f"{value:.2f}",
                    unit,
                    None,
                    None,
                    None,
                    "f",
                    DOCUMENT,
                    f"合成计划{goal_id}",
                    None,
                    None,
                    1,
                    CREATED,
                    CREATED,
                    None,
                    None,
                    year,
                )
            )


def observation_lines(spec: Spec) -> Iterator[str]:
    """Every revision of every figure, ids 1..n, pairs in region-major order."""
    periods = _periods(spec)
    inds = indicators()
    first_year = spec.first_year
    obs_id = 0
    revision_stamps = {
        p[0]: [_ts(p[3]), _ts(p[3] + timedelta(days=30)), _ts(p[3] + timedelta(days=60))]
        for p in periods
    }
    for region in regions(spec):
        rcode = region.code
        for ind in inds:
            s = series_params(spec, region.index, ind)
            if not s.reports:
                continue
            rng = random.Random(s.seed)
            flow = ind.measure == "flow"
            unit = ind.unit
            code = ind.code
            growth_pct = s.growth * 100
            for label, year, end_month, _published_at in periods:
                t = year - first_year + end_month / 12
                noise = 1 + rng.uniform(-0.02, 0.02)
                if flow:
                    annual = s.base * (1 + s.growth) ** (year - first_year)
                    value = annual * YTD_SHARE[end_month] * noise
                else:
                    value = _level_at(s, unit, t) * noise
                yoy = f"{growth_pct + rng.uniform(-1.5, 1.5):.2f}"
                u = rng.random()
                revisions = 1 + (u < SECOND_REVISION) + (u < THIRD_REVISION)
                stamps = revision_stamps[label]
                for rev in range(1, revisions + 1):
                    obs_id += 1
                    v = f"{value * (1 + 0.01 * (rev - 1)):.2f}"
                    yield (
                        f"{obs_id}\t{code}\t{rcode}\t{label}\t{year}\t{end_month}\t{rev}\t"
                        f"{v}\t{unit}\t{v}\t{unit}\t{yoy}\t\\N\t\\N\t\\N\t\\N\t"
                        f"{stamps[rev - 1]}\tbench-generator\tpublished\t{stamps[rev - 1]}\n"
                    )


def ingest_rows(spec: Spec) -> list[dict[str, object]]:
    """The rows the ingest benchmark posts: two new quarters for every pair, in upload order.

    Ordered by period, then region, then indicator: a 10,000-row batch is one quarter's
    figures for 100 regions, as an analyst's spreadsheet would be.
    """
    inds = indicators()
    out: list[dict[str, object]] = []
    for period in INGEST_PERIODS:
        year = int(period[:4])
        end_month = int(period[-1]) * 3
        for region in regions(spec):
            for ind in inds:
                s = series_params(spec, region.index, ind)
                if ind.measure == "flow":
                    value = (
                        s.base * (1 + s.growth) ** (year - spec.first_year) * YTD_SHARE[end_month]
                    )
                else:
                    value = _level_at(s, ind.unit, year - spec.first_year + end_month / 12)
                out.append(
                    {
                        "indicator": ind.code,
                        "region": region.code,
                        "period": period,
                        "value": round(value) if ind.unit in WHOLE_UNITS else round(value, 2),
                        "unit": ind.unit,
                        "yoy_growth": round(s.growth * 100, 2),
                    }
                )
    return out


def ingest_copy_lines(rows: list[dict[str, object]], recorded_at: datetime) -> Iterator[str]:
    """The same rows as the API stores them (revision 1), for ``psql \\copy``; no id column."""
    stamp = _ts(recorded_at)
    for row in rows:
        period = str(row["period"])
        year = int(period[:4])
        end_month = int(period[-1]) * 3
        v = f"{row['value']:.2f}"
        yield (
            f"{row['indicator']}\t{row['region']}\t{period}\t{year}\t{end_month}\t1\t"
            f"{v}\t{row['unit']}\t{v}\t{row['unit']}\t{row['yoy_growth']:.2f}\t\\N\t\\N\t\\N\t\\N\t"
            f"{stamp}\tbench-copy\tpublished\t{stamp}\n"
        )
