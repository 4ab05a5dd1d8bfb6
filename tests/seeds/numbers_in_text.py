"""Finding a row's numbers in its quote, as the documents write them.

A quote holds a number when one of the numbers written in it is the same quantity:
``1.27万`` is 12,700 in a 家 row and 1.27 in a 万家 row, ``4万亿`` is 40,000 in an
亿元 row. Numbers are written in digits (ASCII or full width, a decimal point, thousands
commas), optionally followed by a Chinese magnitude in either script (十 百 千 万 亿 and their
combinations); a magnitude alone before 级 (千亿级, 万亿级) is one of it, and small counts
and ordinals may be written in Chinese numerals (前三, 两大) or as a Roman class (Ⅱ类).
A fall is stated as a positive number with a word for it (下降2.1%), so signs are ignored.
Words that state a share stand for it in a ``%`` row: 倍增, 翻一番, 翻番 (doubling: +100 %)
and 所有, 全部 (100 %); a row of one 千万亩 or one 千个 is written as the unit alone
(千万亩高标准农田); a completion rate over 100 may be written as the excess (超计划73% is
173 %).
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from app.domain.units import BASE_UNITS, MAGNITUDES
from app.text import to_simplified

_BASES_LONGEST_FIRST = sorted(BASE_UNITS, key=len, reverse=True)
_MAGNITUDES_LONGEST_FIRST = sorted(MAGNITUDES, key=len, reverse=True)
_MAGNITUDE = "|".join(_MAGNITUDES_LONGEST_FIRST)
_DIGITS = re.compile(rf"(\d{{1,3}}(?:,\d{{3}})+|\d+)(\.\d+)?({_MAGNITUDE})?")
_ALONE = re.compile(rf"(?<![\d一二两三四五六七八九十])({_MAGNITUDE})级")
_CHINESE_DIGITS = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CHINESE = re.compile(r"[一二两三四五六七八九十]+")
_ROMAN = {"Ⅰ": 1, "Ⅱ": 2, "Ⅲ": 3, "Ⅳ": 4, "Ⅴ": 5}  # looked up before NFKC turns Ⅱ into II
_UNITS_BEGINNING_WITH_千 = tuple(b for b in BASE_UNITS if b.startswith("千"))
_HUNDRED_PERCENT_WORDS = ("倍增", "翻一番", "翻番", "所有", "全部")


def _folded(text: str) -> str:
    """Simplified script (萬 → 万, 億 → 亿) and ASCII digits (NFKC: １２ → 12)."""
    return unicodedata.normalize("NFKC", to_simplified(text))


def magnitude_of(unit: str) -> int:
    """The Chinese magnitude a unit as written carries: 万家 → 10,000, 亿元 → 10^8,
    公里 and 千瓦 → 1 (千 is part of those base units), % → 1."""
    unit = unit.strip()
    for base in _BASES_LONGEST_FIRST:
        if unit.endswith(base):
            prefix = unit[: -len(base)]
            if prefix in MAGNITUDES:
                return MAGNITUDES[prefix]
            return 1
    return 1


def _chinese_number(text: str) -> int | None:
    """一 … 九十九 (十, 二十, 二十五, 十二); None for anything longer or irregular."""
    if len(text) == 1:
        return 10 if text == "十" else _CHINESE_DIGITS.get(text)
    if "十" not in text or text.count("十") > 1:
        return None
    tens, _, ones = text.partition("十")
    high = 1 if tens == "" else _CHINESE_DIGITS.get(tens)
    low = 0 if ones == "" else _CHINESE_DIGITS.get(ones)
    if high is None or low is None or len(tens) > 1 or len(ones) > 1:
        return None
    return high * 10 + low


def quantities_in(text: str) -> set[Decimal]:
    """Every quantity written in ``text``, each as a plain number (magnitudes applied:
    ``1.27万`` is 12,700 and only that, ``500千瓦`` is 500 of the base unit 千瓦)."""
    found: set[Decimal] = {Decimal(v) for numeral, v in _ROMAN.items() if numeral in text}
    text = _folded(text)
    for match in _DIGITS.finditer(text):
        whole, fraction, magnitude = match.groups()
        number = Decimal(whole.replace(",", "") + (fraction or ""))
        if magnitude and text.startswith(_UNITS_BEGINNING_WITH_千, match.end() - 1):
            magnitude = magnitude[:-1]  # 千 belongs to the unit (千瓦, 千米)
        found.add(number * MAGNITUDES[magnitude] if magnitude else number)
    for match in _ALONE.finditer(text):
        found.add(Decimal(MAGNITUDES[match.group(1)]))
    for match in _CHINESE.finditer(text):
        value = _chinese_number(match.group(0))
        if value is not None:
            found.add(Decimal(value))
    return found


def holds_number(text: str, number: Decimal, unit: str = "") -> bool:
    """Whether ``text`` writes ``number`` (in ``unit`` as written) in any spelling above."""
    number = abs(number)
    if number * magnitude_of(unit) in quantities_in(text):
        return True
    if unit.strip() == "%" and number == 100:
        return any(word in text for word in _HUNDRED_PERCENT_WORDS)
    if number == 1 and magnitude_of(unit) > 1:
        # one 千万亩: the unit alone, not after a digit or a numeral (千万亩高标准农田)
        alone = rf"(?<![\d.一二两三四五六七八九十]){re.escape(unit.strip())}"
        return re.search(alone, _folded(text)) is not None
    return False


def holds_completion_rate(text: str, rate: Decimal) -> bool:
    """A completion share as written, or over 100 % as the excess: 超年度计划73% is 173 %."""
    if holds_number(text, rate, "%"):
        return True
    return rate > 100 and "超" in text and holds_number(text, rate - 100, "%")
