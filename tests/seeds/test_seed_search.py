"""Searching the words a document uses for a figure finds the figure's indicator."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.text import to_traditional
from tests.seeds.test_seed_files import all_rows, own_phrase, where


def _found(client: TestClient, q: str) -> set[str]:
    answer = client.get("/api/v1/indicators", params={"q": q, "limit": 500})
    assert answer.status_code == 200, answer.text
    return {item["code"] for item in answer.json()["items"]}


def test_every_rows_own_phrase_finds_its_indicator(client: TestClient) -> None:
    phrases: dict[str, set[str]] = {}
    places: dict[tuple[str, str], str] = {}
    for doc, kind, line, row in all_rows():
        phrase = own_phrase(row)
        assert phrase is not None, where(doc, kind, line)
        phrases.setdefault(phrase, set()).add(row["indicator"])
        places.setdefault((phrase, row["indicator"]), where(doc, kind, line))
    problems = []
    for phrase, codes in sorted(phrases.items()):
        for q in {phrase, to_traditional(phrase)}:
            missing = codes - _found(client, q)
            problems += [f"{places[(phrase, c)]}: q={q!r} misses {c}" for c in sorted(missing)]
    assert not problems, "\n".join(problems)


def test_the_issues_phrases_find_their_indicators(client: TestClient) -> None:
    assert "industrial_output" in _found(client, "规上工业总产值")
    assert "industrial_output" in _found(client, "規上工業總產值")
    assert "rd_intensity" in _found(client, "研发投入强度")
    assert "rd_intensity" in _found(client, "R&D投入占GDP比重")
    # full-width letters as an IME types them fold to ASCII
    assert "rd_intensity" in _found(client, "Ｒ＆Ｄ投入占ＧＤＰ比重")


def test_abbreviations_expand_both_ways(client: TestClient) -> None:
    # 规上 → 规模以上: the name is spelt in full
    assert {"industrial_output", "industrial_value_added"} <= _found(client, "规上工业")
    # 规模以上 → 规上: 004's 规上工业电力用量 is named with the abbreviation
    assert "industrial_electricity_consumption" in _found(client, "规模以上工业电力用量")
    # GDP → 地区生产总值
    assert "energy_intensity" in _found(client, "单位GDP能耗")
    assert _found(client, "规上工业总产值") == _found(client, "规模以上工业总产值")


def test_indicator_read_lists_its_aliases(client: TestClient) -> None:
    items = client.get("/api/v1/indicators", params={"q": "rd_intensity"}).json()["items"]
    (item,) = [i for i in items if i["code"] == "rd_intensity"]
    assert item["name"] == "研发经费投入强度"
    assert {"研发投入强度", "R&D投入占GDP比重"} <= set(item["aliases"])
