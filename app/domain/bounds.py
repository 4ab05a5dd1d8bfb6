"""The values a figure of an indicator can take, decided from its unit and its name.

Counts (家, 个, 人, 户, 套 …) are never negative and are whole in their base unit
(1.27万家 is 12,700 家; 0.5 家 or 1.23456万家 is no count). A share (a level in % whose name says it
is a part of a whole: 比重, 占比, 比例, 覆盖率, 城镇化率 …) lies between 0 and 100. Growth,
contribution and gross enrolment rates are % too but may pass 100 or fall below 0, so
they are no shares. Amounts (元, 吨 …) are never negative; rates and percentage points
may be.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from app.domain.units import UnitError, parse_unit

COUNT_DIMENSIONS = frozenset(
    {
        "people",
        "person_times",
        "households",
        "organisations",
        "items",
        "projects",
        "pieces",
        "institutions",
        "structures",
        "lines",
        "sheets",
        "vehicles",
        "sets",
        "machines",
        "vessels",
        "flights",
        "times",
        "trains",
        "incidents",
        "case_times",
        "organisation_times",
        "kinds",
        "livestock_head",
        "animals",
        "sites",
        "rooms",
        "events",
        "pairs",
    }
)
SIGNED_DIMENSIONS = frozenset({"percent", "permille", "percentage_points"})
SHARE_ENDINGS = ("比重", "占比", "比例", "率")
# % figures named like shares that are not parts of a whole.
NOT_SHARE_ENDINGS = ("增长率", "增速", "增幅", "涨幅", "贡献率", "毛入学率")
HUNDRED = Decimal(100)


# A count per head or per thousand people (每千人口拥有托位数 4.5 个) is an average, not a count.
PER_CAPITA_WORDS = ("每", "人均", "户均", "平均")


@dataclass(frozen=True)
class Bounds:
    """What an indicator's figures must be besides not negative (for amounts and counts)."""

    whole: bool = False
    share: bool = False


def bounds_of(unit: str, measure: str, name: str) -> Bounds:
    """An indicator's bounds, from its unit, measure and name."""
    return Bounds(whole=is_count(unit, name), share=is_share(unit, measure, name))


def is_count(unit: str, name: str = "") -> bool:
    """Whether figures in ``unit`` of the indicator ``name`` count whole things."""
    if any(word in name for word in PER_CAPITA_WORDS):
        return False
    try:
        return parse_unit(unit).dimension in COUNT_DIMENSIONS
    except UnitError:
        return False


def is_share(unit: str, measure: str, name: str) -> bool:
    """Whether an indicator is a share of a whole: a level in % named as one."""
    name = name.strip()
    return (
        unit == "%"
        and measure == "level"
        and name.endswith(SHARE_ENDINGS)
        and not name.endswith(NOT_SHARE_ENDINGS)
    )


def out_of_bounds(value: Decimal, unit: str, bounds: Bounds = Bounds()) -> str | None:
    """Why ``value`` (in the indicator's own ``unit``) cannot be a figure of it, or None."""
    try:
        parsed = parse_unit(unit)
    except UnitError:
        return None
    if value < 0 and parsed.dimension not in SIGNED_DIMENSIONS:
        return f"a count or amount in '{unit}' cannot be negative"
    things = value * parsed.factor  # in the dimension's base unit: 1.27万家 -> 12,700 家
    if bounds.whole and things != things.to_integral_value():
        return f"a count is a whole number of things; {value} {unit} is {things}"
    if bounds.share and not 0 <= value <= HUNDRED:
        return f"a share lies between 0 and 100 %; {value} does not"
    return None
