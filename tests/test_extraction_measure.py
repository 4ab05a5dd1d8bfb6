"""The extraction measured on the five documents against the seeds: the figures pinned.

The floors sit a little below what the rules reach today (docs/EXTRACTION.md), so a change
that loses figures fails here; raise them when the rules improve.
"""

from __future__ import annotations

import time

import pytest

from app.domain.extraction import DocumentContext
from app.extraction_measure import measure, score, sources_dir
from app.services.extraction import propose
from app.settings import get_settings

# document: (recall floor, precision floor), a little below what the rules reach (the issue's
# goal is recall >= 90 % and precision >= 80 % on each document). 002's 2018-2022 review is
# read as spans and its 每年 goal as five yearly plans since the rules learnt DESIGN v1.1.
FLOORS = {
    "000_bbfb33ee8f0c57e9": (0.97, 0.97),
    "001_8bd53d08bbbd03ea": (0.98, 0.90),
    "002_26222ab83b5d729f": (0.98, 0.97),
    "003_43741abbd79f158f": (0.96, 0.95),
    "004_6da318eeea9b20a6": (0.98, 0.95),
}


pytestmark = pytest.mark.skipif(
    not any(sources_dir().glob("*.txt")), reason="the source documents are not on this machine"
)


def test_recall_and_precision_per_document_do_not_fall() -> None:
    scores = {s.document: s for s in measure()}
    assert set(scores) == set(FLOORS)
    for code, (recall, precision) in FLOORS.items():
        assert scores[code].recall >= recall, (code, scores[code].recall)
        assert scores[code].precision >= precision, (code, scores[code].precision)


def test_a_document_posted_with_nothing_but_its_text_is_read_as_well() -> None:
    """Whoever posts a document may give neither its region nor its year (000 names no year
    at all): kind, value and unit, what recall counts, do not depend on them."""
    seeds_dir = get_settings().seeds_dir
    for code, (recall, precision) in FLOORS.items():
        text = (sources_dir() / f"{code}.txt").read_text(encoding="utf-8")
        got = score(code, text, DocumentContext(), seeds_dir)
        assert got.recall >= recall, (code, got.recall)
        assert got.precision >= precision, (code, got.precision)


def test_every_quote_is_in_the_text_and_holds_its_numbers() -> None:
    for path in sorted(sources_dir().glob("0*.txt")):
        text = path.read_text(encoding="utf-8")
        for p in propose(text, DocumentContext()):
            assert p.quote in text, (path.name, p.quote)
            for spam in ("中级经济师", "通过率", "返回搜狐", "三大支柱"):
                assert spam not in p.quote


def test_one_document_is_read_well_under_a_second() -> None:
    text = (sources_dir() / "003_43741abbd79f158f.txt").read_text(encoding="utf-8")
    propose(text, DocumentContext())  # OpenCC and the patterns loaded once
    started = time.perf_counter()
    propose(text, DocumentContext())
    assert time.perf_counter() - started < 0.5
