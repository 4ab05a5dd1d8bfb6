"""File-level checks of ``seeds/``: no database, only the CSV files and the source texts.

The loader (``app/seeding.py``) already validates every row through the API's schemas;
these tests check what it cannot see: that quotes really come from the cited document,
that spam from the scraped copy of document 003 never leaked in, that the files are
tidy (headers, order, no duplicates), and that the reference lists hang together.
"""

from __future__ import annotations

import csv
import itertools
import re
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

import pytest

from app.domain.periods import parse_period
from app.domain.units import UnitError, convert, parse_unit
from app.text import normalise_query, to_simplified, to_traditional

REPO = Path(__file__).parents[2]
SEEDS = REPO / "seeds"
FIGURES = SEEDS / "figures"
SOURCES = SEEDS / "sources"

KINDS = ("targets", "plans", "observations")

HEADERS = {
    "targets": [
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
    ],
    "plans": [
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
    ],
    "observations": [
        "indicator",
        "region",
        "period",
        "value",
        "unit",
        "yoy_growth",
        "reported_completion_rate",
        "quote",
        "note",
    ],
    "indicators": ["code", "name", "name_en", "unit", "measure", "category", "aliases"],
    "regions": ["code", "name", "name_en", "parent", "kind"],
}

CATEGORIES = {
    "economy",
    "industry",
    "science_technology",
    "consumption",
    "ecology",
    "reform",
    "opening_up",
    "urban_rural",
    "livelihood",
    "infrastructure",
}
BASES = {"value", "yoy", "cagr", "cumulative", "change"}
GROWTH_BASES = {"yoy", "cagr", "change"}
COMPARATORS = {">=", ">", "<=", "<", "~"}
STRETCH_WORDS = ("力争", "力爭", "争取", "爭取")

# Search-engine spam spliced into the scraped copy of document 003.
SPAM = ("中级经济师", "通过率", "重庆主要产业是什么", "国际经济三大支柱", "返回搜狐", "查看更多")
# A figure the source lost ("国际(地区)航线个全球主要城市"): nothing may record it.
MISSING_FIGURE = "国际(地区)航线个全球主要城市"
MISSING_FIGURE_MARKERS = (MISSING_FIGURE, "航线个", "全球主要城市", "国际(地区)航线")

# What each document must contribute (by the kind of document it is).
EXPECTED_KINDS = {
    "targets": {"002_26222ab83b5d729f", "003_43741abbd79f158f"},
    "plans": {"001_8bd53d08bbbd03ea", "002_26222ab83b5d729f", "004_6da318eeea9b20a6"},
    "observations": {
        "000_bbfb33ee8f0c57e9",
        "001_8bd53d08bbbd03ea",
        "002_26222ab83b5d729f",
        "004_6da318eeea9b20a6",
    },
}
TRADITIONAL_DOC = "004_6da318eeea9b20a6"


# --------------------------------------------------------------------------- helpers


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def read_header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


@cache
def documents() -> tuple[str, ...]:
    return tuple(row["code"] for row in read_rows(SEEDS / "documents.csv"))


@cache
def indicators() -> dict[str, dict[str, str]]:
    return {row["code"]: row for row in read_rows(SEEDS / "indicators.csv")}


@cache
def regions() -> dict[str, dict[str, str]]:
    return {row["code"]: row for row in read_rows(SEEDS / "regions.csv")}


def figure_files() -> list[tuple[str, str, Path]]:
    found = []
    for doc_dir in sorted(p for p in FIGURES.iterdir() if p.is_dir()):
        for kind in KINDS:
            path = doc_dir / f"{kind}.csv"
            if path.exists():
                found.append((doc_dir.name, kind, path))
    return found


@cache
def all_rows() -> tuple[tuple[str, str, int, dict[str, str]], ...]:
    """(document, kind, line number, row) for every figure row."""
    out = []
    for doc, kind, path in figure_files():
        for line, row in enumerate(read_rows(path), start=2):
            out.append((doc, kind, line, row))
    return tuple(out)


def rows_of(kind: str | None = None, doc: str | None = None):
    for d, k, line, row in all_rows():
        if (kind is None or k == kind) and (doc is None or d == doc):
            yield d, k, line, row


def where(doc: str, kind: str, line: int) -> str:
    return f"{doc}/{kind}.csv line {line}"


@cache
def source_text(doc: str) -> str:
    return (SOURCES / f"{doc}.txt").read_text(encoding="utf-8")


def decimal(text: str) -> Decimal | None:
    text = text.strip()
    if not text:
        return None
    return Decimal(text)


def is_english(text: str) -> bool:
    """Latin words; Chinese only as a gloss in brackets ("New … (专精特新) enterprises")."""
    bare = re.sub(r"\([^)]*\)", "", text)
    return bool(re.search(r"[A-Za-z]{2}", bare)) and not re.search(r"[\u3400-\u9fff]", bare)


def fail_if(problems: list[str], what: str) -> None:
    assert not problems, f"{len(problems)} {what}:\n" + "\n".join(problems)


# --------------------------------------------------------------------------- layout


def test_every_figures_folder_is_a_known_document() -> None:
    folders = {p.name for p in FIGURES.iterdir() if p.is_dir()}
    assert folders <= set(documents()), folders - set(documents())
    assert set(documents()) <= folders, set(documents()) - folders


@pytest.mark.parametrize(
    "path",
    [SEEDS / "indicators.csv", SEEDS / "regions.csv"] + [p for _, _, p in figure_files()],
    ids=lambda p: str(p.relative_to(SEEDS)),
)
def test_file_has_the_format_header_and_plain_encoding(path: Path) -> None:
    kind = path.stem
    assert read_header(path) == HEADERS[kind]
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), "no byte-order mark"
    assert b"\r" not in raw, "LF line endings only"
    assert raw.endswith(b"\n"), "the file ends with a newline"
    with path.open(encoding="utf-8", newline="") as handle:
        widths = {len(r) for r in csv.reader(handle)}
    assert widths == {len(HEADERS[kind])}, f"rows with the wrong number of fields: {widths}"


def _sort_key(kind: str, row: dict[str, str]) -> tuple:
    if kind == "targets":
        tail: tuple = (int(row["start_year"]), int(row["end_year"]))
    elif kind == "plans":
        tail = (int(row["year"]),)
    else:
        tail = parse_period(row["period"]).sort_key
    return (row["indicator"], row["region"], *tail)


@pytest.mark.parametrize(
    "doc,kind,path", figure_files(), ids=[f"{d}/{k}" for d, k, _ in figure_files()]
)
def test_figure_file_is_sorted_by_indicator_region_then_period(
    doc: str, kind: str, path: Path
) -> None:
    rows = read_rows(path)
    problems = []
    for line, (before, after) in enumerate(itertools.pairwise(rows), start=3):
        first, second = _sort_key(kind, before), _sort_key(kind, after)
        if first > second:
            problems.append(f"{where(doc, kind, line)}: {second} after {first}")
    fail_if(problems, "rows out of order")


def test_reference_files_are_sorted_by_code() -> None:
    for name in ("indicators", "regions"):
        codes = [r["code"] for r in read_rows(SEEDS / f"{name}.csv")]
        assert codes == sorted(codes), f"{name}.csv is not sorted by code"
        assert len(codes) == len(set(codes)), f"{name}.csv repeats a code"


# --------------------------------------------------------------------------- quotes


def test_every_document_travels_with_the_project() -> None:
    # DESIGN v1.1: the texts are in the repository, so a fresh clone checks every quote.
    from app.settings import Settings

    assert Settings().sources_dir.resolve() == SOURCES.resolve()
    missing = [doc for doc in documents() if not (SOURCES / f"{doc}.txt").is_file()]
    assert not missing, f"no text in seeds/sources/ for {missing}"
    for doc in documents():
        raw = (SOURCES / f"{doc}.txt").read_bytes()
        assert len(raw) > 10_000, f"{doc}.txt is {len(raw)} bytes: not the whole document"
        raw.decode("utf-8")


def test_every_quote_is_an_exact_substring_of_its_document() -> None:
    problems = []
    for doc, kind, line, row in all_rows():
        quote = row["quote"]
        if not quote.strip():
            problems.append(f"{where(doc, kind, line)}: empty quote")
        elif quote not in source_text(doc):
            problems.append(f"{where(doc, kind, line)}: not in {doc}.txt: {quote!r}")
    fail_if(problems, "bad quotes")


def test_no_spam_or_missing_figure_in_quotes_notes_or_names() -> None:
    problems = []
    texts = [(where(d, k, n), f, row[f]) for d, k, n, row in all_rows() for f in ("quote", "note")]
    texts += [
        (f"indicators.csv {code}", field, ind[field])
        for code, ind in indicators().items()
        for field in ("name", "name_en", "aliases")
    ]
    texts += [(f"regions.csv {code}", "name", reg["name"]) for code, reg in regions().items()]
    for place, field, text in texts:
        for phrase in SPAM:
            if phrase in text:
                problems.append(f"{place}: {field} contains spam {phrase!r}: {text!r}")
        for marker in MISSING_FIGURE_MARKERS:
            if marker in text:
                problems.append(f"{place}: {field} records the missing figure: {text!r}")
    fail_if(problems, "spam or missing-figure leaks")


def test_no_row_records_the_missing_international_routes_figure() -> None:
    # The only route figure in 003 is the lost "国际(地区)航线个"; nothing may stand in for it.
    problems = [
        where(d, k, n)
        for d, k, n, row in rows_of(doc="003_43741abbd79f158f")
        if "航线" in row["quote"] or "航线" in row["indicator"] or "route" in row["indicator"]
    ]
    fail_if(problems, "rows that guess the missing route figure")


# --------------------------------------------------------------------------- reference data


def test_indicators_are_complete_and_valid() -> None:
    problems = []
    for code, ind in indicators().items():
        if not code or code != code.strip() or not code.replace("_", "").isalnum():
            problems.append(f"{code!r}: code must be a non-empty snake_case word")
        if not code.isascii() or code != code.lower():
            problems.append(f"{code!r}: code must be lower-case ASCII")
        name = ind["name"].strip()
        if not name:
            problems.append(f"{code}: empty name")
        elif to_simplified(name) != name:
            problems.append(f"{code}: name is not Simplified: {name!r} → {to_simplified(name)!r}")
        name_en = ind["name_en"].strip()
        if not is_english(name_en):
            problems.append(f"{code}: English name missing or not English: {name_en!r}")
        try:
            parse_unit(ind["unit"])
        except UnitError as exc:
            problems.append(f"{code}: unit {ind['unit']!r}: {exc}")
        if ind["measure"] not in ("flow", "level"):
            problems.append(f"{code}: measure {ind['measure']!r} is not flow/level")
        if ind["category"] not in CATEGORIES:
            problems.append(f"{code}: category {ind['category']!r} is not one of the ten")
        if "?" in name or "\ufffd" in name:
            problems.append(f"{code}: name carries a garbled character: {name!r}")
    fail_if(problems, "indicator problems")


# Indicators no source figure supports, kept on purpose (reported, not deleted): none of
# the five documents states a CPI figure, and urban income appears only as a gap to rural
# income ("农村居民人均可支配收入增速比城镇居民快2.1个百分点" in 004), which has no column.
# cpi and urban_disposable_income: no document states them; the other two were 001's
# forecasts (预计今年新增77所, 预计全年…减税129亿元), which are not goals (seeds/README.md).
KNOWN_UNUSED = {
    "cpi",
    "urban_disposable_income",
    "public_kindergartens_new",
    "small_taxpayer_vat_cut",
}


def test_every_indicator_is_used_by_a_row() -> None:
    used = {row["indicator"] for *_, row in all_rows()}
    unused = set(indicators()) - used
    new = sorted(unused - KNOWN_UNUSED)
    assert not new, f"{len(new)} indicators no row uses: {new}"
    now_used = sorted(KNOWN_UNUSED - unused)
    assert not now_used, f"drop these from KNOWN_UNUSED, rows use them now: {now_used}"


def test_regions_have_known_parents_and_names() -> None:
    problems = []
    for code, reg in regions().items():
        if reg["parent"] and reg["parent"] not in regions():
            problems.append(f"{code}: unknown parent {reg['parent']!r}")
        if reg["parent"] == code:
            problems.append(f"{code}: is its own parent")
        if not reg["name"].strip() or to_simplified(reg["name"]) != reg["name"]:
            problems.append(f"{code}: name missing or not Simplified: {reg['name']!r}")
        if not is_english(reg["name_en"]):
            problems.append(f"{code}: English name missing: {reg['name_en']!r}")
    roots = [code for code, reg in regions().items() if not reg["parent"]]
    assert roots == ["500000"], f"expected one root region 500000, got {roots}"
    fail_if(problems, "region problems")


def aliases_of(code: str) -> list[str]:
    return [a for a in indicators()[code]["aliases"].split("|") if a]


def test_aliases_are_simplified_distinct_phrases() -> None:
    problems = []
    for code, ind in indicators().items():
        aliases = aliases_of(code)
        if "||" in ind["aliases"] or ind["aliases"] != ind["aliases"].strip("| "):
            problems.append(f"{code}: empty alias in {ind['aliases']!r}")
        if len(aliases) != len(set(aliases)):
            problems.append(f"{code}: repeated alias in {ind['aliases']!r}")
        for alias in aliases:
            if normalise_query(alias) != alias:
                problems.append(f"{code}: alias {alias!r} is not Simplified, folded text")
            if alias == ind["name"]:
                problems.append(f"{code}: alias {alias!r} repeats the name")
    fail_if(problems, "alias problems")


def own_phrase(row: dict[str, str]) -> str | None:
    """The name or alias of the row's indicator its quote uses (the longest, when several),
    after the folding a search applies (Traditional to Simplified, full-width to ASCII)."""
    quote = normalise_query(row["quote"])
    ind = indicators().get(row["indicator"])
    if ind is None:
        return None
    found = [p for p in (ind["name"], *aliases_of(row["indicator"])) if p in quote]
    return max(found, key=len) if found else None


def test_every_quote_names_its_indicator_by_its_name_or_an_alias() -> None:
    # DESIGN v1.1: the phrase a sentence uses for a figure is the indicator's name or one of
    # its aliases, so searching the document's own words finds the figure.
    problems = [
        f"{where(doc, kind, line)}: {row['indicator']} ({indicators()[row['indicator']]['name']})"
        f" is named neither by name nor by alias in {row['quote']!r}"
        for doc, kind, line, row in all_rows()
        if row["indicator"] in indicators() and own_phrase(row) is None
    ]
    fail_if(problems, "quotes that do not name their indicator")


# --------------------------------------------------------------------------- rows


def test_every_row_refers_to_a_known_indicator_and_region() -> None:
    problems = []
    for doc, kind, line, row in all_rows():
        if row["indicator"] not in indicators():
            problems.append(f"{where(doc, kind, line)}: unknown indicator {row['indicator']!r}")
        if row["region"] not in regions():
            problems.append(f"{where(doc, kind, line)}: unknown region {row['region']!r}")
    fail_if(problems, "dangling references")


def test_goal_rows_use_allowed_bases_comparators_and_units() -> None:
    problems = []
    for kind in ("targets", "plans"):
        for doc, _, line, row in rows_of(kind):
            at = where(doc, kind, line)
            if row["basis"] not in BASES:
                problems.append(f"{at}: basis {row['basis']!r} not in {sorted(BASES)}")
            if row["comparator"] not in COMPARATORS:
                problems.append(f"{at}: comparator {row['comparator']!r} not allowed")
            try:
                decimal(row["value"])
            except InvalidOperation:
                problems.append(f"{at}: value {row['value']!r} is not a number")
            if not row["value"].strip():
                problems.append(f"{at}: a goal needs a value")
            if row["basis"] in GROWTH_BASES:
                if row["unit"] != "%":
                    problems.append(
                        f"{at}: a {row['basis']} row's unit must be %, not {row['unit']!r}"
                    )
            else:
                ind = indicators().get(row["indicator"])
                if ind is not None:
                    try:
                        convert(Decimal(1), row["unit"], ind["unit"])
                    except UnitError as exc:
                        problems.append(f"{at}: {exc}")
            if bool(row["baseline_year"].strip()) != bool(row["baseline_value"].strip()):
                problems.append(f"{at}: baseline_year and baseline_value go together")
            if row["stretch"] not in ("", "true"):
                problems.append(f"{at}: stretch must be empty or 'true', not {row['stretch']!r}")
            if kind == "targets" and int(row["end_year"]) < int(row["start_year"]):
                problems.append(f"{at}: end_year before start_year")
    fail_if(problems, "goal rows with bad fields")


def test_observation_rows_have_a_figure_in_the_indicator_dimension() -> None:
    problems = []
    for doc, kind, line, row in rows_of("observations"):
        at = where(doc, kind, line)
        try:
            parse_period(row["period"])
        except ValueError as exc:
            problems.append(f"{at}: period {row['period']!r}: {exc}")
        try:
            value, growth = decimal(row["value"]), decimal(row["yoy_growth"])
            decimal(row["reported_completion_rate"])
        except InvalidOperation:
            problems.append(f"{at}: value, yoy_growth or completion rate is not a number")
            continue
        if value is None and growth is None:
            problems.append(f"{at}: neither a value nor a yoy_growth")
        if (value is None) != (not row["unit"].strip()):
            problems.append(f"{at}: value and unit go together")
        ind = indicators().get(row["indicator"])
        if value is not None and ind is not None:
            try:
                convert(Decimal(1), row["unit"], ind["unit"])
            except UnitError as exc:
                problems.append(f"{at}: {exc}")
    fail_if(problems, "observation rows with bad fields")


def test_stretch_rows_are_goals_worded_as_stretch() -> None:
    problems = []
    firm: set[tuple[str, str, str, str, str, str]] = set()
    for doc, kind, _, row in all_rows():
        if kind != "observations" and row["stretch"] != "true":
            span = row.get("year") or f"{row.get('start_year')}-{row.get('end_year')}"
            firm.add((doc, kind, row["indicator"], row["region"], span, row["basis"]))
    for doc, kind, line, row in all_rows():
        if row.get("stretch", "") != "true":
            continue
        if kind not in ("targets", "plans"):
            problems.append(f"{where(doc, kind, line)}: only targets and plans can be stretch")
            continue
        text = row["quote"] + row["note"]
        if not any(word in text for word in STRETCH_WORDS):
            problems.append(
                f"{where(doc, kind, line)}: stretch row whose quote/note says no 力争/争取"
            )
        # FORMAT.md: a stretch value sits beside a firmer one, and both are rows.
        span = row.get("year") or f"{row.get('start_year')}-{row.get('end_year')}"
        if (doc, kind, row["indicator"], row["region"], span, row["basis"]) not in firm:
            problems.append(f"{where(doc, kind, line)}: stretch row with no firmer row beside it")
    fail_if(problems, "misplaced stretch flags")


def _observation_figure(row: dict[str, str]) -> tuple:
    value = decimal(row["value"])
    ind = indicators().get(row["indicator"])
    if value is not None and ind is not None:
        value = convert(value, row["unit"], ind["unit"])
    return (value, decimal(row["yoy_growth"]), decimal(row["reported_completion_rate"]))


def test_no_observation_key_has_two_values_within_a_document() -> None:
    # The loader keeps one observation per (document, indicator, region, period), so a
    # repeated key would silently overwrite the earlier row even when the values agree.
    seen: dict[tuple[str, str, str, str], list[tuple[int, tuple]]] = defaultdict(list)
    for doc, _, line, row in rows_of("observations"):
        key = (doc, row["indicator"], row["region"], row["period"])
        seen[key].append((line, _observation_figure(row)))
    problems = [
        f"{doc}/observations.csv {ind} {reg} {period}: lines {[n for n, _ in hits]} "
        + ("give different values " if len({fig for _, fig in hits}) > 1 else "repeat ")
        + str([fig for _, fig in hits])
        for (doc, ind, reg, period), hits in seen.items()
        if len(hits) > 1
    ]
    fail_if(problems, "repeated or conflicting observations")


GOAL_KEY = (
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


def test_no_two_goal_rows_are_identical() -> None:
    seen: dict[tuple, int] = {}
    problems = []
    for doc, kind, line, row in all_rows():
        if kind == "observations":
            continue
        key = (doc, kind, *(row.get(k, "") for k in GOAL_KEY))
        if key in seen:
            problems.append(f"{where(doc, kind, line)} repeats line {seen[key]}")
        seen.setdefault(key, line)
    fail_if(problems, "repeated goal rows")


@pytest.mark.parametrize("kind", KINDS)
def test_each_document_contributes_the_rows_its_kind_implies(kind: str) -> None:
    counts = defaultdict(int)
    for doc, _, _, _ in rows_of(kind):
        counts[doc] += 1
    missing = sorted(doc for doc in EXPECTED_KINDS[kind] if counts[doc] == 0)
    assert not missing, f"no {kind} rows from {missing}"


# --------------------------------------------------------------------------- scripts


def test_document_004_rows_use_simplified_names_searchable_in_both_scripts() -> None:
    problems = []
    used = sorted({row["indicator"] for *_, row in rows_of(doc=TRADITIONAL_DOC)})
    assert used, "document 004 has no rows"
    for code in used:
        name = indicators()[code]["name"]
        if to_simplified(name) != name:
            problems.append(f"{code}: {name!r} is not Simplified")
        # A reader typing the name as printed in 004 (Traditional) finds it after folding.
        if normalise_query(to_traditional(name)) != name:
            problems.append(f"{code}: {name!r} does not survive a Traditional round trip")
    fail_if(problems, "document 004 indicators not searchable in both scripts")


# --------------------------------------------------------------------------- README


def test_readme_row_counts_match_the_files() -> None:
    readme = (SEEDS / "README.md").read_text(encoding="utf-8")
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(KINDS, 0))
    for doc, kind, _, _ in all_rows():
        counts[doc][kind] += 1
    problems = []
    for doc in documents():
        match = re.search(rf"^\| `{doc}` \|[^|]*\| *(\d+) *\| *(\d+) *\| *(\d+) *\|$", readme, re.M)
        if match is None:
            problems.append(f"README.md has no row-count line for {doc}")
            continue
        stated = dict(zip(KINDS, map(int, match.groups()), strict=True))
        if stated != counts[doc]:
            problems.append(f"README.md says {stated} for {doc}, the files hold {counts[doc]}")
    fail_if(problems, "stale README counts")
