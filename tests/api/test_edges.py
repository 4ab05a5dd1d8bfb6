"""Headers and edges (#14.12–14.14): chunked bodies over the limit, the failed-auth
limiter behind proxies, credentials kept out of the access log."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.conftest import bearer

LIMIT = 5 * 1024 * 1024


def _chunks(total: int) -> Iterator[bytes]:
    """A body sent chunked (no Content-Length), the size only known as it streams."""
    piece = b'{"note": "' + b"x" * (64 * 1024)
    sent = 0
    while sent < total:
        yield piece
        sent += len(piece)


@pytest.mark.parametrize(
    ("method", "path"),
    [("post", "/api/v1/targets"), ("post", "/api/v1/plans"), ("patch", "/api/v1/targets/1")],
)
def test_a_chunked_body_over_the_limit_is_a_413(
    client: TestClient, api_keys: dict[str, str], method: str, path: str
) -> None:
    response = client.request(
        method,
        path,
        content=_chunks(LIMIT + 1024 * 1024),
        headers={**bearer(api_keys["admin"]), "Content-Type": "application/json", "If-Match": "*"},
    )
    assert response.status_code == 413, response.text
    body = response.json()
    assert body["error"] == "payload_too_large"
    assert "5242880 bytes" in body["message"]
