"""Holding two ways of answering a request to the same answer."""

from __future__ import annotations

from fastapi.testclient import TestClient


def same_answer(a: TestClient, b: TestClient, url: str) -> int:
    """``url``'s status, once both clients answered it with the same status, bytes and
    headers."""
    first, second = a.get(url), b.get(url)
    assert (first.status_code, first.content) == (second.status_code, second.content), url
    assert first.headers.items() == second.headers.items(), url
    return first.status_code
