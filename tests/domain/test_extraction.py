"""The extraction rules on short texts written for the tests, in the documents' style."""

from __future__ import annotations

from decimal import Decimal

from app.domain.extraction import DocumentContext, Figure, extract, quantities

# A district that is none of the five documents: its 2024 review and 2025 plan.
DISTRICT = """璧山区2024年国民经济和社会发展计划执行情况及2025年计划草案的报告
一、2024年国民经济和社会发展计划执行情况
全年实现地区生产总值1050.2亿元,同比增长6.1%,规上工业增加值增长8.5%,一般公共预算收入完成45.3亿元、增长3.2%。新增市场主体1.2万户,城镇新增就业1.8万人,城镇调查失业率5.3%。固定资产投资、社会消费品零售总额分别增长4.1%、5.6%。区级重点项目完成投资210亿元,完成年度计划的105%。
二、2025年国民经济和社会发展计划草案
2025年主要预期目标是:地区生产总值增长6%左右,固定资产投资增长8%以上,城镇新增就业1.5万人以上,城镇调查失业率控制在5.5%以内,新培育科技型企业200家。
到2027年,力争高新技术企业达到300家,单位地区生产总值能耗降低5%左右,长寿经开区工业总产值突破1000亿元。
"""


def _figures(text: str, **context: object) -> list[Figure]:
    return extract(text, DocumentContext(**context))  # type: ignore[arg-type]


def _by_value(figures: list[Figure]) -> dict[str, Figure]:
    return {str(f.value if f.value is not None else f"g{f.yoy_growth}"): f for f in figures}


def test_a_new_district_report_reads_as_a_person_would() -> None:
    figures = _figures(DISTRICT, region="500227")
    got = _by_value(figures)
    gdp = got["1050.2"]
    assert (gdp.kind, gdp.period, gdp.unit, gdp.yoy_growth) == (
        "observation",
        "2024",
        "亿元",
        Decimal("6.1"),
    )
    assert (
        DISTRICT[gdp.quote_start : gdp.quote_end] == "全年实现地区生产总值1050.2亿元,同比增长6.1%"
    )
    assert got["g8.5"].kind == "observation" and got["g8.5"].value is None
    assert got["45.3"].yoy_growth == Decimal("3.2")
    assert (got["1.2"].unit, got["1.8"].unit) == ("万户", "万人")
    assert got["g4.1"].indicator_phrase == "固定资产投资" and got["g5.6"].kind == "observation"
    project = got["210"]
    assert project.reported_completion_rate == Decimal(105)
    # the plan for 2025
    assert (got["6"].kind, got["6"].year, got["6"].basis, got["6"].comparator) == (
        "plan",
        2025,
        "yoy",
        "~",
    )
    assert (got["8"].basis, got["8"].comparator) == ("yoy", ">=")
    assert (got["1.5"].comparator, got["1.5"].unit) == (">=", "万人")
    assert (got["5.5"].comparator, got["5.5"].unit) == ("<=", "%")
    assert got["200"].kind == "plan" and got["200"].comparator == ">="
    # to 2027: targets, one of them for the development zone
    assert (got["300"].kind, got["300"].start_year, got["300"].end_year) == ("target", 2025, 2027)
    assert (got["-5"].basis, got["-5"].comparator, got["-5"].unit) == ("change", "~", "%")
    assert (got["1000"].region, got["1000"].unit) == ("500115-ED", "亿元")
    assert got["300"].region == "500227"
    # 105 % is the completion share of 210亿元, not a figure of its own; nothing else is read
    assert len(figures) == 17


def test_quantities_parse_magnitudes_units_and_ranges() -> None:
    text = "达到1.27万家,4万亿元,3925万千瓦,2—3个商圈,10%—20%的优惠,2665万亩,1860亿千瓦时"
    got = [(str(q.value), q.unit) for q in quantities(text)]
    assert got == [
        ("1.27", "万家"),
        ("4", "万亿元"),
        ("3925", "万千瓦"),
        ("2", "个"),
        ("10", "%"),
        ("2665", "万亩"),
        ("1860", "亿千瓦时"),
    ]


def test_years_dates_ordinals_and_list_numbers_are_not_figures() -> None:
    text = "2023年2月16日,第3次会议。1.推进工作\n(2)完善机制"
    assert list(quantities(text)) == []


def test_qualifiers_and_comparisons_yield_nothing() -> None:
    figures = _figures(
        "上半年,新增3岁以下婴幼儿托位1200个。秋粮播种面积2378.6万亩、同比增加4.3万亩。",
        year=2023,
        kind="plan_execution_report",
    )
    assert [(str(f.value), f.unit) for f in figures] == [("1200", "个"), ("2378.6", "万亩")]


def test_a_figure_missing_its_number_yields_nothing() -> None:
    assert _figures("开通国际(地区)航线个全球主要城市。", kind="action_plan") == []


def test_spam_and_page_furniture_yield_nothing() -> None:
    text = "| [ 成文日期 ] | 2023-02-16 | [ 发布日期 ] | 2023-02-24 |\n返回搜狐,查看更多 3条评论\n"
    assert _figures(text) == []


def test_growth_pairs_and_shared_growth() -> None:
    text = (
        "今年一季度,牛、羊出栏量分别达到15.3万头、175.2万只,同比分别增长4.3%、0.6%;"
        "货运量、货运值均增长39%。"
    )
    figures = _figures(text, year=2023, kind="article")
    assert [(f.value, f.unit, f.yoy_growth) for f in figures] == [
        (Decimal("15.3"), "万头", Decimal("4.3")),
        (Decimal("175.2"), "万只", Decimal("0.6")),
        (None, None, Decimal(39)),
        (None, None, Decimal(39)),
    ]
    assert {f.period for f in figures} == {"2023-Q1"}
    assert [f.indicator_phrase for f in figures[2:]] == ["货运量", "货运值"]


def test_falls_are_negative_and_rates_have_their_basis() -> None:
    text = (
        "到2027年,研发投入年均增长10%以上,单位地区生产总值二氧化碳排放降低15%左右,"
        "服务业比重提高2个百分点。"
    )
    figures = _figures(text, year=2023, kind="action_plan")
    assert [(f.basis, f.comparator, str(f.value), f.unit) for f in figures] == [
        ("cagr", ">=", "10", "%"),
        ("change", "~", "-15", "%"),
        ("change", ">=", "2", "个百分点"),
    ]


def test_a_result_of_a_closed_year_and_a_goal_of_an_open_one() -> None:
    review = "二、2022年工作回顾\n预计全年基础设施投资增长8%左右。"
    assert _figures(review, year=2023, kind="work_report_digest")[0].kind == "observation"
    current = "上半年工作\n确保全年完成投资4300亿元以上。"
    plan = _figures(current, year=2023, kind="plan_execution_report")[0]
    assert (plan.kind, plan.year, plan.comparator) == ("plan", 2023, ">=")
