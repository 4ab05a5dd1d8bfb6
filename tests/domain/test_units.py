"""Units: Chinese magnitudes on base units, conversion within one dimension (DESIGN: Units)."""

from __future__ import annotations

from decimal import Decimal, localcontext

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.units import MAGNITUDES, UnitError, convert, parse_unit, same_dimension, tidy

# --- DESIGN's examples -----------------------------------------------------------------


def test_wan_jia_to_jia() -> None:
    # 1.27 × 10 000 = 12 700
    result = convert(Decimal("1.27"), "万家", "家")
    assert result == Decimal(12700)
    assert str(result) == "12700"  # tidy: no exponent, no trailing zeros


def test_wanyi_yuan_to_yi_yuan() -> None:
    # 4 × 10^12 / 10^8 = 40 000
    result = convert(Decimal(4), "万亿元", "亿元")
    assert result == Decimal(40000)
    assert str(result) == "40000"


def test_yi_yuan_and_wanyi_yuan_both_ways() -> None:
    # 2411 × 10^8 / 10^12 = 0.2411
    there = convert(Decimal(2411), "亿元", "万亿元")
    assert there == Decimal("0.2411")
    assert str(there) == "0.2411"
    back = convert(Decimal("0.2411"), "万亿元", "亿元")
    assert back == Decimal(2411)
    assert str(back) == "2411"


def test_other_magnitudes_and_bases() -> None:
    assert convert(Decimal(3), "万人", "人") == Decimal(30000)
    assert convert(Decimal(12), "万标箱", "标箱") == Decimal(120000)
    assert convert(Decimal(5), "万千瓦", "千瓦") == Decimal(50000)  # 千瓦 is a base unit
    assert convert(Decimal(5), "万千瓦", "瓦") == Decimal(50_000_000)  # 5 × 10^4 × 10^3
    assert convert(Decimal("1.5"), "公里", "米") == Decimal(1500)
    assert convert(Decimal(2), "天", "小时") == Decimal(48)
    assert convert(Decimal(7), "千元", "万元") == Decimal("0.7")
    assert convert(Decimal(1), "万亿元", "元") == Decimal(10**12)


def test_same_factor_returns_the_value() -> None:
    assert convert(Decimal("54.7"), "%", "%") == Decimal("54.7")
    assert convert(Decimal(3), "人", "名") == Decimal(3)  # 人 and 名 both count people


def test_parse_unit() -> None:
    unit = parse_unit("万亿元")
    assert unit.dimension == "currency_cny"
    assert unit.factor == Decimal(10**12)
    assert parse_unit("亿元").factor == Decimal(10**8)
    assert parse_unit("家").factor == Decimal(1)
    assert parse_unit("pct").symbol == "%"
    assert parse_unit(" 亿元 ").factor == Decimal(10**8)


# --- rejections --------------------------------------------------------------------------


def test_percent_and_permille_are_distinct() -> None:
    assert not same_dimension("%", "‰")
    with pytest.raises(UnitError) as excinfo:
        convert(Decimal(2), "‰", "%")
    assert "‰" in str(excinfo.value)
    assert "%" in str(excinfo.value)
    with pytest.raises(UnitError):
        convert(Decimal(2), "%", "‰")


def test_other_dimension_is_rejected_naming_both_units() -> None:
    with pytest.raises(UnitError) as excinfo:
        convert(Decimal(1), "亿元", "家")
    message = str(excinfo.value)
    assert "'亿元'" in message
    assert "'家'" in message


def test_currency_is_not_another_currency() -> None:
    with pytest.raises(UnitError):
        convert(Decimal(1), "万美元", "万元")


@pytest.mark.parametrize("text", ["斤", "furlong", "万", "万%", "亿‰", "", "   ", "元元"])
def test_unknown_unit_is_rejected(text: str) -> None:
    with pytest.raises(UnitError):
        parse_unit(text)
    with pytest.raises(UnitError):
        convert(Decimal(1), text, "元")


def test_unknown_unit_message_names_it() -> None:
    with pytest.raises(UnitError, match="unknown unit '斤'"):
        parse_unit("斤")


def test_compound_units_only_match_as_written() -> None:
    assert convert(Decimal("0.3"), "吨/万元", "吨/万元") == Decimal("0.3")
    with pytest.raises(UnitError):
        convert(Decimal("0.3"), "吨/万元", "吨/元")


def test_unit_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        convert(Decimal(1), "亿元", "家")


# --- tidy ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("12700.00", "12700"),
        ("1.27E+4", "12700"),
        ("1.2700", "1.27"),
        ("0.2411", "0.2411"),
        ("40000", "40000"),
        # more than 28 significant digits: kept exactly (before the fix in units.py,
        # normalize() rounded to 28 digits and quantize() raised InvalidOperation)
        ("123456789012345678.123456789012", "123456789012345678.123456789012"),
        ("1E+30", "1" + "0" * 30),
    ],
)
def test_tidy(value: str, text: str) -> None:
    assert str(tidy(Decimal(value))) == text


def test_large_conversion_is_exact() -> None:
    # 999 999 999 999 999 999 万亿元 = 999 999 999 999 999 999 × 10^12 元 (30 digits)
    assert convert(Decimal("999999999999999999"), "万亿元", "元") == Decimal(
        "999999999999999999000000000000"
    )
    # 30 significant digits divided by 10^4: exact, not rounded to 28 digits
    assert convert(Decimal("123456789012345678.123456789012"), "万元", "亿元") == Decimal(
        "12345678901234.5678123456789012"
    )


# --- property: there and back -------------------------------------------------------------

PREFIXES = ["", *MAGNITUDES]
BASES = ["元", "人", "家", "吨", "个", "标箱", "立方米", "千瓦", "公里", "美元"]

# The API accepts values of up to 30 digits, 12 of them after the point.
api_values = st.decimals(
    min_value=Decimal(-(10**18)) + Decimal("1e-12"),
    max_value=Decimal(10**18) - Decimal("1e-12"),
    places=12,
    allow_nan=False,
    allow_infinity=False,
)


@settings(max_examples=200, deadline=None)
@given(
    value=api_values,
    base=st.sampled_from(BASES),
    there=st.sampled_from(PREFIXES),
    back=st.sampled_from(PREFIXES),
)
def test_convert_there_and_back_is_exact(value: Decimal, base: str, there: str, back: str) -> None:
    source, target = there + base, back + base
    converted = convert(value, source, target)
    # the two magnitudes are powers of ten: the value moves by their difference in digits
    shift = _digits(there) - _digits(back)
    with localcontext() as ctx:
        ctx.prec = 60
        assert converted == value * Decimal(10) ** shift
    assert convert(converted, target, source) == value


def _digits(prefix: str) -> int:
    """十 -> 1, 万 -> 4, 万亿 -> 12, no prefix -> 0."""
    return len(str(MAGNITUDES.get(prefix, 1))) - 1
