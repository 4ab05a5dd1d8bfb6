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


# --- spans of years (DESIGN v1.1), the rules of issue #20 item 2 ------------------------------

# A made-up 2021 work report of a district: its review of 2016–2020 and of 2020, its goals.
REVIEW_OF_FIVE_YEARS = """青溪区2021年政府工作报告
过去五年 成绩来之不易
 - 地区生产总值由386亿元增加到512亿元、年均增长6.4%
 - 累计新增城镇就业4.6万人
 - 整治河道岸线38公里
 - 森林覆盖率达到51.5%
 - 城镇新增就业年均9000余人
2020年 工作回顾
 - 全年一般公共预算收入21.7亿元、增长3.1%
今后五年主要目标
 - 每年新增城镇就业1万人以上
 - 到2025年,研发经费投入强度由1.8%提高到2.5%,单位地区生产总值能耗比2020年下降14%
"""


def _read(text: str, **context: object) -> list[Figure]:
    return extract(text, DocumentContext(**context))  # type: ignore[arg-type]


def _of(figures: list[Figure], value: str) -> list[Figure]:
    return [f for f in figures if str(f.value if f.value is not None else f.yoy_growth) == value]


def test_a_review_of_five_years_states_figures_of_the_span() -> None:
    """过去五年 of a 2021 report is 2016–2020: its average growth and its sums are figures
    of the span, its levels figures of 2020, the level it started from one of 2015."""
    figures = _read(REVIEW_OF_FIVE_YEARS, region="500227")
    (start,) = _of(figures, "386")
    (end,) = _of(figures, "512")
    assert (start.kind, start.period, end.period) == ("observation", "2015", "2020")
    (average,) = _of(figures, "6.4")
    assert (average.kind, average.period, average.basis) == ("observation", "2016-2020", "cagr")
    assert (average.value, average.unit) == (None, None)
    (jobs,) = _of(figures, "4.6")
    assert (jobs.period, jobs.unit) == ("2016-2020", "万人")
    assert _of(figures, "38")[0].period == "2016-2020"  # what was done over the span
    assert _of(figures, "51.5")[0].period == "2020"  # a level: the span's end
    assert _of(figures, "9000") == []  # an average per year is neither a total nor a level
    # the next heading reviews one year; its figures are that year's
    (revenue,) = _of(figures, "21.7")
    assert (revenue.period, revenue.yoy_growth) == ("2020", Decimal("3.1"))


def test_a_yearly_amount_of_a_five_year_goal_is_one_plan_for_each_year() -> None:
    figures = _read(REVIEW_OF_FIVE_YEARS, region="500227")
    jobs = _of(figures, "1")
    assert [(f.kind, f.year, f.comparator, f.unit) for f in jobs] == [
        ("plan", year, ">=", "万人") for year in range(2021, 2026)
    ]


def test_a_goal_states_its_baseline_and_the_year_a_change_is_counted_from() -> None:
    figures = _read(REVIEW_OF_FIVE_YEARS, region="500227")
    (intensity,) = _of(figures, "2.5")
    assert (intensity.kind, intensity.end_year) == ("target", 2025)
    assert (intensity.baseline_value, intensity.baseline_year) == (Decimal("1.8"), None)
    assert _of(figures, "1.8") == []  # the baseline is no goal of its own
    (energy,) = _of(figures, "-14")
    assert (energy.basis, energy.comparator, energy.baseline_year) == ("change", "<=", 2020)


def test_spans_named_in_a_sentence_or_a_heading() -> None:
    """2016—2020年 and “十三五”时期 name their span; 经过八年 and 十年 count back from the
    document's year; 过去一年 is one year, no span."""
    one_year = "二、2020年工作回顾\n2016—2020年,全区累计改造老旧小区126个。全年新建公园5个。"
    figures = _read(one_year, year=2021, kind="work_report_digest")
    assert [(str(f.value), f.period) for f in figures] == [("126", "2016-2020"), ("5", "2020")]
    heading = "“十三五”时期发展成就\n全区新增市场主体3.1万户,城镇化率达到62%。"
    assert [f.period for f in _read(heading, year=2021, kind="work_report_digest")] == [
        "2016-2020",
        "2020",
    ]
    counted = "过去一年\n经过八年接续奋斗,2.4万农村贫困人口全部脱贫。十年增加地区生产总值300亿元。"
    got = _read(counted, year=2021, kind="work_report_digest")
    assert [(str(f.value), f.unit, f.period) for f in got] == [
        ("2.4", "万人", "2013-2020"),
        ("300", "亿元", "2011-2020"),
    ]
    assert (
        _read("过去一年\n新建公园5个。", year=2021, kind="work_report_digest")[0].period == "2020"
    )


def test_goal_words_hold_from_their_own_clause_on() -> None:
    """A review's sentence may end with a goal (确保…, …目标要求): what it states before
    stays a result."""
    text = "上半年工作\n完成公路养护210公里,确保全年完成400公里以上。"
    figures = _read(text, year=2023, kind="plan_execution_report")
    assert [(f.kind, str(f.value), f.period or f.year) for f in figures] == [
        ("observation", "210", "2023-H1"),
        ("plan", "400", 2023),
    ]


def test_beneficiaries_and_completion_shares() -> None:
    """Who received how much is two figures; a completion share (with or without 的) belongs
    to the value before it, and only a review reports one: in a goal, 完成率 is a rate."""
    review = (
        "上半年工作\n向320家小微企业发放贴息贷款4.5亿元。重点项目完成投资88亿元、完成年度计划112%。"
    )
    figures = _read(review, year=2023, kind="plan_execution_report")
    assert [(str(f.value), f.unit) for f in figures] == [
        ("320", "家"),
        ("4.5", "亿元"),
        ("88", "亿元"),
    ]
    assert figures[2].reported_completion_rate == Decimal(112)
    goal = "某区行动方案(2023—2027年)\n到2027年,村级应急队伍建设完成率达100%。"
    (rate,) = _read(goal)
    assert (rate.kind, rate.value, rate.unit, rate.reported_completion_rate) == (
        "target",
        Decimal(100),
        "%",
        None,
    )


def test_a_figure_stated_twice_is_proposed_once() -> None:
    """A summary and then its section: one proposal, the one that says more; figures of
    other subjects that share a value stay apart (农业总产值 is not 规上工业总产值)."""
    text = (
        "一、2022年执行情况\n"
        "全区规上工业总产值增长8%,农业总产值增长8%,实现社会消费品零售总额96.2亿元、增长4.4%。\n"
        "消费市场回暖,实现社会消费品零售总额96.2亿元。\n"
    )
    figures = _read(text, year=2023, kind="plan_execution_report")
    assert [(f.indicator_phrase, f.value, f.yoy_growth) for f in figures] == [
        ("规上工业总产值", None, Decimal(8)),
        ("农业总产值", None, Decimal(8)),
        ("社会消费品零售总额", Decimal("96.2"), Decimal("4.4")),
    ]


def test_figures_written_without_arabic_digits_or_in_other_units() -> None:
    text = (
        "某市行动方案(2023—2027年)\n"
        "到2027年,嘉陵江出境断面水质保持Ⅲ类,锂电池产量迈入全国前五,"
        "城乡居民收入比缩小至2.1∶1,主城防洪能力达到50年一遇,人均公园绿地面积达到15m2。"
    )
    got = [(f.value, f.unit, f.comparator) for f in _read(text)]
    assert got == [
        (Decimal(3), "类", "<="),
        (Decimal(5), "位", "<="),
        (Decimal("2.1"), "倍", "<="),
        (Decimal(50), "年", ">="),
        (Decimal(15), "平方米", ">="),
    ]


def test_units_written_with_their_nouns() -> None:
    text = (
        "一、2022年执行情况\n"
        "帮扶1.3万困难群众,劳动生产率达到21.6万元/人,收获玉米2.1亿斤,猪肉价格上涨6%。"
    )
    got = [(f.value, f.unit, f.yoy_growth) for f in _read(text, year=2023)]
    assert got == [
        (Decimal("1.3"), "万人", None),
        (Decimal("21.6"), "万元/人", None),
        (None, None, Decimal(6)),
    ]  # 亿斤 is no amount of money: nothing is guessed


def test_one_rate_after_a_list_of_subjects_is_each_subjects() -> None:
    """A rate, a rank or a class cannot be a joint total: ``A、B参保率稳定在96%以上`` is two
    goals. A list closed by 等 (the platforms together) or of levels of government (区县、
    乡镇…比例, one measure) is one subject."""
    text = (
        "某市行动方案(2023—2027年)\n"
        "到2027年,职工养老保险、职工医疗保险参保率稳定在96%以上,"
        "港区、园区等平台集聚全市70%的外资企业,区县、乡镇政务服务事项网办率达到98%。"
    )
    got = [(f.indicator_phrase, f.value) for f in _read(text)]
    assert got == [
        ("职工养老保险", Decimal(96)),
        ("职工医疗保险参保率", Decimal(96)),
        ("园区等平台集聚全市", Decimal(70)),
        ("乡镇政务服务事项网办率", Decimal(98)),
    ]


def test_the_regions_a_sentence_opens_with_hold_its_figures() -> None:
    text = (
        "某市行动方案(2023—2027年)\n"
        "渝东北三峡库区城镇群和渝东南武陵山区城镇群协同发展,森林覆盖率达到60%。"
    )
    assert [f.region for f in _read(text)] == ["500000-NE", "500000-SE"]


def test_the_change_of_a_balance_is_a_figure_and_its_growth_the_balances() -> None:
    text = "上半年工作\n住户存款余额同比增加860亿元、增速约9%,粮食播种面积同比增加2.1万亩。"
    figures = _read(text, year=2023, kind="plan_execution_report")
    assert [(f.value, f.unit, f.yoy_growth) for f in figures] == [
        (Decimal(860), "亿元", None),
        (None, None, Decimal(9)),
    ]


def test_policy_packages_and_counts_naming_a_set_are_no_figures() -> None:
    text = "上半年工作\n出台稳就业18条措施。46个市控断面水质优良比例达97.8%。"
    figures = _read(text, year=2023, kind="plan_execution_report")
    assert [(f.value, f.unit) for f in figures] == [(Decimal("97.8"), "%")]


def test_average_rates_running_totals_and_sums_over_a_target_span() -> None:
    """年均增长率达到X is a cagr; in a multi-year goal what is newly done is a sum over the
    span (cumulative), 累计 alone a running total (a level)."""
    text = (
        "某市行动方案(2023—2027年)\n"
        "到2027年,外贸进出口年均增长率达到8%,新建5G基站2万个,累计建成充电桩6万个。"
    )
    got = [(f.basis, f.value, f.unit) for f in _read(text)]
    assert got == [
        ("cagr", Decimal(8), "%"),
        ("cumulative", Decimal(2), "万个"),
        ("value", Decimal(6), "万个"),
    ]


def test_a_doubling_is_read_unless_the_sentence_states_the_totals() -> None:
    text = (
        "某市行动方案(2023—2027年)\n"
        "到2027年,新增上市企业5家以上、瞪羚企业实现“倍增”。"
        "推动专精特新企业“倍增”,总量达到900家。"
    )
    got = [(f.indicator_phrase, f.basis, f.value) for f in _read(text)]
    assert got == [
        ("新增上市企业", "cumulative", Decimal(5)),
        ("瞪羚企业", "change", Decimal(100)),
        ("总量", "value", Decimal(900)),
    ]


def test_the_year_of_a_document_whose_title_names_none() -> None:
    """The latest year its headings name (the year its plan is for), else the year after
    the latest it names when it looks back."""
    headings = (
        "政府工作报告\n一、过去五年工作回顾\n产业园区产值达到85亿元。\n"
        "二、2019年预期目标\n产值增长7%左右。"
    )
    figures = _read(headings)
    assert [(f.kind, f.period or f.year) for f in figures] == [
        ("observation", "2018"),
        ("plan", 2019),
    ]
    looking_back = "政府工作报告\n过去一年\n2020年,全区新增就业8000人。"
    assert _read(looking_back)[0].period == "2020"


def test_a_forecast_of_an_open_year_is_a_plan_marked_as_a_forecast() -> None:
    """预计全年… in July: nothing promised, nothing measured yet; proposed for a person to
    decide, with a note and a low confidence (a closed year's 预计 is a result)."""
    text = "上半年工作\n新建公园3个,预计全年新建公园12个。"
    figures = _read(text, year=2023, kind="plan_execution_report")
    assert [(f.kind, f.value, f.confidence) for f in figures] == [
        ("observation", Decimal(3), 0.9),
        ("plan", Decimal(12), 0.5),
    ]
    assert "预计" in figures[1].note
