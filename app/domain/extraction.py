"""Figures in a policy text: a small grammar of Chinese government documents.

A figure is a number with its unit (``41万人``, ``4.6%``, ``2411亿元``) in a clause that
names what is counted. The rules below read it the way a reader of these documents does:

- **Where the figure sits.** Sentences end at 。；; ！？ and at line breaks; clauses at
  ，, and 、. Headings (short lines without a full stop) set the *frame*: a review of a
  past period (``一、2022年…执行情况``), a review of several past years (``过去五年``,
  ``五年来``, ``2018—2022年``, ``“十三五”时期``: read from the document's year and the
  words, so 过去五年 of a 2023 report is 2018–2022), the annual plan (``…计划草案``,
  ``下一步工作打算``) or the multi-year goals (``今后五年``, an action plan's span). A
  sentence may name its own period or span (``2016—2020年,…``, ``经过八年…``). The
  document's year comes from the caller, else its title, else its headings, else the
  latest year it names (the year after, when it looks back).
- **What kind of figure.** In a review a figure is a result (an observation of the
  frame's period); goal words (力争, 确保, 目标, 到2027年 …) make it a goal from their own
  clause on (what the sentence states before stays a result). A goal for the document's
  year is a plan, one that runs to a later year (到2027年, 今后五年) a target, and an
  amount stated for every year (``每年…60万人``) one plan for each year of the span.
  ``预计`` is a result when the year is over, a goal while it is not.
- **Spans of years** (DESIGN v1.1). In a review of past years an average growth
  (年均增长) is an observation of the span (its ``yoy_growth``), a sum (累计, 净增, 新增, or
  a count of what was done) the span's total, a level (达到, 突破, 总量, a rate) the level
  at the span's last year, and ``从X增加到Y`` puts X at the year before the span. An
  average amount per year (``年均1270万人``) is neither, and yields nothing.
- **What it means.** ``增长X%`` (上涨, 涨幅) is growth on the year before (``yoy``;
  ``下降`` makes it negative), ``年均增长`` and ``年均增长率X%`` an average (``cagr``),
  ``提高X个百分点`` a change; in a multi-year goal what is newly done (新增, 新建, 引进 …)
  is a sum over the span (``cumulative``) while ``累计`` alone is a running total (a level);
  ``由X提高到Y`` gives a goal its baseline and ``比2020年下降X%`` a change counted from
  2020 (in a review, a change over several years is no yoy growth and yields nothing).
  ``完成年度计划的X%`` (with or without 的) is a completion share of the figure before it,
  reported only in a review; a growth clause right after a value (``30.5万吨、同比增长5%``)
  is that value's growth, except after a change of a balance (``余额同比增加…、增速28%``,
  the balance's). One rate, rank or class after a list of subjects (``A、B参保率稳定在95%``)
  is each subject's; the regions a sentence opens with hold its figures.
- **Numbers not in digits and units as written**: classes in Roman numerals (``Ⅱ类``),
  ranks (``迈入全国前三``), ratios (``2.3∶1``, 倍), return periods (``100年一遇``), Latin
  units (``m2``), units per another unit (``万元/人``), a magnitude before a noun of people
  (``190.6万农村贫困人口``), size classes (``两大万亿级``) and doubling (``双倍增``) unless
  the sentence goes on to state totals.
- **The comparator** comes from the words around the number: 以上/达到/突破/不低于 ``>=``,
  超过/超 ``>``, 以内/控制在/不超过 ``<=``, 低于/小于 ``<``, 左右 ``~``; a plain goal is
  ``>=`` unless the sentence speaks of lowering something, or counts a rank or class (``<=``).
- **What is not a figure.** Years and dates, ages and sizes that qualify a noun
  (``3岁以下婴幼儿``, ``亿元以上项目``, ``74个断面…比例达98.6%``), ordinals, list numbers,
  numbers inside quotes and titles, policy packages (``23条政策措施``), comparisons with
  another period in a review (``同比增加4.3万亩``), a measure the units do not know
  (``1.37万亿斤`` is no money), and lines of page furniture (tables of metadata, portal spam)
  yield nothing. A figure whose number is missing yields nothing: nothing is guessed. A
  figure stated twice (a summary, then its section) is proposed once.

Only the standard library: the caller folds Traditional text to Simplified first (character
for character, so offsets into the simplified text are offsets into the original).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from app.domain.units import BASE_UNITS, MAGNITUDES

# --- the document and its frames ----------------------------------------------------------

DOCUMENT_KINDS = ("action_plan", "plan_execution_report", "work_report_digest", "article")


@dataclass(frozen=True)
class DocumentContext:
    """What the caller knows of the document: its subject region, year and kind."""

    region: str = "500000"
    year: int | None = None
    kind: str | None = None


@dataclass(frozen=True)
class Frame:
    """How figures of a stretch of text are read: results of a period, or goals."""

    mode: str  # "result" | "plan" | "target"
    year: int
    period: str  # the default period of a result
    span: tuple[int, int]
    # A review of several past years (过去五年 of a 2023 report: 2018–2022): its sums and
    # averages are figures of the span, its levels figures of the span's last year.
    review: tuple[int, int] | None = None


@dataclass(frozen=True)
class Figure:
    kind: str  # target | plan | observation
    indicator_phrase: str
    region: str
    period: str | None
    year: int | None
    start_year: int | None
    end_year: int | None
    basis: str
    comparator: str | None
    value: Decimal | None
    unit: str | None
    yoy_growth: Decimal | None
    reported_completion_rate: Decimal | None
    quote_start: int
    quote_end: int
    confidence: float
    context: str  # the sentence's text before the number: where indicator names are sought
    note: str = ""
    sentence: int = -1  # where its sentence starts: figures of one sentence are never one
    baseline_year: int | None = None  # a goal's starting point, where the sentence states it
    baseline_value: Decimal | None = None


# --- characters and words -------------------------------------------------------------------

# Full-width digits and signs folded one character for one, so offsets never move.
_FOLD = str.maketrans("０１２３４５６７８９％．～：；（）", "0123456789%.~:;()")
_SENTENCE_END = "。；;！？!?"
_CLAUSE_END = ",，、:："
_DASHES = "—–－~至到\\-"

_CN_DIGITS = "一二三四五六七八九十"
_SECTION_HEADING = re.compile(rf"^\s*[{_CN_DIGITS}]+、")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")
_SPAN = re.compile(r"((?:19|20)\d{2})\s*年?\s*[—–\-－~至到]+\s*((?:19|20)\d{2})\s*年")
_SINCE_YEAR = re.compile(r"((?:19|20)\d{2})\s*年以来")

# Lines that are never prose: metadata tables, portal links, advertising.
_FURNITURE = re.compile(r"^\s*\||返回搜狐|查看更多|责任编辑|来源[:：]|扫一扫|打印本页|关闭窗口")
SPAM_PHRASES = (
    "中级经济师",
    "通过率",
    "重庆主要产业是什么",
    "国际经济三大支柱",
    "返回搜狐",
    "查看更多",
)

_MAGNITUDES_LONGEST = sorted((m for m in MAGNITUDES if m != "十"), key=len, reverse=True)
_SKIPPED_BASES = ("年", "月", "日", "次", "度")
_COUNTED_TIMES = {"千瓦时", "人次", "万人次", "家次", "件次", "架次"}
_BASES = sorted(
    (b for b in BASE_UNITS if b not in {"年"}),
    key=len,
    reverse=True,
)
_NOUN_UNITS = {  # a bare magnitude followed by a noun: 74.8万群众 is 万人
    "群众": "人",
    "人口": "人",
    "居民": "人",
    "农民": "人",
    "职工": "人",
    "游客": "人次",
    "人员": "人",
    "学生": "人",
    "农户": "户",
}
# Measure words the loader does not know: 1.37万亿斤 is no amount of money, and no figure.
_OTHER_MEASURE = re.compile(r"斤|公斤|千克|克|株|棵|尾|羽|册|部|篇|字|份|本|粒|匹|片|盏|根|支")
# …with a short modifier between (190.6万农村贫困人口, 1.2万就业困难人员)
_NOUN_AFTER_MODIFIER = re.compile(
    r"[\u4e00-\u9fff]{1,4}?("
    + "|".join(n for n in _NOUN_UNITS if n != "游客")
    + r")(?![\u4e00-\u9fff]{0,2}[数率量])"
)

# Words that make a figure of a review a goal (争取 and 计划 do not: 争取中央资金 is a
# result, 团组计划 a name).
_FIRM_GOAL_WORDS = ("力争", "确保", "目标", "预期", "全年计划", "打表推进")
_LOWER_WORDS = ("降低", "下降", "减少", "控制在", "压减", "压降", "不超过", "以内", "缩小")
_SMALLER_IS_BETTER = {"位", "类"}  # a rank, a quality class: a goal of at most
_CN_COUNTS = {
    "两": 2,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}
# 过去五年, 近三年, 五年来, 这十年: the years before the document's own year.
_PAST_YEARS = re.compile(
    r"(?:过去|近|这|经过|历经)([一两二三四五六七八九十]|\d{1,2})年(?!代|度|级|底|末|初|内|后|前)|"
    r"^\s*([一两二三四五六七八九十]|\d{1,2})年(?=来|以来|间|累计|共|年均|增加|新增|净增|合计)|"
    r"(?<![\d一两二三四五六七八九十])([一两二三四五六七八九十]|\d{1,2})年(?:来|以来)"
)
# The five-year plans by their names: a review of “十三五”时期 is 2016–2020.
_PLAN_PERIODS = {"十一五": 2006, "十二五": 2011, "十三五": 2016, "十四五": 2021, "十五五": 2026}
_PLAN_PERIOD = re.compile(r"“?(十[一二三四五]五)”?(?:时期|期间|以来|规划实施以来)")
_PLAN_HEADINGS = ("计划草案", "打算", "总体考虑", "重点工作", "主要目标", "工作安排", "预期目标")
_REVIEW_HEADINGS = ("执行情况", "回顾", "完成情况")

REGION_PHRASES: tuple[tuple[str, str], ...] = (
    ("长寿经开区", "500115-ED"),
    ("长寿经济技术开发区", "500115-ED"),
    ("西部(重庆)科学城", "500000-SC"),
    ("西部（重庆）科学城", "500000-SC"),
    ("西部科学城", "500000-SC"),
    ("主城都市区", "500000-MA"),
    ("中心城区", "500000-CC"),
    ("渝东北", "500000-NE"),
    ("渝东南", "500000-SE"),
)

_PERIOD_PHRASES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"上半年"), "H1"),
    (re.compile(r"(?:一季度|第一季度)"), "Q1"),
    (re.compile(r"前三季度"), "M09"),
    (re.compile(r"(?<!\d)1\s*[—–\-－~至到]+\s*(\d{1,2})\s*月"), "M"),
    (re.compile(r"全年|年末|年底"), "Y"),
)


# --- numbers ------------------------------------------------------------------------------


@dataclass
class Quantity:
    """A number with its unit as written, found at ``start``..``end`` of the text."""

    start: int
    end: int
    value: Decimal
    unit: str  # "" for a bare number
    bound: str = ""  # 余/多/近/约 as written


_NUMBER = re.compile(r"(?<![\d.A-Za-z])(\d+(?:\.\d+)?)")
_RANGE_TAIL = re.compile(rf"\s*%?\s*[{_DASHES}]\s*\d+(?:\.\d+)?")


def _unit_at(text: str, pos: int) -> tuple[str, int, str]:
    """The unit written at ``pos`` (magnitude, 余/多, base): its symbol, its end, a bound."""
    bound = ""
    i = pos
    if text.startswith(("余", "多"), i):
        bound, i = text[i], i + 1
    magnitude = next((m for m in _MAGNITUDES_LONGEST if text.startswith(m, i)), "")
    i += len(magnitude)
    if text.startswith(("余", "多"), i):
        bound, i = text[i], i + 1
    if magnitude and text.startswith("级", i):  # 7000亿级规模: an amount of money
        return (magnitude + "元", i, bound) if magnitude.endswith("亿") else ("", pos, bound)
    base = ""
    if not text.startswith(("个百分点", "%", "‰"), i) or not magnitude:
        base = next((b for b in _BASES if text.startswith(b, i)), "")
    if text.startswith("个百分点", i):
        base = "个百分点"
    if base in {"%", "‰", "个百分点"} and magnitude:
        return "", pos, bound
    if not base and magnitude:
        noun = next((n for n in _NOUN_UNITS if text.startswith(n, i)), None)
        modified = _NOUN_AFTER_MODIFIER.match(text, i) if noun is None else None
        if modified and not re.search(r"[的是在于为了]", modified.group(0)[:-2]):
            noun = modified.group(1)
        if noun:
            return magnitude + _NOUN_UNITS[noun], i, bound
        money = magnitude in {"亿", "万亿", "千亿", "百亿", "十亿"}
        if money and not _OTHER_MEASURE.match(text, i):
            return magnitude + "元", i, bound  # 4500亿: an amount of money
        return "", pos, bound
    end = i + len(base)
    per = _PER_UNIT.match(text, end) if base and base not in {"%", "‰", "个百分点"} else None
    if per:  # 17.4万元/人, 0.3吨/万元: a unit per another, kept as written
        return magnitude + base + "/" + per.group(1), per.end(), bound
    return magnitude + base, end, bound


# The denominator of a compound unit: 元/人, 吨标准煤/万元, 人/亿元.
_PER_UNIT = re.compile(
    r"\s*/\s*((?:"
    + "|".join(_MAGNITUDES_LONGEST)
    + r")?(?:"
    + "|".join(re.escape(b) for b in _BASES if b not in {"%", "‰"})
    + r"))"
)
# Units written in Latin letters, read as the loader's units (人均体育场地面积2.2m2).
_LATIN_UNITS = (
    ("km²", "平方公里"),
    ("km2", "平方公里"),
    ("m²", "平方米"),
    ("m2", "平方米"),
    ("m³", "立方米"),
    ("m3", "立方米"),
    ("kWh", "千瓦时"),
    ("kW", "千瓦"),
    ("km", "公里"),
)
# A ratio written X∶1 (城乡居民收入比2.3∶1): X times; ``:`` only where the clause says 比.
_RATIO_TAIL = re.compile(r"\s*([∶:])\s*1(?![\d.])")
# Water quality classes and such, in Roman numerals (水质保持Ⅱ类).
_ROMAN = {"Ⅰ": 1, "Ⅱ": 2, "Ⅲ": 3, "Ⅳ": 4, "Ⅴ": 5, "I": 1, "II": 2, "III": 3, "IV": 4, "V": 5}
_ROMAN_CLASS = re.compile(r"(?<![A-Za-z])(Ⅰ|Ⅱ|Ⅲ|Ⅳ|Ⅴ|III|II|IV|I|V)\s*类")
# A rank in words: 迈入全国前三, 跻身全球前10位.
_RANK = re.compile(
    r"(?:迈入|进入|跻身|位居|位列|稳居|保持|居于?|排名|排在)"
    r"(?:全国|全球|世界|全省|全市|西部|中西部|同类城市|副省级城市)?(?:城市)?"
    r"前([一二三四五六七八九十]+|\d{1,3})(?!季|个月|年|天|批|\d)(?:位|名|强)?"
)


def _cn_number(written: str) -> int | None:
    """一 to 九十九 written in Chinese numerals (三, 十, 十五, 二十)."""
    if written.isdigit():
        return int(written)
    if written in _CN_COUNTS or written == "一":
        return 1 if written == "一" else _CN_COUNTS[written]
    tens, _ten, ones = written.partition("十")
    if not _ten:
        return None
    high = 1 if not tens else (_CN_COUNTS.get(tens) or (1 if tens == "一" else None))
    low = 0 if not ones else (_CN_COUNTS.get(ones) or (1 if ones == "一" else None))
    return None if high is None or low is None else high * 10 + low


def quantities(text: str) -> Iterator[Quantity]:
    """Every number with a unit, in the order written; years, dates and list numbers are
    left out. Besides Arabic digits: classes in Roman numerals (``Ⅱ类``) and ranks in
    words (``前三``, read as rank 3)."""
    found = list(_arabic_quantities(text))
    for match in _ROMAN_CLASS.finditer(text):
        found.append(Quantity(match.start(), match.end(), Decimal(_ROMAN[match.group(1)]), "类"))
    for match in _RANK.finditer(text):
        rank = _cn_number(match.group(1))
        if rank:
            found.append(Quantity(match.start(1) - 1, match.end(), Decimal(rank), "位"))
    found.sort(key=lambda q: q.start)
    yield from found


def _arabic_quantities(text: str) -> Iterator[Quantity]:
    consumed = 0
    for match in _NUMBER.finditer(text):
        start, end = match.span()
        if start < consumed:
            continue
        digits = match.group(1)
        after = text[end : end + 1]
        if text.startswith("年一遇", end):  # 100年一遇: a return period in years
            consumed = end + 1
            yield Quantity(start, end + 1, Decimal(digits), "年")
            continue
        if after in ("年", "月", "日") and (len(digits) == 4 or after != "年"):
            continue
        if after == "." or (after in "、)）" and start > 0 and text[start - 1] in "\n(（ "):
            continue  # "1." and "(1)" number a list
        ratio = _RATIO_TAIL.match(text, end)
        if ratio and (ratio.group(1) == "∶" or "比" in text[max(0, start - 12) : start]):
            consumed = ratio.end()
            yield Quantity(start, ratio.end(), Decimal(digits), "倍")
            continue
        latin = next((u for u in _LATIN_UNITS if text.startswith(u[0], end)), None)
        latin_end = end + len(latin[0]) if latin else end
        if latin and not re.match(r"[A-Za-z0-9]", text[latin_end : latin_end + 1]):
            consumed = latin_end
            yield Quantity(start, consumed, Decimal(digits), latin[1])
            continue
        # A range 2—3个 or 10%—20%: the lower bound, read up to the upper bound's unit.
        range_match = _RANGE_TAIL.match(text, end)
        unit_pos = range_match.end() if range_match else end
        unit, unit_end, bound = _unit_at(text, unit_pos)
        if not unit and range_match:
            unit, unit_end, bound = _unit_at(text, end)
        if not unit:
            continue
        if unit.endswith(tuple(_SKIPPED_BASES)) and unit not in _COUNTED_TIMES:
            continue
        if start > 0 and text[start - 1] == "第":
            continue
        before = text[max(0, start - 1) : start]
        if before in ("近", "约", "超"):
            bound = bound or before
        consumed = unit_end
        yield Quantity(start, unit_end, Decimal(digits), unit, bound)


# --- sentences ------------------------------------------------------------------------------


@dataclass
class Span:
    start: int
    end: int


_SPLIT_PATTERNS: dict[str, re.Pattern[str]] = {}


def _split(text: str, start: int, end: int, marks: str) -> list[Span]:
    """``text[start:end]`` cut at ``marks`` outside brackets and quotes."""
    pattern = _SPLIT_PATTERNS.get(marks)
    if pattern is None:
        pattern = _SPLIT_PATTERNS.setdefault(marks, re.compile(f"[(（“《)）”》{re.escape(marks)}]"))
    spans, s = [], start
    depth = 0
    for match in pattern.finditer(text, start, end):
        ch, i = match.group(0), match.start()
        if ch in "(（“《":
            depth += 1
        elif ch in ")）”》":
            depth = max(0, depth - 1)
        elif depth == 0:
            if i > s:
                spans.append(Span(s, i))
            s = i + 1
    if end > s:
        spans.append(Span(s, end))
    return spans


def lines(text: str) -> Iterator[Span]:
    pos = 0
    for line in text.split("\n"):
        yield Span(pos, pos + len(line))
        pos += len(line) + 1


def is_furniture(line: str) -> bool:
    return bool(_FURNITURE.search(line))


def _is_heading(line: str) -> bool:
    """A short line without punctuation: a title or section heading. One that holds a
    number is a heading only when it also names a time (``2022年 7个全力``)."""
    stripped = line.strip().lstrip("-* ").rstrip("*")
    if not 0 < len(stripped) <= 40 or any(c in stripped for c in "。；;,，:："):
        return False
    if (
        not any(True for _ in quantities(stripped))
        and not _SIZE_CLASS.search(stripped)
        and not _DOUBLING.search(stripped)
    ):
        return True
    return bool(re.match(r"(?:19|20)\d\d年|过去|今后|未来|近", stripped))


# --- the document -----------------------------------------------------------------------------


def _title(head: str) -> str:
    """The first line of prose that is not furniture, with a subtitle line (——…) after it."""
    found: list[str] = []
    for line in head.split("\n")[:12]:
        stripped = line.strip()
        if not stripped or is_furniture(stripped) or _is_spam(stripped):
            continue
        if found and not stripped.startswith(("—", "-", "(", "（")):
            break
        found.append(stripped)
    return "".join(found)


def _is_spam(line: str) -> bool:
    return any(phrase in line for phrase in SPAM_PHRASES)


def describe(head: str, context: DocumentContext) -> tuple[str, int, Frame]:
    """The document's kind, year and first frame, from the caller and the title lines."""
    title = _title(head)
    kind = context.kind
    if kind not in DOCUMENT_KINDS:
        if re.search(r"行动方案|规划|实施方案|纲要", title) and not re.search(
            r"执行情况|工作报告", title
        ):
            kind = "action_plan"
        elif "执行情况" in title:
            kind = "plan_execution_report"
        elif "工作报告" in title:
            kind = "work_report_digest"
        else:
            kind = "article"
    span_match = _SPAN.search(title)
    years = [int(y) for y in _YEAR.findall(title)]
    year = (
        context.year
        or (years[-1] if years else None)
        or (int(span_match.group(1)) if span_match else None)
        or _year_of_text(head)
    )
    span = (int(span_match.group(1)), int(span_match.group(2))) if span_match else (year, year + 4)
    if kind == "action_plan":
        return kind, year, Frame("target", span[1], str(year), span)
    if kind == "plan_execution_report":
        review = years[0] if years else year
        period = _period_in(title, review) or str(review)
        return kind, year, Frame("result", review, period, span)
    if kind == "work_report_digest":
        return kind, year, Frame("result", year - 1, str(year - 1), (year, year + 4))
    return kind, year, Frame("result", year, str(year), span)


def _year_of_text(text: str) -> int:
    """A document whose title names no year: the latest year its headings name (the year
    its plan is for: ``二、2018年发展主要预期目标``), else the year after the latest year it
    names when it looks back (过去一年, 回顾: a report on that year), else that year."""
    heading_years = [
        int(y) for line in text.split("\n") if _is_heading(line) for y in _YEAR.findall(line)
    ]
    if heading_years:
        return max(heading_years)
    written = [int(y) for y in _YEAR.findall(text)]
    if not written:
        return date.today().year
    latest = max(written)
    return latest + 1 if re.search(r"过去一年|过去五年|回顾|五年来", text) else latest


def _period_in(text: str, year: int) -> str | None:
    for pattern, code in _PERIOD_PHRASES:
        m = pattern.search(text)
        if not m:
            continue
        if code == "Y":
            return str(year)
        if code == "M":
            month = int(m.group(1))
            if month == 6:
                return f"{year}-H1"
            if month == 3:
                return f"{year}-Q1"
            if month == 12:
                return str(year)
            return f"{year}-M{month:02d}" if 1 <= month <= 12 else None
        return f"{year}-{code}"
    return None


def review_span(text: str, doc_year: int) -> tuple[int, int] | None:
    """The past years a review speaks of, read from its words and the document's year:
    ``过去五年`` and ``五年来`` in a 2023 report are 2018–2022, ``2018—2022年`` is itself,
    ``“十三五”时期`` is 2016–2020. A span must have ended before the document's year (a
    span that runs on is a goal's); one year (``过去一年``) is no span."""
    explicit = _SPAN.search(text)
    if explicit:
        first, last = int(explicit.group(1)), int(explicit.group(2))
        if first < last < doc_year:
            return first, last
    since = _SINCE_YEAR.search(text)
    if since and int(since.group(1)) < doc_year - 1:
        return int(since.group(1)), doc_year - 1
    named = _PLAN_PERIOD.search(text)
    if named:
        first = _PLAN_PERIODS[named.group(1)]
        if first + 4 < doc_year:
            return first, first + 4
    past = _PAST_YEARS.search(text)
    if past:
        written = past.group(1) or past.group(2) or past.group(3)
        count = int(written) if written.isdigit() else _CN_COUNTS.get(written, 1)
        if 2 <= count <= 20:
            return doc_year - count, doc_year - 1
    return None


def _heading_frame(line: str, frame: Frame, kind: str, year: int) -> Frame | None:
    """The frame a heading opens, or None when it does not change it."""
    if kind == "action_plan":
        return None
    text = line.strip()
    span = review_span(text, year)
    if span is not None:
        return replace(frame, mode="result", year=span[1], period=str(span[1]), review=span)
    if re.search(r"过去一年|一年来", text):
        return replace(frame, mode="result", year=year - 1, period=str(year - 1), review=None)
    if re.search(r"今后五年|未来五年|到20\d\d年", text):
        return replace(frame, mode="target", review=None)
    years = [int(y) for y in _YEAR.findall(text)]
    if any(w in text for w in _REVIEW_HEADINGS):
        review = years[0] if years else frame.year
        period = _period_in(text, review) or (frame.period if review == frame.year else str(review))
        return replace(frame, mode="result", year=review, period=period, review=None)
    if any(w in text for w in _PLAN_HEADINGS) or (years and years[0] >= year and kind != "article"):
        plan_year = years[0] if years and years[0] >= year else year
        return replace(frame, mode="plan", year=plan_year, period=str(plan_year), review=None)
    if years and years[0] < year:
        return replace(frame, mode="result", year=years[0], period=str(years[0]), review=None)
    if frame.mode == "target" and kind == "work_report_digest" and _SECTION_HEADING.match(line):
        # The numbered sections after the five-year goals are the year's work.
        return replace(frame, mode="plan", year=year, period=str(year))
    return None


# --- one sentence -----------------------------------------------------------------------------

_GROWTH = re.compile(
    r"(年均)?(?:同比)?(?:分别|均|都)?(增长|增速为?|增速达到?|增幅|涨幅|上涨|提高|上升|下降|降低|减少|回落|增加)了?(?:分别)?(?:为|达|达到|至|约)?$"
)
# A growth written as a rate: 实际使用外资年均增长率达到10%, 年复合增长率超过15%.
_AVERAGE_RATE = re.compile(r"(?:年均|年复合)增长率(?:为|达到?|超过|超|保持在|稳定在|在)?$")
# In a multi-year goal, what is newly done over the span is a sum over it (城镇新增就业累计300
# 万人, 新建50个智能工厂, 筹集保障性租赁住房22万套); 累计 alone is a running total of what
# exists at the end (累计通车里程超过7300公里, 累计建成100所), a level.
_SPAN_FLOW = re.compile(
    r"^(?:滚动|全市|全区|每年)?(?:新增|新建|新创建|新落户|新培育|新认证|新开工|引进|培养|培训|"
    r"筹集|改造|举办|产生|实施)|新增"
)
_SHARE_DONE = re.compile(
    r"(完成(?:了)?(?:年度|全年)?(?:目标)?(?:投资)?(?:计划|目标|任务)(?:任务)?的?|完成率(?:为|达到?)?|"
    r"超年度计划|占年度(?:投资)?计划的?|时序进度的?)$"
)
# Words that name a completion share, not a goal: struck out before goal words are sought.
_COMPLETION_WORDS = re.compile(
    r"完成(?:了)?(?:年初|年度|全年)?(?:目标)?(?:投资)?(?:计划|目标|任务)+|年度(?:投资)?计划|完成率|目标任务"
)
_SINCE = re.compile(r"(?:比|较|相比|同)\s*((?:19|20)\d{2})\s*年(?:末|底)?")
_COMPARISON = re.compile(
    r"(比上年|较上年|比去年|较去年|较年初|同比|较同期|比同期|较去年同期|较去年末|较上年末|比年初)"
    r"[^,，、。；]{0,6}?(增加|减少|多|少|高出|提高|下降|降低|上升|增长|扩大|缩小)(了)?(?:超过|超|近|约|达)?$"
)
# A stock whose change is a figure of its own: 贷款余额同比增加1400亿元 is the new lending.
_STOCK = re.compile(r"(?:余额|存量)\s*$")
_COMPARATOR_BEFORE: tuple[tuple[str, str], ...] = (
    ("不低于", ">="),
    ("不少于", ">="),
    ("不超过", "<="),
    ("控制在", "<="),
    ("提高到", ">="),
    ("提升到", ">="),
    ("提高至", ">="),
    ("提升至", ">="),
    ("超过", ">"),
    ("突破", ">="),
    ("达到", ">="),
    ("低于", "<"),
    ("小于", "<"),
    ("超", ">"),
)
_COMPARATOR_AFTER: tuple[tuple[str, str], ...] = (
    ("以上", ">="),
    ("左右", "~"),
    ("以内", "<="),
    ("以下", "<="),
)
_LEAD_WORDS = re.compile(
    r"^(?:其中|全年|今年|上半年|一季度|年末|年底|全市|全区|全县|累计|力争|确保|争取|"
    r"预计|到20\d\d年|20\d\d年|1\s*[—–\-－]\s*\d+月|同时|并|和|及|与|实现|完成|"
    r"[一二三四五六七八九十]+是|\(?[一二三四五六七八九十]+\)|\d+\.)*"
)
_TRAIL_WORDS = re.compile(
    r"(?:同比|分别|年均|均|累计|共|总计|合计|预计|力争|确保|达到|达|实现|完成|超过|突破|超|"
    r"增至|提高到|提升到|提高至|提升至|控制在|保持在|稳定在|不低于|不超过|低于|约|近|为|至|在|了|的|"
    r"增长|增速|下降|降低|提高|从|由|平均|平均为|(?:19|20)\d\d年(?:末|底)?的?)+$"
)


@dataclass
class _Sentence:
    start: int
    end: int
    text: str  # the simplified text of the sentence (offsets relative to ``start``)


@dataclass
class _Item:
    q: Quantity
    clause: Span
    basis: str = "value"
    comparator: str | None = None
    growth_of: _Item | None = None
    growths: list[_Item] = field(default_factory=list)
    completion: _Item | None = None
    skip: bool = False
    is_growth: bool = False
    phrase: str = ""
    context: str = ""
    listed: bool = False
    shared_subjects: list[str] = field(default_factory=list)
    frame: Frame | None = None  # how this number is read (a sentence may turn to a goal)
    head: int = -1  # where the words that govern it begin: its clause, or its list's first
    stock_change: bool = False  # 余额同比增加X: a change of a stock, not the stock
    baseline: _Item | None = None  # 由X提高到Y: Y's starting value X
    since: int | None = None  # 比2020年下降13.5%: the year a change is counted from
    baseline_of: _Item | None = None


def _sentences(text: str, line: Span) -> Iterator[_Sentence]:
    for s in _split(text, line.start, line.end, _SENTENCE_END):
        yield _Sentence(s.start, s.end, text[s.start : s.end])


def _clause_of(clauses: Sequence[Span], pos: int) -> Span:
    return next((c for c in clauses if c.start <= pos < c.end), Span(pos, pos))


def _comparator(before: str, after: str, frame_mode: str, lower: bool) -> str | None:
    for word, comp in _COMPARATOR_AFTER:
        if after.startswith(word):
            return comp
    for word, comp in _COMPARATOR_BEFORE:
        if before.endswith(word) or before.endswith(word + "了"):
            return comp
    return "<=" if lower else ">="


def _quoted(text: str, start: int, pos: int) -> bool:
    """Inside “…” or 《…》 a number is part of a name (“支持市场主体发展36条”)."""
    head = text[start:pos]
    return head.count("“") > head.count("”") or head.count("《") > head.count("》")


# 印发…23条政策措施, 落实…27条举措: the number of articles names a policy package.
_POLICY_ARTICLES = re.compile(r"\d+\s*条\s*(?:政策)?(?:措施|举措|意见|政策)")


def _is_qualifier(
    text: str, q: Quantity, clause_end: int, numbers_after: bool, rate_after: bool = False
) -> bool:
    """``3岁以下婴幼儿``, ``5000万元以上项目``: a size that qualifies a noun, not a figure;
    ``74个国考断面水质优良比例达98.6%``: a count that names the set a rate is of."""
    after = text[q.end : clause_end]
    m = re.match(r"(以上|以下|及以上|级)", after)
    if m is not None and len(after) > len(m.group(1)) and numbers_after:
        return True
    return rate_after and q.unit in _COUNTS and bool(_RATE_NOUN.search(after))


_COUNTS = {"个", "家", "项", "所", "座", "条", "户", "人", "名"}
_RATE_NOUN = re.compile(r"^[^,，、;；]*?(?:率|比例|占比|比重)[^,，、;；\d]{0,6}\d")


def _read_sentence(
    text: str,
    sentence: _Sentence,
    frame: Frame,
    context: DocumentContext,
    doc_year: int,
    line_region: str,
) -> list[Figure]:
    s_text = sentence.text
    found = [q for q in quantities(text[sentence.start : sentence.end])]
    if not found:
        if frame.mode == "result" or not (_SIZE_CLASS.search(s_text) or _DOUBLING.search(s_text)):
            return []
        _before, goal, _split_at = _sentence_frames(s_text, frame, doc_year)
        if goal.mode == "result":
            return []
        return _size_classes(
            text, sentence, goal.mode, goal.year, goal.span, line_region
        ) + _doublings(text, sentence, goal.mode, goal.year, goal.span, line_region)
    for q in found:
        q.start += sentence.start
        q.end += sentence.start
    clauses = _split(text, sentence.start, sentence.end, _CLAUSE_END)
    first, then, split_at = _sentence_frames(s_text, frame, doc_year)
    region = line_region
    items: list[_Item] = []
    completions: list[_Item] = []
    for index, q in enumerate(found):
        clause = _clause_of(clauses, q.start)
        read_as = then if q.start - sentence.start >= split_at else first
        mode = read_as.mode
        before = text[clause.start : q.start]
        after = text[q.end : sentence.end]
        item = _Item(q, clause, frame=read_as)
        numbers_after = any(o.start < clause.end for o in found[index + 1 :])
        if _quoted(text, sentence.start, q.start) or _POLICY_ARTICLES.match(text, q.start):
            continue
        rate_after = any(
            o.unit == "%" and o.start < clause.end for o in found[index + 1 : index + 2]
        )
        if _is_qualifier(text, q, clause.end, numbers_after, rate_after) or (
            q.unit in {"个百分点"} and mode == "result"
        ):
            continue
        if (
            q.unit == "%"
            and mode == "result"
            and (  # a goal reports no progress
                _SHARE_DONE.search(before)
                or (completions and _continues_list(text, completions[-1].q.end, q.start))
            )
        ):
            rate = q.value + 100 if before.endswith("超年度计划") else q.value
            completions.append(_Item(replace(q, value=rate), clause))
            continue
        previous = items[-1] if items else None
        if previous is not None and _continues_list(text, previous.q.end, q.start):
            # 分别增长12.8%、16%: the numbers after the first read as the first does.
            item.is_growth, item.basis, item.comparator = (
                previous.is_growth,
                previous.basis,
                previous.comparator,
            )
            if previous.is_growth and previous.q.value < 0:
                item.q = replace(q, value=-q.value)
            item.phrase, item.context = _phrase(text, sentence, clause, q, before)
            item.listed = True
            item.head = previous.head if previous.head >= 0 else previous.clause.start
            item.shared_subjects = previous.shared_subjects[1:]
            if previous.shared_subjects:
                previous.phrase = previous.shared_subjects[0]
                item.phrase = previous.shared_subjects[1]
            items.append(item)
            continue
        comparison = _COMPARISON.search(before)
        growth = _GROWTH.search(before)
        if comparison and q.unit not in {"%"} and not _STOCK.search(before[: comparison.start()]):
            continue  # 同比增加4.3万亩: a difference from another period
        if comparison and q.unit not in {"%"}:
            item.stock_change = True  # the growth after it (增速28%) is the stock's
        if q.unit in {"%", "个百分点"} and (growth or comparison):
            words = (growth.group(0) if growth else "") + (
                comparison.group(0) if comparison else ""
            )
            negative = any(w in words for w in ("下降", "降低", "减少", "回落"))
            value = -q.value if negative else q.value
            item.q = replace(q, value=value)
            if q.unit == "个百分点":
                item.basis = "change"
            elif "年均" in words or "年均" in before:
                item.basis = "cagr"
            else:
                item.basis = "change" if mode == "target" else "yoy"
            item.is_growth = True
            since = _SINCE.search(before)
            if since and item.basis == "yoy" and int(since.group(1)) != read_as.year - 1:
                if mode == "result":
                    continue  # 比2020年增长23.9%: a change over several years, no yoy growth
                item.basis = "change"  # a plan's 比2020年下降13.5%: a change from then
            if since and item.basis == "change":
                item.since = int(since.group(1))
        elif q.unit == "%" and _AVERAGE_RATE.search(before):
            item.basis, item.is_growth = "cagr", True  # 年均增长率达到10%
        elif mode == "target" and _SPAN_FLOW.search(_phrase(text, sentence, clause, q, before)[0]):
            item.basis = "cumulative"
        lower = q.unit in _SMALLER_IS_BETTER or any(
            w in text[clause.start : clause.end] for w in _LOWER_WORDS
        )
        item.comparator = None if mode == "result" else _comparator(before, after, mode, lower)
        item.phrase, item.context = _phrase(text, sentence, clause, q, before)
        items.append(item)
        _share_subjects(text, sentence, item, items, found, index)
    _attach_baselines(items, text)
    _attach_growth(items, text)
    _attach_completions(items, completions)
    figures: list[Figure] = []
    if then.mode != "result":
        figures.extend(_size_classes(text, sentence, then.mode, then.year, then.span, line_region))
        figures.extend(
            _doublings(text, sentence, then.mode, then.year, then.span, line_region, found)
        )
    subjects = _lead_regions(s_text)
    for item in items:
        if item.growth_of is not None:
            continue
        read = _figure(text, sentence, item, region)
        own = _region_in(text[item.clause.start : item.q.start]) or re.search(
            r"全市|全区|全县|全省|全国", text[item.clause.start : item.q.start]
        )
        if subjects and not own:
            read = [replace(f, region=code) for f in read for code in subjects]
        figures.extend(read)
    figures.sort(key=lambda f: f.quote_start)
    return figures


def _lead_regions(s_text: str) -> list[str]:
    """The regions a sentence opens with, its subject (``渝东北…城镇群和渝东南…城镇群现代化
    建设取得显著成效,常住人口城镇化率达到60%``): each of them holds the sentence's figures
    that name no region of their own."""
    first = re.split(r"[,，:：]", s_text, maxsplit=1)[0]
    first = re.sub(r"^(?:\s|-|\*|推动|支持|加快|力争|确保|到20\d\d年)+", "", first)
    if not any(first.startswith(phrase) for phrase, _code in REGION_PHRASES):
        return []
    found: list[tuple[int, str]] = []
    for phrase, code in REGION_PHRASES:
        at = first.find(phrase)
        if at >= 0 and code not in (c for _a, c in found):
            found.append((at, code))
    return [code for _at, code in sorted(found)]


def _subjects(text: str, sentence: _Sentence, q: Quantity, marks: str = "、和及与") -> list[str]:
    """The subjects listed before a number, across 、 and 和 (``货运量、货运值均增长``)."""
    head = text[sentence.start : q.start]
    head = re.split(r"[,，:：]", head)[-1]
    head = _LEAD_WORDS.sub("", _TRAIL_WORDS.sub("", head))
    return [w for w in re.split(f"[{marks}]", head) if w]


def _share_subjects(
    text: str,
    sentence: _Sentence,
    item: _Item,
    items: list[_Item],
    found: list[Quantity],
    index: int,
) -> None:
    """``A、B均增长39%`` and ``A、B分别达100%``: one number for each subject; ``A、B分别增长
    4.1%、5.6%``: the listed numbers take the subjects in order. Without 均 or 分别, one
    level that cannot be a joint total (a rate, a rank, a class, a ratio) after a list of
    subjects is each subject's: ``A、B参保率稳定在95%以上``, ``A、B产量迈入全国前三``."""
    before = text[sentence.start : item.q.start][-8:]
    shared_word = re.search(r"((?<!年)均|都|分别)\S{0,5}$", before)
    each_level = item.q.unit in _PER_SUBJECT_UNITS and (not item.is_growth or item.basis == "cagr")
    if not shared_word and not each_level:
        return
    subjects = _subjects(text, sentence, item.q, "、和及与" if shared_word else "、")
    if len(subjects) < 2:
        return
    listed = 1
    while index + listed < len(found) and _continues_list(
        text, found[index + listed - 1].end, found[index + listed].start
    ):
        listed += 1
    if not shared_word and (
        listed > 1
        or len(subjects) > 4
        or "等" in subjects[-1]  # A、B等平台: the platforms together
        or any(len(w) > 20 or re.search(r"\d", w) or _SCOPE.match(w) for w in subjects)
    ):
        return
    if listed == len(subjects):
        item.shared_subjects = subjects
        return
    if listed == 1:
        item.phrase = subjects[0]
        for subject in subjects[1:]:
            items.append(replace(item, phrase=subject, growths=[]))


_PER_SUBJECT_UNITS = {"%", "‰", "位", "类", "倍"}
# 区县、乡镇(街道)…比例: levels of government that scope one measure, not subjects of their own.
_SCOPE = re.compile(r"^(?:市|省|区|县|区县|乡镇|街道|村|社区)级?(?:\(.*\))?$")


def _continues_list(text: str, previous_end: int, start: int) -> bool:
    """Only a list mark between the number before and this one: 255家、6401家和45230家."""
    between = text[previous_end:start]
    return bool(re.fullmatch(r"\s*(?:、|和|及|与|,|，)\s*", between))


_SIZE_CLASS = re.compile(
    r"(?<![\d.一二三四五六七八九十])(?:([两二三四五六七八九十])大)?(万亿|千亿)级"
)
_CN_NUMBERS = {
    "两": 2,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}


def _size_classes(
    text: str, sentence: _Sentence, mode: str, year: int, span: tuple[int, int], region: str
) -> list[Figure]:
    """``两大万亿级产业集群``, ``A、B、C等千亿级产业集群``: a goal of one 万亿元 (千亿元) of
    output for each cluster named, as the seeds read it."""
    figures = []
    for match in _SIZE_CLASS.finditer(text, sentence.start, sentence.end):
        start = max(
            sentence.start, *(text.rfind(c, sentence.start, match.start()) + 1 for c in ",，:：")
        )
        head = re.sub(
            r"^(?:力争|确保|加快|升级|打造|建设|培育|将|推动)+", "", text[start : match.start()]
        )
        head = re.sub(r"(?:打造成|打造|建设|培育|等)+$", "", head)
        if "一批" in head:
            continue  # 一批千亿级…: how many is not said
        names = [n for n in re.split(r"[、和及与]", head) if n]
        count = _CN_NUMBERS[match.group(1)] if match.group(1) else max(1, len(names))
        if match.group(1) and len(names) == count:
            pass
        elif len(names) != count:
            names = [head] * count
        if not head:  # 打造千亿级钢铁产业集群: named after the class
            named = re.match(r"[^,，、。；;]{1,16}", text[match.end() : sentence.end])
            names = [named.group(0) if named else ""] * count
        context = text[sentence.start : match.start()]
        note = f"{match.group(2)}级 read as at least 1 {match.group(2)}元 of output"
        figures += [
            _goal_at_least(
                mode,
                name,
                region,
                (year, span),
                ("value", Decimal(1), match.group(2) + "元"),
                (start, match.end(), 0.5, context, note),
            )
            for name in names
        ]
    return figures


def _goal_at_least(
    mode: str,
    name: str,
    region: str,
    when: tuple[int, tuple[int, int]],
    measure: tuple[str, Decimal, str],
    found: tuple[int, int, float, str, str],
) -> Figure:
    """A ``>=`` goal of one subject read from a phrase of the sentence (a target in a
    multi-year part, a plan otherwise): ``measure`` is (basis, value, unit), ``found`` is
    (quote start, quote end, confidence, context, note)."""
    year, span = when
    basis, value, unit = measure
    start, end, confidence, context, note = found
    kind = "target" if mode == "target" else "plan"
    return Figure(
        kind,
        name[:40],
        region,
        None,
        year if kind == "plan" else None,
        span[0] if kind == "target" else None,
        span[1] if kind == "target" else None,
        basis,
        ">=",
        value,
        unit,
        None,
        None,
        start,
        end,
        confidence,
        context,
        note,
    )


_DOUBLING = re.compile(r"“?(?:双倍增|倍增|翻一番|翻番)”?")


def _after_number(text: str, end: int) -> int:
    """Where the words after a number and its comparator begin (…5家以上、B实现“倍增”: B)."""
    tail = re.match(r"(?:以上|以下|左右|以内|余|多)?\s*[、和及与]?", text[end:])
    return end + (tail.end() if tail else 0)


def _doublings(
    text: str,
    sentence: _Sentence,
    mode: str,
    year: int,
    span: tuple[int, int],
    region: str,
    numbers: Sequence[Quantity] = (),
) -> list[Figure]:
    """``A和B“双倍增”``, ``绿色融资余额翻一番``: a goal of growing by 100 % for each subject,
    unless the sentence goes on to state totals (``“双倍增”,总量分别达到…``: the totals
    are the figures)."""
    figures = []
    for match in _DOUBLING.finditer(text, sentence.start, sentence.end):
        if any(q.start >= match.end() for q in numbers):
            continue
        start = max(
            sentence.start,
            *(text.rfind(c, sentence.start, match.start()) + 1 for c in ",，:："),
            *(_after_number(text, q.end) for q in numbers if q.end < match.start()),
        )
        head = re.sub(r"^(?:力争|确保|实现|推动|加快|全市)+", "", text[start : match.start()])
        head = re.sub(r"(?:实现|达到|均|都)+$", "", head).strip("“”")
        names = [
            n.strip("“”")
            for n in re.split(r"[、和及与]", head)
            if n.strip("“”") and not re.search(r"\d", n)  # …5家以上、B实现“倍增”: B's
        ]
        launched = re.match(r"(?:启动|实施|制定|开展)", head)
        programme = re.match(r"(?:计划|行动|工程|方案|政策)", text[match.end() : match.end() + 2])
        if not names or launched or programme:
            continue  # 实施…倍增计划: a programme launched, not a stated goal
        context = text[sentence.start : match.start()]
        note = f"{match.group(0).strip('“”')} read as growth of at least 100 %"
        figures += [
            _goal_at_least(
                mode,
                name,
                region,
                (year, span),
                ("change", Decimal(100), "%"),
                (start, match.end(), 0.6, context, note),
            )
            for name in names
        ]
    return figures


_FROM = re.compile(r"(?:从|由)\s*(?:((?:19|20)\d{2})\s*年(?:末|底)?的?)?\s*$")
_TO = re.compile(
    r"^[^,，;；。]{0,8}?(?:增加|提高|提升|上升|下降|降低|减少|缩小|扩大|增长|降)?(?:到|至)(?:了)?\s*$"
)


def _attach_baselines(items: list[_Item], text: str) -> None:
    """``由2022年的2.1%提高到2.5%``, ``从54万亿元增加到82.7万亿元``: the first number is
    where the second started. For a goal it is the goal's baseline (not a goal of its own);
    in a review it stays an observation of its own, of the year written or the year before."""
    for first, second in itertools.pairwise(items):
        if first.is_growth or second.is_growth or first.clause.start != second.clause.start:
            continue
        if first.q.unit[-1:] != second.q.unit[-1:]:
            continue  # 由2.1%提高到2.5%, 从54万亿元增加到82.7万亿元: one measure
        before = text[first.clause.start : first.q.start]
        if _FROM.search(before) and _TO.search(text[first.q.end : second.q.start]):
            second.baseline, first.baseline_of = first, second
            second.phrase = first.phrase or second.phrase
            second.context = first.context


def _attach_completions(items: list[_Item], completions: list[_Item]) -> None:
    """``完成年度计划的54.7%`` belongs to the value before it; ``分别完成…的101.1%、100.7%``
    to the values before it in order. A share with no value to carry it yields nothing."""
    run: list[_Item] = []
    for completion in completions:
        values = [i for i in items if not i.is_growth and i.q.end <= completion.q.start]
        if not values:
            continue
        run.append(completion)
    if not run:
        return
    values = [
        i for i in items if not i.is_growth and i.q.end <= run[0].q.start and i.completion is None
    ]
    if len(values) >= len(run):
        for value_item, completion in zip(values[-len(run) :], run, strict=True):
            value_item.completion = completion


def _attach_growth(items: list[_Item], text: str) -> None:
    """``30.5万吨、同比增长5%``: a growth clause with no subject is the growth of the value
    before it; ``分别达到15.3万头、175.2万只,同比分别增长4.3%、0.6%`` pairs them in order."""
    i = 0
    while i < len(items):
        item = items[i]
        if not item.is_growth or item.basis != "yoy" or item.phrase:
            i += 1
            continue
        run = [item]
        j = i + 1
        while (
            j < len(items)
            and items[j].is_growth
            and items[j].basis == "yoy"
            and not items[j].phrase
        ):
            run.append(items[j])
            j += 1
        values = [
            v
            for v in items[:i]
            if not v.is_growth and v.growth_of is None and not v.growths and not v.stock_change
        ]
        if values and len(values) >= len(run):
            targets = values[-len(run) :]
            for value_item, growth_item in zip(targets, run, strict=True):
                value_item.growths.append(growth_item)
                growth_item.growth_of = value_item
        i = j


def _phrase(
    text: str, sentence: _Sentence, clause: Span, q: Quantity, before: str
) -> tuple[str, str]:
    """The words naming what is counted: the clause before the number, cue words dropped;
    a clause that starts with its number (``4个区``) names it after the unit."""
    phrase = _TRAIL_WORDS.sub("", before.strip())
    phrase = _LEAD_WORDS.sub("", phrase)
    phrase = phrase.strip(" “”\"'()（）-*")
    if len(phrase) < 2:
        tail = re.match(r"[^,，、。；;:：]{0,16}", text[q.end : clause.end])
        phrase = (tail.group(0) if tail else "").lstrip("余多以上左右的")
        phrase = re.sub(r"(以上|左右|以内)", "", phrase)
        phrase = re.sub(r"^[(（][^)）]*[)）]?", "", phrase)  # (以下简称“增长”): an aside
    context = text[sentence.start : q.start]
    return phrase[:40], context


_FORECAST = re.compile(r"预计(?:全年|今年|年底|年末)")
_BASELINE_YEAR = re.compile(r"(?:从|由|比|较|相比)\s*((?:19|20)\d{2})\s*年")


def _goal_start(s_text: str, frame: Frame, doc_year: int) -> int | None:
    """Where the goal words of a review's sentence begin (an offset into it), or None:
    力争/确保/目标… (a completion share's words struck out), 到2027年 of a later year, and
    预计全年 while the year is open. A goal word holds from its own clause on: the results
    stated before it stay results (``…达98.3%,提前3年达到…目标``)."""
    masked = _COMPLETION_WORDS.sub(lambda m: "_" * len(m.group(0)), s_text)
    found = [masked.find(w) for w in _FIRM_GOAL_WORDS if w in masked]
    forecast = _FORECAST.search(s_text)
    if forecast and frame.year >= doc_year:
        found.append(forecast.start())
    to_year = re.search(r"到(20\d\d)年", s_text)
    if to_year and int(to_year.group(1)) > doc_year:
        found.append(to_year.start())
    if not found:
        return None
    where = min(found)
    goal_part = s_text[where:]
    if (
        not (to_year and to_year.start() == where)
        and any(w in goal_part for w in ("同比", "比上年", "较上年"))
        and not any(w in goal_part for w in ("力争", "确保", "目标"))
    ):
        return None  # 全年计划…同比增长: a result compared with last year
    return max((s_text.rfind(c, 0, where) for c in _CLAUSE_END + _SENTENCE_END), default=-1) + 1


def _sentence_frames(s_text: str, frame: Frame, doc_year: int) -> tuple[Frame, Frame, int]:
    """The sentence's own words can turn a result into a goal, or a plan into a target.
    Answers the frame of the sentence up to an offset, the frame from it on, and the offset
    (0 when one frame holds for the whole sentence)."""
    to_year = re.search(r"到(20\d\d)年", s_text)
    if frame.mode == "plan":
        if to_year and int(to_year.group(1)) > doc_year:
            end = int(to_year.group(1))
            target = replace(frame, mode="target", year=end, span=(frame.span[0], end))
            return target, target, 0
        if any(w in s_text for w in ("每年", "今后五年", "未来五年", "五年内")):
            target = replace(frame, mode="target", year=frame.span[1])
            return target, target, 0
    if frame.mode != "result":
        return frame, frame, 0
    split = _goal_start(s_text, frame, doc_year)
    if split is None:
        result = _result_frame(s_text, frame, doc_year)
        return result, result, 0
    result = _result_frame(s_text[:split], frame, doc_year)
    goal_part = s_text[split:]
    to_year = re.search(r"到(20\d\d)年", goal_part)
    if to_year and int(to_year.group(1)) > doc_year:
        end = int(to_year.group(1))
        goal = replace(frame, mode="target", year=end, span=(frame.span[0], end), review=None)
    else:
        open_year = frame.year >= doc_year
        year = max(frame.year, doc_year) if open_year else doc_year
        goal = replace(frame, mode="plan", year=year, review=None)
    return result, goal, split


def _result_frame(s_text: str, frame: Frame, doc_year: int) -> Frame:
    """A review's sentence may name its own period (上半年, 去年, 2021年) or span
    (过去五年, 2018—2022年)."""
    span = review_span(s_text, doc_year)
    if span is not None:
        return replace(frame, year=span[1], period=str(span[1]), review=span)
    period = frame.period
    own = _period_in(s_text, frame.year)
    if own:
        period = own
    if re.search(r"去年|上年", s_text) and not re.search(
        r"同比|比上年|较上年|较去年|比去年", s_text
    ):
        period = str(frame.year - 1)
    baselines = {m.start(1) for m in _BASELINE_YEAR.finditer(s_text)}
    years = [int(m.group(1)) for m in _YEAR.finditer(s_text) if m.start(1) not in baselines]
    if years and years[-1] < frame.year and not _period_in(s_text, frame.year):
        period = str(years[-1])
    return replace(frame, period=period)


# In a review of past years, the words that make a figure a sum over the span, and those
# that make it a level reached at the span's end.
_SPAN_SUM_WORDS = re.compile(r"累计|净增|新增|共计|合计|总计|五年|[两三四五六七八九十]年")
_LEVEL_WORDS = re.compile(
    r"达到|达|突破|增加到|增至|提高到|提升到|提高至|提升至|升至|总量|规模|余额|保有量|覆盖|"
    r"稳定在|保持在|巩固在|超过|率|比重|占比"
)
_OWN_YEAR = re.compile(r"((?:19|20)\d{2})\s*年(?:末|底)?的?\s*$")


def _observation_period(text: str, item: _Item, frame: Frame) -> tuple[str, str]:
    """An observation's period and what it means: a number written right after a year
    (``从2017年的2.01万亿元``) is that year's; in a review of past years (DESIGN v1.1
    "Spans of years") an average growth (年均增长) and a sum (累计, 净增, 新增, or a count of
    what was done) are figures of the span, a level (达到, 突破, 总量, a rate) is the level at
    the span's end."""
    before = text[item.clause.start : item.q.start]
    own = _OWN_YEAR.search(before)
    if own and int(own.group(1)) < frame.year:
        return own.group(1), ""
    if item.baseline_of is not None:  # 从54万亿元增加到…: where the period started
        start = frame.review[0] if frame.review else frame.year
        return str(start - 1), "the level before the period (从…增加到)"
    if frame.review is None:
        return frame.period, ""
    first, last = frame.review
    span = f"{first}-{last}"
    if item.basis == "cagr":
        return span, f"年均增长: the average annual growth over {span}"
    if item.is_growth:
        return span, f"growth over {span}"
    before = text[item.head if item.head >= 0 else item.clause.start : item.q.start]
    if _SPAN_SUM_WORDS.search(before):
        return span, f"a sum over {span}"
    if item.q.unit in {"%", "‰"} or _LEVEL_WORDS.search(before):
        return frame.period, f"the level at the end of {span}"
    return span, f"done over {span}"


def _figure(text: str, sentence: _Sentence, item: _Item, region: str) -> list[Figure]:
    q = item.q
    frame = item.frame
    assert frame is not None
    mode, year, span = frame.mode, frame.year, frame.span
    sentence_before = text[sentence.start : q.start]
    region = _region_in(text[item.clause.start : q.start]) or region
    start = min([item.clause.start] + [g.clause.start for g in item.growths])
    end = max(
        [q.end]
        + [g.q.end for g in item.growths]
        + ([item.completion.q.end] if item.completion else [])
    )
    if item.is_growth and not item.phrase:
        start = _extend_left(text, sentence, item.clause)
    elif item.phrase and item.phrase not in text[start:end]:
        # a subject listed before its number (A、B分别增长4.1%、5.6%): quote from the list
        start = max(sentence.start, *(text.rfind(c, sentence.start, start) + 1 for c in ",，"))
    quote_end = end
    confidence = 0.9 if item.phrase else 0.6
    notes = ["力争"] if "力争" in sentence_before or "争取" in sentence_before else []
    if q.bound:
        notes.append(f"{q.bound} {q.value}")
    if mode != "result" and _FORECAST.search(sentence_before):
        notes.append("预计: a forecast of the year, not a commitment")
        confidence = 0.5  # nothing is promised and nothing measured yet: a person decides
    if mode == "result":
        own_clause = text[item.clause.start : q.start]
        if frame.review is not None and not item.is_growth and "年均" in own_clause:
            return []  # 年均1270万人: an average per year, neither the span's total nor a level
        period, meaning = _observation_period(text, item, frame)
        note = "; ".join(notes + ([meaning] if meaning else []))
        if item.is_growth:
            basis = "cagr" if item.basis == "cagr" else "yoy"
            return [
                Figure(
                    "observation",
                    item.phrase,
                    region,
                    period,
                    None,
                    None,
                    None,
                    basis,
                    None,
                    None,
                    None,
                    q.value,
                    None,
                    start,
                    quote_end,
                    confidence,
                    item.context,
                    note,
                )
            ]
        growth = item.growths[0].q.value if item.growths else None
        return [
            Figure(
                "observation",
                item.phrase,
                region,
                period,
                None,
                None,
                None,
                "value",
                None,
                q.value,
                q.unit,
                growth,
                item.completion.q.value if item.completion else None,
                start,
                quote_end,
                confidence,
                item.context,
                note,
            )
        ]
    unit = "%" if item.is_growth and item.basis != "change" else q.unit
    if item.basis == "change" and q.unit == "%":
        unit = "%"
    if item.baseline_of is not None:
        return []  # 由X提高到Y: X is Y's baseline
    note = "; ".join(notes)
    kind = "target" if mode == "target" else "plan"
    baseline_year, baseline_value = None, None
    if item.baseline is not None:
        written = _OWN_YEAR.search(text[item.baseline.clause.start : item.baseline.q.start])
        baseline_year = int(written.group(1)) if written else None
        baseline_value = item.baseline.q.value
        if item.baseline.q.unit != q.unit:  # 由2.1万亿元提高到25000亿元: left to the reader
            baseline_year, baseline_value = None, None
        start = min(start, item.baseline.clause.start)
    elif item.since is not None:
        baseline_year = item.since
    goals: list[tuple[str, int | None, int | None, int | None]]  # kind, year, start, end
    basis = item.basis
    if kind == "target" and item.basis in {"value", "cumulative"} and _every_year(text, item):
        # 每年城镇新增就业60万人以上: the same goal for each year of the span (DESIGN v1.1)
        note = "; ".join([*notes, f"每年: one plan for each year of {span[0]}-{span[1]}"])
        goals = [("plan", each, None, None) for each in range(span[0], span[1] + 1)]
        basis = "value"  # each year's amount
    elif kind == "target":
        goals = [("target", None, span[0], span[1])]
    else:
        goals = [("plan", year, None, None)]
    return [
        Figure(
            goal_kind,
            item.phrase,
            region,
            None,
            goal_year,
            start_year,
            end_year,
            basis,
            item.comparator,
            q.value,
            unit,
            None,
            None,
            start,
            quote_end,
            confidence,
            item.context,
            note,
            baseline_year=baseline_year,
            baseline_value=baseline_value,
        )
        for goal_kind, goal_year, start_year, end_year in goals
    ]


def _every_year(text: str, item: _Item) -> bool:
    """``每年…60万人``: an amount stated for every year of the span (not 年均, an average
    growth, and not 每年 of a rate, which is a level)."""
    before = text[item.clause.start : item.q.start]
    return "每年" in before and item.q.unit not in {"%", "‰", "个百分点"}


def _extend_left(text: str, sentence: _Sentence, clause: Span) -> int:
    """A growth with no subject in its clause (``分别增长5.2%``): quoted from the start
    of the sentence, where its subject is."""
    return sentence.start


def _region_in(text: str) -> str | None:
    found = [(text.rfind(p), code) for p, code in REGION_PHRASES if p in text]
    return max(found)[1] if found else None


# --- the whole text ---------------------------------------------------------------------------


def fold(text: str) -> str:
    """Full-width digits and signs as ASCII, one character for one."""
    return text.translate(_FOLD)


def extract(simplified: str, context: DocumentContext) -> list[Figure]:
    """Every figure of ``simplified`` (the text in Simplified script, offsets as the original)."""
    text = fold(simplified)
    kind, doc_year, frame = describe(text, context)
    first = frame
    figures: list[Figure] = []
    for line in lines(text):
        raw = text[line.start : line.end]
        if not raw.strip() or is_furniture(raw):
            continue
        if _is_heading(raw):
            opened = _heading_frame(raw, frame, kind, doc_year)
            if opened is not None:
                frame = opened
            continue
        line_region = context.region
        lead = raw.lstrip(" -*")
        for phrase, code in REGION_PHRASES:
            if lead.startswith(phrase):
                line_region = code
        carried = frame  # 今年一季度,…; …: a period named once holds to the paragraph's end
        for sentence in _sentences(text, line):
            own = None
            if frame.mode == "result":
                cut = _goal_start(sentence.text, frame, doc_year)
                own = _period_in(sentence.text[:cut], frame.year)
            if own:
                carried = replace(frame, period=own)
            figures.extend(
                replace(f, sentence=sentence.start)
                for f in _read_sentence(text, sentence, carried, context, doc_year, line_region)
            )
    del first
    return _once(figures)


def _core(phrase: str) -> str:
    return re.sub(r"[中的]+$", "", phrase.strip(" “”()（）"))


def _same_subject(one: str, other: str) -> bool:
    """Two phrases name one thing when they end alike (a Chinese noun phrase ends in its
    head): in six characters or more (计划安排重大建设项目, 年度重大建设项目中), or the
    whole of the shorter one (农业总产值 is not 规上工业总产值)."""
    a, b = _core(one), _core(other)
    if len(a) < 4 or len(b) < 4:
        return False
    common = 0
    while common < min(len(a), len(b)) and a[-1 - common] == b[-1 - common]:
        common += 1
    return common >= 6 or common == min(len(a), len(b))


def _once(figures: list[Figure]) -> list[Figure]:
    """A figure a document states twice (in its summary and again in its section, or a
    plan's count named again where its projects are listed) is proposed once: same kind,
    period, region, value, unit and growth, the same subject, in another sentence. The
    statement that says more (with its growth or completion share) is kept."""
    kept: list[Figure] = []
    seen: dict[tuple[object, ...], list[int]] = {}
    for figure in figures:
        key = (
            figure.kind,
            figure.period,
            figure.year,
            figure.start_year,
            figure.end_year,
            figure.region,
            figure.basis,
            figure.comparator if figure.kind != "observation" else None,
            figure.value,
            figure.unit,
            figure.yoy_growth if figure.value is None else None,
        )
        earlier = next(
            (
                i
                for i in seen.get(key, [])
                if kept[i].sentence != figure.sentence
                and _same_subject(kept[i].indicator_phrase, figure.indicator_phrase)
            ),
            None,
        )
        if earlier is None:
            seen.setdefault(key, []).append(len(kept))
            kept.append(figure)
        elif _detail(figure) > _detail(kept[earlier]):
            kept[earlier] = figure
    return kept


def _detail(figure: Figure) -> int:
    said = (figure.value, figure.yoy_growth, figure.reported_completion_rate)
    return sum(x is not None for x in said)
