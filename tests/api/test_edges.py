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


def test_a_key_in_the_query_never_reaches_the_access_log(client: TestClient) -> None:
    import logging

    from app.logging_setup import RedactCredentials, redact_query

    access = logging.getLogger("uvicorn.access")
    (installed,) = [f for f in access.filters if isinstance(f, RedactCredentials)]
    # uvicorn's access record: '%s - "%s %s HTTP/%s" %d'
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        (
            "10.0.0.7:5123",
            "POST",
            "/api/v1/observations?api_key=s3cr3t-key&dry_run=true&Token=abc",
            "1.1",
            401,
        ),
        None,
    )
    assert installed.filter(record)
    line = record.getMessage()
    assert "s3cr3t" not in line and "abc" not in line
    assert "?api_key=[REDACTED]&dry_run=true&Token=[REDACTED]" in line
    assert (
        redact_query("/api/v1/targets?keyword=x&key=k")
        == "/api/v1/targets?keyword=x&key=[REDACTED]"
    )
    assert redact_query("/api/v1/targets?monkey=1") == "/api/v1/targets?monkey=1"


def test_forwarded_headers_do_not_dodge_the_limiter(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    """#14.13: 60 bad keys with 60 different X-Forwarded-For values meet a 429, and a
    valid key from the same address still passes."""
    statuses = [
        client.get(
            "/api/v1/audit",
            headers={"Authorization": "Bearer ptk_guess", "X-Forwarded-For": f"203.0.113.{i}"},
        ).status_code
        for i in range(60)
    ]
    assert statuses[:20] == [401] * 20 and set(statuses[20:]) == {429}
    good = client.get("/api/v1/audit", headers=bearer(api_keys["admin"]))
    assert good.status_code == 200, good.text


def test_serve_trusts_forwarded_headers_only_from_configured_proxies() -> None:
    from app.cli import proxy_options
    from app.settings import Settings

    assert proxy_options(Settings(forwarded_allow_ips="")) == {"proxy_headers": False}
    assert proxy_options(Settings(forwarded_allow_ips="10.0.0.5")) == {
        "proxy_headers": True,
        "forwarded_allow_ips": "10.0.0.5",
    }
