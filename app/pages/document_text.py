"""A document's text cut into paragraphs, with every quoted figure marked.

Each figure's quote is found wherever it occurs; quotes that overlap or nest become one
mark (numbered in reading order) that lists all of their figures. Page furniture (the
search-engine spam a portal spliced into document 003, seeds/sources/README.md) is kept
and flagged, never dropped, and never inside a mark. Plain text processing: no database.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Generic, TypeVar

F = TypeVar("F")

# Text a portal spliced into a scraped copy: advertising, not the document.
FURNITURE: dict[str, tuple[str, ...]] = {
    "003_43741abbd79f158f": (
        "中级经济师 通过率",
        "重庆主要产业是什么",
        "国际经济三大支柱",
        "返回搜狐,查看更多",
    ),
}


def quote_anchor(quote: str) -> str:
    """The id of a quote's first occurrence on its document's page (the goal pages link to
    it without reading the text): ``q-`` and 10 hex digits of its SHA-1."""
    return "q-" + hashlib.sha1(quote.encode("utf-8")).hexdigest()[:10]


@dataclass
class Mark(Generic[F]):
    number: int
    figures: list[F] = field(default_factory=list)


@dataclass(frozen=True)
class Piece(Generic[F]):
    """A run of text: plain, furniture, or inside ``mark``; ``anchors`` are the ids of the
    quotes whose first occurrence starts here."""

    text: str
    mark: Mark[F] | None = None
    furniture: bool = False
    anchors: tuple[str, ...] = ()


@dataclass
class Paragraph(Generic[F]):
    pieces: list[Piece[F]]
    marks: list[Mark[F]]  # the marks that begin in this paragraph, in order

    def runs(self) -> list[tuple[Mark[F] | None, list[Piece[F]]]]:
        """Consecutive pieces of one mark together (one link each), plain pieces alone."""
        out: list[tuple[Mark[F] | None, list[Piece[F]]]] = []
        for piece in self.pieces:
            if piece.mark is not None and out and out[-1][0] is piece.mark:
                out[-1][1].append(piece)
            else:
                out.append((piece.mark, [piece]))
        return out


@dataclass
class MarkedText(Generic[F]):
    paragraphs: list[Paragraph[F]]
    marks: list[Mark[F]]
    missing: list[F]  # figures whose quote is not in the text (or that have none)
    furniture: int  # how many stretches of furniture were flagged


def _occurrences(text: str, needle: str) -> list[int]:
    found: list[int] = []
    at = text.find(needle)
    while at >= 0:
        found.append(at)
        at = text.find(needle, at + 1)
    return found


def _merge(spans: list[tuple[int, int]], touching: bool = False) -> list[tuple[int, int]]:
    """Overlapping spans (and with ``touching``, spans that meet) as one."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and (start < merged[-1][1] or (touching and start == merged[-1][1])):
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def mark_text(
    text: str, quoted: Sequence[tuple[str | None, F]], furniture: Sequence[str] = ()
) -> MarkedText[F]:
    """``text`` in paragraphs (one per line, blank lines dropped) with each (quote, figure)
    of ``quoted`` marked at every occurrence of its quote."""
    hits: list[tuple[int, int, int]] = []  # start, end, index into quoted
    missing: list[F] = []
    anchors: dict[int, list[str]] = {}
    for index, (quote, figure) in enumerate(quoted):
        starts = _occurrences(text, quote) if quote else []
        if not starts:
            missing.append(figure)
            continue
        assert quote is not None
        anchor = quote_anchor(quote)
        if anchor not in {a for ids in anchors.values() for a in ids}:
            anchors.setdefault(starts[0], []).append(anchor)
        hits += [(s, s + len(quote), index) for s in starts]

    spans = _merge([(s, e) for s, e, _ in hits])
    marks = [Mark[F](number) for number in range(1, len(spans) + 1)]
    seen: list[set[int]] = [set() for _ in spans]
    for start, _, index in sorted(hits):
        # the merged span holding this hit: the last one starting at or before it
        lo, hi = 0, len(spans) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if spans[mid][0] <= start:
                lo = mid
            else:
                hi = mid - 1
        if index not in seen[lo]:
            seen[lo].add(index)
            marks[lo].figures.append(quoted[index][1])

    flagged = _merge(
        [(s, s + len(p)) for p in furniture if p for s in _occurrences(text, p)], touching=True
    )
    # furniture never inside a mark: cut the marks out of it
    cut: list[tuple[int, int]] = []
    for start, end in flagged:
        for m_start, m_end in spans:
            if m_end <= start or m_start >= end:
                continue
            if m_start > start:
                cut.append((start, m_start))
            start = max(start, m_end)
        if start < end:
            cut.append((start, end))
    flagged = cut

    bounds = sorted({*anchors, *(p for span in (*spans, *flagged) for p in span)})
    paragraphs: list[Paragraph[F]] = []
    placed: set[int] = set()
    m = f = 0
    at = 0
    for line in text.split("\n"):
        line_start, line_end = at, at + len(line)
        at = line_end + 1
        if not line.strip():
            continue
        paragraph = Paragraph[F]([], [])
        inner = bounds[bisect_right(bounds, line_start) : bisect_left(bounds, line_end)]
        edges = [line_start, *inner, line_end]
        for start, end in pairwise(edges):
            while m < len(spans) and spans[m][1] <= start:
                m += 1
            while f < len(flagged) and flagged[f][1] <= start:
                f += 1
            mark = marks[m] if m < len(spans) and spans[m][0] <= start else None
            if mark is not None and mark.number not in placed:
                placed.add(mark.number)
                paragraph.marks.append(mark)
            paragraph.pieces.append(
                Piece(
                    text[start:end],
                    mark,
                    furniture=f < len(flagged) and flagged[f][0] <= start,
                    anchors=tuple(anchors.get(start, ())),
                )
            )
        paragraphs.append(paragraph)
    return MarkedText(paragraphs, marks, missing, len(flagged))
