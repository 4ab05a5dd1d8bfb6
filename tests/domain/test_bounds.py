"""Bounds of an indicator's figures, decided from its unit, measure and name (#14.10)."""

from __future__ import annotations

from decimal import Decimal

from app.domain.bounds import Bounds, bounds_of, is_count, is_share, out_of_bounds


def test_counts_are_whole_in_their_base_unit() -> None:
    count = bounds_of("万家", "level", "高新技术企业数量")
    assert count == Bounds(whole=True, share=False)
    assert out_of_bounds(Decimal("1.27"), "万家", count) is None  # 12,700 家
    assert out_of_bounds(Decimal("348.2"), "万户", bounds_of("万户", "level", "x")) is None
    assert out_of_bounds(Decimal("0.5"), "家", count) == (
        "a count is a whole number of things; 0.5 家 is 0.5"
    )
    assert "1234.56" in str(out_of_bounds(Decimal("0.123456"), "万家", count))
    # a count per thousand people is an average
    assert not is_count("个", "每千人口拥有3岁以下婴幼儿托位数")
    assert is_count("人次", "游客人次") and not is_count("亿元", "地区生产总值")


def test_amounts_and_counts_are_never_negative_rates_may_be() -> None:
    assert out_of_bounds(Decimal(-5), "家") == "a count or amount in '家' cannot be negative"
    assert out_of_bounds(Decimal(-1), "亿元") is not None
    assert out_of_bounds(Decimal("-2.5"), "%") is None
    assert out_of_bounds(Decimal("-0.3"), "个百分点") is None


def test_a_share_lies_between_0_and_100() -> None:
    assert is_share("%", "level", "常住人口城镇化率")
    assert is_share("%", "level", "制造业增加值占地区生产总值比重")
    assert not is_share("%", "level", "研发经费投入增长率")
    assert not is_share("%", "level", "高等教育毛入学率")  # gross: may pass 100
    assert not is_share("%", "flow", "某比重")
    assert not is_share("亿元", "level", "某比重")
    share = bounds_of("%", "level", "常住人口城镇化率")
    assert out_of_bounds(Decimal(100), "%", share) is None
    assert out_of_bounds(Decimal("150"), "%", share) == (
        "a share lies between 0 and 100 %; 150 does not"
    )
    assert out_of_bounds(Decimal("150"), "%") is None  # a rate that is no share
