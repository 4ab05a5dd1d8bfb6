"""Search text in either script: queries are folded to Simplified Chinese before matching."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import opencc

_INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u2060", "\ufeff"}


@lru_cache(maxsize=2)
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    return str(_converter("t2s").convert(text))


def to_traditional(text: str) -> str:
    return str(_converter("s2t").convert(text))


def normalise_query(text: str) -> str:
    """NFKC (full-width → ASCII), drop invisible marks, fold to Simplified."""
    folded = unicodedata.normalize("NFKC", text)
    folded = "".join(ch for ch in folded if ch not in _INVISIBLE).strip()
    return to_simplified(folded)


def like_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, with LIKE's wildcards escaped by ``\\``."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# Standard abbreviations the documents use, each beside its full form (both Simplified).
# A query is matched in every spelling these pairs give it, so 规上工业总产值 finds
# 规模以上工业总产值 and 规模以上工业增加值 finds an alias written 规上工业增加值.
ABBREVIATIONS: tuple[tuple[str, str], ...] = (
    ("规上", "规模以上"),
    ("战新", "战略性新兴"),
    ("研发", "研究与试验发展"),
    ("R&D", "研发"),
    ("GDP", "地区生产总值"),
    ("国企", "国有企业"),
    ("电商", "电子商务"),
    ("社保", "社会保险"),
    ("医保", "医疗保险"),
    ("外贸", "对外贸易"),
    ("经开区", "经济技术开发区"),
    ("自贸试验区", "自由贸易试验区"),
)
MAX_VARIANTS = 16


def query_variants(folded: str) -> list[str]:
    """``folded`` (already normalised) and its spellings with each abbreviation expanded
    or contracted, in a stable order; at most ``MAX_VARIANTS``."""
    variants = [folded]
    for short, full in ABBREVIATIONS:
        for text in list(variants):
            for old, new in ((short, full), (full, short)):
                # 研发 inside 研究与试验发展's own expansion is not an abbreviation of it.
                if old in text and not (old == short and full in text):
                    changed = text.replace(old, new)
                    if changed not in variants and len(variants) < MAX_VARIANTS:
                        variants.append(changed)
    return variants
