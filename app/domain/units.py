"""Units: Chinese magnitudes (千, 万, 亿, 万亿 …) combined with base units of one dimension.

A unit is parsed into its dimension and its factor relative to the dimension's base, so
``1.27万家`` is 12,700 家 and ``4万亿元`` is 40,000 亿元. ``%`` and ``‰`` are distinct
units of distinct dimensions, and so are compound units such as ``吨/万元``, which are
compared as written.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext
from functools import lru_cache

MAGNITUDES: dict[str, int] = {
    "十": 10,
    "百": 100,
    "千": 1_000,
    "万": 10_000,
    "十万": 100_000,
    "百万": 1_000_000,
    "千万": 10_000_000,
    "亿": 100_000_000,
    "十亿": 1_000_000_000,
    "百亿": 10_000_000_000,
    "千亿": 100_000_000_000,
    "万亿": 1_000_000_000_000,
}

# base unit -> (dimension, factor against the dimension's base)
BASE_UNITS: dict[str, tuple[str, Decimal]] = {
    "元": ("currency_cny", Decimal(1)),
    "美元": ("currency_usd", Decimal(1)),
    "人": ("people", Decimal(1)),
    "名": ("people", Decimal(1)),
    "人次": ("person_times", Decimal(1)),
    "户": ("households", Decimal(1)),
    "家": ("organisations", Decimal(1)),
    "个": ("items", Decimal(1)),
    "项": ("projects", Decimal(1)),
    "件": ("pieces", Decimal(1)),
    "所": ("institutions", Decimal(1)),
    "座": ("structures", Decimal(1)),
    "条": ("lines", Decimal(1)),
    "张": ("sheets", Decimal(1)),
    "辆": ("vehicles", Decimal(1)),
    "套": ("sets", Decimal(1)),
    "台": ("machines", Decimal(1)),
    "艘": ("vessels", Decimal(1)),
    "架次": ("flights", Decimal(1)),
    "次": ("times", Decimal(1)),
    "列": ("trains", Decimal(1)),
    "起": ("incidents", Decimal(1)),
    "件次": ("case_times", Decimal(1)),
    "家次": ("organisation_times", Decimal(1)),
    "种": ("kinds", Decimal(1)),
    "头": ("livestock_head", Decimal(1)),
    "只": ("animals", Decimal(1)),
    "块": ("plots", Decimal(1)),
    "处": ("sites", Decimal(1)),
    "间": ("rooms", Decimal(1)),
    "位": ("rank", Decimal(1)),
    "类": ("class", Decimal(1)),
    "倍": ("multiple", Decimal(1)),
    "对": ("pairs", Decimal(1)),
    "场": ("events", Decimal(1)),
    "P": ("petaflops", Decimal(1)),
    "班列": ("trains", Decimal(1)),
    "米": ("length", Decimal(1)),
    "千米": ("length", Decimal(1000)),
    "公里": ("length", Decimal(1000)),
    "平方米": ("area", Decimal(1)),
    "公顷": ("area", Decimal(10_000)),
    "平方公里": ("area", Decimal(1_000_000)),
    "亩": ("mu", Decimal(1)),
    "吨": ("mass", Decimal(1)),
    "吨标准煤": ("coal_equivalent", Decimal(1)),
    "立方米": ("volume", Decimal(1)),
    "方": ("volume", Decimal(1)),
    "瓦": ("power", Decimal(1)),
    "千瓦": ("power", Decimal(1000)),
    "千瓦时": ("energy", Decimal(1)),
    "度": ("energy", Decimal(1)),
    "标箱": ("teu", Decimal(1)),
    "天": ("duration", Decimal(24)),
    "小时": ("duration", Decimal(1)),
    "岁": ("age", Decimal(1)),
    "年": ("years", Decimal(1)),
    "%": ("percent", Decimal(1)),
    "‰": ("permille", Decimal(1)),
    "个百分点": ("percentage_points", Decimal(1)),
}

_BASES_LONGEST_FIRST = sorted(BASE_UNITS, key=len, reverse=True)
_ASCII_ALIASES = {"pct": "%", "percent": "%", "permille": "‰", "pp": "个百分点"}


class UnitError(ValueError):
    """A unit that is unknown, or that cannot be converted into another."""


@dataclass(frozen=True)
class Unit:
    symbol: str
    dimension: str
    factor: Decimal


@lru_cache(maxsize=4096)
def parse_unit(text: str) -> Unit:
    """Cached: every observation read converts its unit, and units are a short list."""
    symbol = _ASCII_ALIASES.get(text.strip().lower(), text.strip())
    if not symbol:
        raise UnitError("the unit is empty")
    if "/" in symbol:
        return Unit(symbol, f"compound:{symbol}", Decimal(1))
    for base in _BASES_LONGEST_FIRST:
        if not symbol.endswith(base):
            continue
        prefix = symbol[: -len(base)]
        if prefix == "":
            dimension, factor = BASE_UNITS[base]
            return Unit(symbol, dimension, factor)
        if prefix in MAGNITUDES and base not in {"%", "‰", "个百分点"}:
            dimension, factor = BASE_UNITS[base]
            return Unit(symbol, dimension, factor * MAGNITUDES[prefix])
    raise UnitError(f"unknown unit '{text}'")


def same_dimension(a: str, b: str) -> bool:
    return parse_unit(a).dimension == parse_unit(b).dimension


def convert(value: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """``value`` in ``from_unit`` expressed in ``to_unit``; exact for decimal magnitudes."""
    if from_unit == to_unit and parse_unit(from_unit):  # the usual case, parsed once
        return value
    source, target = parse_unit(from_unit), parse_unit(to_unit)
    if source.dimension != target.dimension:
        raise UnitError(
            f"unit '{from_unit}' cannot be converted to '{to_unit}': they measure different things"
        )
    if source.factor == target.factor:
        return value
    with localcontext() as ctx:
        ctx.prec = 50
        result = value * source.factor / target.factor
    return tidy(result)


def tidy(value: Decimal) -> Decimal:
    """Drop trailing zeros without switching to exponent notation (12700, not 1.27E+4).

    Exact for any finite value: ``quantize`` and ``normalize`` round to the context
    precision (28 digits by default), so the context is widened to the value's digits.
    """
    with localcontext() as ctx:
        ctx.prec = max(ctx.prec, len(value.as_tuple().digits), value.adjusted() + 1)
        if value == value.to_integral_value():
            return value.quantize(Decimal(1))
        return value.normalize()
