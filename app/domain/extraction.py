"""Figures in a policy text: a small grammar of Chinese government documents.

A figure is a number with its unit (``41万人``, ``4.6%``, ``2411亿元``) in a clause that
names what is counted. The rules below read it the way a reader of these documents does:

- **Where the figure sits.** Sentences end at 。；; ！？ and at line breaks; clauses at
  ，, and 、. Headings (short lines without a full stop) set the *frame*: a review of a
  past period (``一、2022年…执行情况``, ``过去五年``), the annual plan (``…计划草案``,
  ``下一步工作打算``) or the multi-year goals (``今后五年``, an action plan's span).
- **What kind of figure.** In a review a figure is a result (an observation of the
  frame's period); goal words (力争, 确保, 目标, 计划, 到2027年 …) make it a goal. A goal for
  the document's year is a plan, one that runs to a later year (到2027年, 每年, 今后五年)
  a target. ``预计`` is a result when the year is over, a goal while it is not.
- **What it means.** ``增长X%`` is growth on the year before (``yoy``; ``下降`` makes it
  negative), ``年均增长`` an average over the span (``cagr``), ``累计`` a running total,
  ``提高X个百分点`` a change; ``完成年度计划的X%`` is a completion share that belongs
  to the figure before it, and a growth clause right after a value (``30.5万吨、同比增长5%``)
  is that value's growth.
- **The comparator** comes from the words around the number: 以上/达到/突破/不低于 ``>=``,
  超过/超 ``>``, 以内/控制在/不超过 ``<=``, 低于/小于 ``<``, 左右 ``~``; a plain goal is
  ``>=`` unless the sentence speaks of lowering something (``<=``).
- **What is not a figure.** Years and dates, ages and sizes that qualify a noun
  (``3岁以下婴幼儿``, ``亿元以上项目``), ordinals, list numbers, comparisons with another
  period in a review (``同比增加4.3万亩``), past multi-year averages and sums, and lines of
  page furniture (tables of metadata, portal spam) yield nothing. A figure whose number
  is missing yields nothing: nothing is guessed.

Only the standard library: the caller folds Traditional text to Simplified first (character
for character, so offsets into the simplified text are offsets into the original).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
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
    history: bool = False  # a multi-year review: averages and sums over it are not figures


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


# --- characters and words -------------------------------------------------------------------

# Full-width digits and signs folded one character for one, so offsets never move.
_FOLD = str.maketrans("０１２３４５６７８９％．～：；（）", "0123456789%.~:;()")
_SENTENCE_END = "。；;！？!?"
_CLAUSE_END = ",，、:："
_DASHES = "—–－~至到\\-"

_CN_DIGITS = "一二三四五六七八九十"
_SECTION_HEADING = re.compile(rf"^\s*[{_CN_DIGITS}]+、")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")
_SPAN = re.compile(r"((?:19|20)\d{2})\s*[—–\-－~至到]+\s*((?:19|20)\d{2})\s*年")

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
}

# Words that make a figure of a review a goal (争取 and 计划 do not: 争取中央资金 is a
# result, 团组计划 a name).
_FIRM_GOAL_WORDS = ("力争", "确保", "目标", "预期", "全年计划", "打表推进")
_LOWER_WORDS = ("降低", "下降", "减少", "控制在", "压减", "压降", "不超过", "以内")
_HISTORY_HEADINGS = ("过去五年", "五年来", "过去一年")
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
        if noun:
            return magnitude + _NOUN_UNITS[noun], i, bound
        if magnitude in {"亿", "万亿", "千亿", "百亿", "十亿"}:  # 4500亿: an amount of money
            return magnitude + "元", i, bound
        return "", pos, bound
    return magnitude + base, i + len(base), bound


def quantities(text: str) -> Iterator[Quantity]:
    """Every number with a unit; years, dates and list numbers are left out."""
    consumed = 0
    for match in _NUMBER.finditer(text):
        start, end = match.span()
        if start < consumed:
            continue
        digits = match.group(1)
        after = text[end : end + 1]
        if after in ("年", "月", "日") and (len(digits) == 4 or after != "年"):
            continue
        if after == "." or (after in "、)）" and start > 0 and text[start - 1] in "\n(（ "):
            continue  # "1." and "(1)" number a list
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


def _split(text: str, start: int, end: int, marks: str) -> list[Span]:
    spans, s = [], start
    depth = 0
    for i in range(start, end):
        ch = text[i]
        if ch in "(（“《":
            depth += 1
        elif ch in ")）”》":
            depth = max(0, depth - 1)
        elif ch in marks and depth == 0:
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
        or (int(span_match.group(1)) if span_match else 2023)
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


def _heading_frame(line: str, frame: Frame, kind: str, year: int) -> Frame | None:
    """The frame a heading opens, or None when it does not change it."""
    if kind == "action_plan":
        return None
    text = line.strip()
    if any(w in text for w in _HISTORY_HEADINGS):
        return replace(frame, mode="result", year=year - 1, period=str(year - 1), history=True)
    if re.search(r"今后五年|未来五年|到20\d\d年", text):
        return replace(frame, mode="target", history=False)
    years = [int(y) for y in _YEAR.findall(text)]
    if any(w in text for w in _REVIEW_HEADINGS):
        review = years[0] if years else frame.year
        period = _period_in(text, review) or (frame.period if review == frame.year else str(review))
        return replace(frame, mode="result", year=review, period=period, history=False)
    if any(w in text for w in _PLAN_HEADINGS) or (years and years[0] >= year and kind != "article"):
        plan_year = years[0] if years and years[0] >= year else year
        return replace(frame, mode="plan", year=plan_year, period=str(plan_year), history=False)
    if years and years[0] < year:
        return replace(frame, mode="result", year=years[0], period=str(years[0]), history=False)
    if frame.mode == "target" and kind == "work_report_digest" and _SECTION_HEADING.match(line):
        # The numbered sections after the five-year goals are the year's work.
        return replace(frame, mode="plan", year=year, period=str(year))
    return None


# --- one sentence -----------------------------------------------------------------------------

_GROWTH = re.compile(
    r"(年均)?(?:同比)?(?:分别|均|都)?(增长|增速为?|增速达到?|增幅|提高|上升|下降|降低|减少|回落|增加)了?(?:分别)?(?:为|达|达到|至|约)?$"
)
_SHARE_DONE = re.compile(
    r"(完成(?:了)?(?:年度|全年)?(?:目标)?(?:投资)?(?:计划|目标|任务)(?:任务)?的|完成率(?:为|达到?)?|"
    r"超年度计划|占年度(?:投资)?计划的?|时序进度的?)$"
)
# Words that name a completion share, not a goal: struck out before goal words are sought.
_COMPLETION_WORDS = re.compile(
    r"完成(?:了)?(?:年初|年度|全年)?(?:目标)?(?:投资)?(?:计划|目标|任务)+|年度(?:投资)?计划|完成率|目标任务"
)
_COMPARISON = re.compile(
    r"(比上年|较上年|比去年|较去年|较年初|同比|较同期|比同期|较去年同期|较去年末|较上年末|比年初)"
    r"[^,，、。；]{0,6}?(增加|减少|多|少|高出|提高|下降|降低|上升|增长|扩大|缩小)(了)?(?:超过|超|近|约|达)?$"
)
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
    r"(?:同比|分别|均|累计|共|总计|合计|预计|力争|确保|达到|达|实现|完成|超过|突破|超|"
    r"增至|提高到|提升到|提高至|提升至|控制在|保持在|稳定在|不低于|不超过|低于|约|近|为|至|在|了|的|"
    r"增长|增速|下降|降低|提高)+$"
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


def _beneficiary(before: str, numbers_after: bool) -> bool:
    """``为28.8万户企业降低失业保险费15.72亿元``: who benefits, when the clause also
    states what they got."""
    return numbers_after and bool(re.search(r"(?:^|[^\w])?(?:向|为|对|给)$", before))


def _is_qualifier(text: str, q: Quantity, clause_end: int, numbers_after: bool) -> bool:
    """``3岁以下婴幼儿``, ``5000万元以上项目``: a size that qualifies a noun, not a figure."""
    after = text[q.end : clause_end]
    m = re.match(r"(以上|以下|及以上|级)", after)
    return m is not None and len(after) > len(m.group(1)) and numbers_after


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
        mode, year, _period, span = _sentence_frame(s_text, frame, doc_year)
        return _size_classes(text, sentence, mode, year, span, line_region) + _doublings(
            text, sentence, mode, year, span, line_region
        )
    for q in found:
        q.start += sentence.start
        q.end += sentence.start
    clauses = _split(text, sentence.start, sentence.end, _CLAUSE_END)
    mode, year, period, span = _sentence_frame(s_text, frame, doc_year)
    region = line_region
    items: list[_Item] = []
    completions: list[_Item] = []
    for index, q in enumerate(found):
        clause = _clause_of(clauses, q.start)
        before = text[clause.start : q.start]
        after = text[q.end : sentence.end]
        item = _Item(q, clause)
        numbers_after = any(o.start < clause.end for o in found[index + 1 :])
        if _quoted(text, sentence.start, q.start) or _beneficiary(before, numbers_after):
            continue
        if _is_qualifier(text, q, clause.end, numbers_after) or (
            q.unit in {"个百分点"} and mode == "result"
        ):
            continue
        if q.unit == "%" and (
            _SHARE_DONE.search(before)
            or (completions and _continues_list(text, completions[-1].q.end, q.start))
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
            item.shared_subjects = previous.shared_subjects[1:]
            if previous.shared_subjects:
                previous.phrase = previous.shared_subjects[0]
                item.phrase = previous.shared_subjects[1]
            items.append(item)
            continue
        comparison = _COMPARISON.search(before)
        growth = _GROWTH.search(before)
        if comparison and q.unit not in {"%"}:
            continue  # 同比增加4.3万亩: a difference from another period
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
        elif "累计" in before and mode != "result":
            item.basis = "cumulative"
        lower = any(w in text[clause.start : clause.end] for w in _LOWER_WORDS)
        item.comparator = None if mode == "result" else _comparator(before, after, mode, lower)
        item.phrase, item.context = _phrase(text, sentence, clause, q, before)
        items.append(item)
        _share_subjects(text, sentence, item, items, found, index)
    _attach_growth(items, text)
    _attach_completions(items, completions)
    figures: list[Figure] = []
    if mode != "result":
        figures.extend(_size_classes(text, sentence, mode, year, span, line_region))
    for item in items:
        if item.growth_of is not None:
            continue
        figure = _figure(text, sentence, item, mode, year, period, span, frame, region, context)
        if figure is not None:
            figures.append(figure)
    return figures


def _subjects(text: str, sentence: _Sentence, q: Quantity) -> list[str]:
    """The subjects listed before a number, across 、 and 和 (``货运量、货运值均增长``)."""
    head = text[sentence.start : q.start]
    head = re.split(r"[,，:：]", head)[-1]
    head = _LEAD_WORDS.sub("", _TRAIL_WORDS.sub("", head))
    return [w for w in re.split(r"[、和及与]", head) if w]


def _share_subjects(
    text: str,
    sentence: _Sentence,
    item: _Item,
    items: list[_Item],
    found: list[Quantity],
    index: int,
) -> None:
    """``A、B均增长39%`` and ``A、B分别达100%``: one number for each subject; ``A、B分别增长
    4.1%、5.6%``: the listed numbers take the subjects in order."""
    before = text[sentence.start : item.q.start][-8:]
    if not re.search(r"(均|都|分别)\S{0,5}$", before):
        return
    subjects = _subjects(text, sentence, item.q)
    if len(subjects) < 2:
        return
    listed = 1
    while index + listed < len(found) and _continues_list(
        text, found[index + listed - 1].end, found[index + listed].start
    ):
        listed += 1
    if listed == len(subjects):
        item.shared_subjects = subjects
        return
    if listed == 1:
        item.phrase = subjects[0]
        for subject in subjects[1:]:
            items.append(replace(item, phrase=subject, growths=[]))


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


def _doublings(
    text: str, sentence: _Sentence, mode: str, year: int, span: tuple[int, int], region: str
) -> list[Figure]:
    """``A和B“双倍增”``, ``绿色融资余额翻一番``: a goal of growing by 100 % for each subject,
    when the sentence states no totals (with totals, the totals are the figures)."""
    figures = []
    for match in _DOUBLING.finditer(text, sentence.start, sentence.end):
        start = max(
            sentence.start, *(text.rfind(c, sentence.start, match.start()) + 1 for c in ",，:：")
        )
        head = re.sub(r"^(?:力争|确保|实现|推动|加快|全市)+", "", text[start : match.start()])
        head = re.sub(r"(?:实现|达到|均|都)+$", "", head).strip("“”")
        names = [n.strip("“”") for n in re.split(r"[、和及与]", head) if n.strip("“”")]
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
        values = [v for v in items[:i] if not v.is_growth and v.growth_of is None and not v.growths]
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
    context = text[sentence.start : q.start]
    return phrase[:40], context


def _sentence_frame(
    s_text: str, frame: Frame, doc_year: int
) -> tuple[str, int, str, tuple[int, int]]:
    """The sentence's own words can turn a result into a goal, or a plan into a target."""
    mode, year, period, span = frame.mode, frame.year, frame.period, frame.span
    to_year = re.search(r"到(20\d\d)年", s_text)
    if mode != "target":
        if to_year and int(to_year.group(1)) > doc_year:
            return "target", int(to_year.group(1)), period, (span[0], int(to_year.group(1)))
        if any(w in s_text for w in ("每年", "今后五年", "未来五年", "五年内")) and mode == "plan":
            return "target", span[1], period, span
    if mode == "result":
        goal = any(w in _COMPLETION_WORDS.sub("", s_text) for w in _FIRM_GOAL_WORDS)
        open_year = year >= doc_year
        if open_year and re.search(r"预计(?:全年|今年|年底|年末)", s_text):
            goal = True
        if (
            goal
            and any(w in s_text for w in ("同比", "比上年", "较上年"))
            and not any(w in s_text for w in ("力争", "确保", "目标"))
        ):
            goal = False
        if goal:
            return "plan", max(year, doc_year) if open_year else doc_year, period, span
        own = _period_in(s_text, year)
        if own:
            period = own
        if re.search(r"去年|上年", s_text) and not re.search(
            r"同比|比上年|较上年|较去年|比去年", s_text
        ):
            period = str(year - 1)
        years = [int(y) for y in _YEAR.findall(s_text)]
        if years and years[-1] < year and not _period_in(s_text, year):
            period = str(years[-1])
    return mode, year, period, span


def _figure(
    text: str,
    sentence: _Sentence,
    item: _Item,
    mode: str,
    year: int,
    period: str,
    span: tuple[int, int],
    frame: Frame,
    region: str,
    context: DocumentContext,
) -> Figure | None:
    q = item.q
    sentence_before = text[sentence.start : q.start]
    if (
        frame.history
        and mode == "result"
        and (item.basis == "cagr" or re.search(r"累计|五年|净增", sentence_before))
    ):
        return None  # an average or a sum over the past years: no one period's figure
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
    note = "力争" if "力争" in sentence_before or "争取" in sentence_before else ""
    if q.bound:
        note = (note + "; " if note else "") + f"{q.bound} {q.value}"
    if mode == "result":
        growth = item.growths[0].q.value if item.growths else None
        if item.is_growth:
            return Figure(
                "observation",
                item.phrase,
                region,
                period,
                None,
                None,
                None,
                "yoy",
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
        return Figure(
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
    unit = "%" if item.is_growth and item.basis != "change" else q.unit
    if item.basis == "change" and q.unit == "%":
        unit = "%"
    kind = "target" if mode == "target" else "plan"
    return Figure(
        kind,
        item.phrase,
        region,
        None,
        year if kind == "plan" else None,
        span[0] if kind == "target" else None,
        span[1] if kind == "target" else None,
        item.basis,
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
    )


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
            own = _period_in(sentence.text, frame.year) if frame.mode == "result" else None
            if own:
                carried = replace(frame, period=own)
            figures.extend(_read_sentence(text, sentence, carried, context, doc_year, line_region))
    del first
    return figures
