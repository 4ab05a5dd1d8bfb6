"""Authorization matrix, failed-auth rate limit, secrets out of logs, hostile input."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.api.limits import FailedAuthLimiter

OBSERVATION = {
    "indicator": "gdp",
    "region": "500000",
    "period": "2023-Q3",
    "value": 22000,
    "unit": "亿元",
}
TARGET = {
    "indicator": "gdp",
    "region": "500115",
    "basis": "value",
    "comparator": ">=",
    "value": 1200,
    "unit": "亿元",
    "start_year": 2023,
    "end_year": 2027,
}
PLAN = {
    "indicator": "gdp",
    "region": "500115",
    "basis": "yoy",
    "comparator": ">=",
    "value": 6,
    "unit": "%",
    "year": 2024,
}


def _credentials(api_keys: dict[str, str]) -> dict[str, dict[str, str]]:
    return {
        "none": {},
        "malformed": {"Authorization": "Basic dXNlcjpwYXNz"},
        "unknown": {"Authorization": "Bearer ptk_not_a_key"},
        "revoked": {"Authorization": f"Bearer {api_keys['revoked']}"},
        "analyst": {"Authorization": f"Bearer {api_keys['analyst']}"},
        "admin": {"Authorization": f"Bearer {api_keys['admin']}"},
    }


Call = Callable[[TestClient, dict[str, str]], Any]


def _patch(kind: str) -> Call:
    def call(client: TestClient, headers: dict[str, str]) -> Any:
        item = client.get(f"/api/v1/{kind}", params={"region": "500000"}).json()["items"][0]
        tag = client.get(f"/api/v1/{kind}/{item['id']}").headers["ETag"]
        return client.patch(
            f"/api/v1/{kind}/{item['id']}",
            json={"note": "checked"},
            headers={**headers, "If-Match": tag},
        )

    return call


# endpoint -> (call, role needed)
WRITES: dict[str, tuple[Call, str]] = {
    "POST /observations": (
        lambda c, h: c.post("/api/v1/observations", json=OBSERVATION, headers=h),
        "analyst",
    ),
    "POST /targets": (lambda c, h: c.post("/api/v1/targets", json=TARGET, headers=h), "admin"),
    "PATCH /targets/{id}": (_patch("targets"), "admin"),
    "POST /plans": (lambda c, h: c.post("/api/v1/plans", json=PLAN, headers=h), "admin"),
    "PATCH /plans/{id}": (_patch("plans"), "admin"),
    "GET /audit": (lambda c, h: c.get("/api/v1/audit", headers=h), "admin"),
}


def _expected(who: str, role: str) -> int:
    if who in ("none", "malformed", "unknown", "revoked"):
        return 401
    if role == "admin" and who == "analyst":
        return 403
    return 2


def test_authorization_matrix(client: TestClient, api_keys: dict[str, str]) -> None:
    client.app.state.auth_limiter = FailedAuthLimiter(limit=10_000, window_seconds=60)  # type: ignore[attr-defined]
    table = []
    for endpoint, (call, role) in WRITES.items():
        for who, headers in _credentials(api_keys).items():
            response = call(client, headers)
            expected = _expected(who, role)
            got = response.status_code if expected != 2 else response.status_code // 100
            table.append((endpoint, who, response.status_code, got == expected))
            if response.status_code == 401:
                assert response.headers["WWW-Authenticate"] == "Bearer"
            if response.status_code >= 400:
                assert set(response.json()) == {"error", "message", "errors"}
    failures = [row for row in table if not row[3]]
    assert not failures, failures
    assert len(table) == 36


def test_failed_authentication_is_rate_limited(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    client.app.state.auth_limiter = FailedAuthLimiter(limit=3, window_seconds=60)  # type: ignore[attr-defined]
    bad = {"Authorization": "Bearer ptk_guess"}
    statuses = [
        client.post("/api/v1/observations", json=OBSERVATION, headers=bad).status_code
        for _ in range(4)
    ]
    assert statuses == [401, 401, 401, 429]
    assert (
        int(
            client.post("/api/v1/observations", json=OBSERVATION, headers=bad).headers[
                "Retry-After"
            ]
        )
        >= 1
    )
    # #14.13: the right key is never refused for the failures of others at its address
    good = {"Authorization": f"Bearer {api_keys['analyst']}"}
    accepted = client.post("/api/v1/observations", json=OBSERVATION, headers=good)
    assert accepted.status_code == 201, accepted.text
    # reads stay public and unaffected
    assert client.get("/api/v1/targets", params={"limit": 1}).status_code == 200


def test_keys_never_reach_logs_or_error_bodies(
    client: TestClient, api_keys: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secrets = [api_keys["analyst"], api_keys["revoked"], "ptk_guessed_secret"]
    bodies = []
    for key in secrets:
        headers = {"Authorization": f"Bearer {key}"}
        bodies.append(client.post("/api/v1/observations", json=OBSERVATION, headers=headers).text)
        bodies.append(client.get("/api/v1/audit", headers=headers).text)
        bodies.append(
            client.post(
                "/api/v1/observations", json={**OBSERVATION, "unit": "家"}, headers=headers
            ).text
        )
    for key in secrets:
        assert key not in caplog.text
        assert all(key not in body for body in bodies)


@pytest.mark.parametrize(
    "path, params",
    [
        ("/api/v1/targets", {"q": "x" * 10_000}),
        ("/api/v1/indicators", {"q": "x" * 10_000}),
        ("/api/v1/plans", {"year": "２０２３"}),
        ("/api/v1/observations", {"period": "２０２３-Q1"}),
        ("/api/v1/targets", {"end_year": str(2**63)}),
        ("/api/v1/targets", {"limit": "-1"}),
        ("/api/v1/targets", {"offset": str(2**64)}),
        ("/api/v1/targets", {"as_of": "2023-13-45T99:00:00Z"}),
        ("/api/v1/targets", {"region": "500000' OR '1'='1"}),
        ("/api/v1/observations", {"indicator": "gdp; DROP TABLE observation; --"}),
        ("/api/v1/targets", {"region": "50\x000"}),
        ("/api/v1/targets", {"q": "a\x00b"}),
        ("/api/v1/indicators", {"q": "\x00"}),
        ("/api/v1/observations", {"indicator": "\x00"}),
        ("/api/v1/documents/a%00b", {}),
    ],
)
def test_hostile_query_parameters_are_4xx(
    client: TestClient, path: str, params: dict[str, str]
) -> None:
    response = client.get(path, params=params)
    assert 400 <= response.status_code < 500, response.text
    body = response.json()
    assert set(body) == {"error", "message", "errors"}
    assert "Traceback" not in response.text and "SELECT" not in response.text


@pytest.mark.parametrize(
    "q",
    [
        "'; DROP TABLE target; --",
        "%_%",
        "\\",
        "高新\u200b技术",
        "\u202e业企术技新高",
        "ＧＤＰ",
    ],
)
def test_odd_search_strings_are_answered_and_harmless(client: TestClient, q: str) -> None:
    response = client.get("/api/v1/indicators", params={"q": q})
    assert response.status_code == 200
    assert client.get("/api/v1/targets", params={"q": q}).status_code == 200
    assert client.get("/api/v1/targets", params={"limit": 1}).json()["total"] > 0


def test_like_wildcards_are_literal(client: TestClient) -> None:
    everything = client.get("/api/v1/indicators", params={"limit": 1}).json()["total"]
    assert client.get("/api/v1/indicators", params={"q": "%"}).json()["total"] < everything
    zero_width = client.get("/api/v1/indicators", params={"q": "高新\u200b技术"}).json()
    assert "hi_tech_enterprises" in {i["code"] for i in zero_width["items"]}


@pytest.mark.parametrize("path", ["/api/v1/targets/", "/api/v1/plans/", "/api/v1/observations/"])
def test_out_of_range_ids(client: TestClient, path: str) -> None:
    for raw in (str(2**63), "-1", "0", "1e3", "１"):
        response = client.get(path + raw)
        assert response.status_code in (404, 405, 422), (path, raw, response.status_code)
        assert set(response.json()) == {"error", "message", "errors"}


def test_hostile_bodies_store_nothing(client: TestClient, api_keys: dict[str, str]) -> None:
    admin = {"Authorization": f"Bearer {api_keys['admin']}", "Content-Type": "application/json"}
    bodies = [
        b'{"indicator": "gdp", "region": "500000", "period": "2023-Q3", "value": NaN}',
        b'{"indicator": "gdp", "region": "500000", "period": "2023-Q3", "value": Infinity}',
        b'{"indicator": "gdp", "region": "500000", "period": "2023-Q3", "value": 1e400}',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"indicator": "gdp\\u0000", "region": "500000", "period": "2023-Q3", "value": 1}',
        b'{"indicator": "gdp", "region": "500000", "period": "2023-Q3", "value": 1,'
        b' "note": "a\\u0000"}',
        "\ufeff{}".encode(),
    ]
    for body in bodies:
        response = client.post("/api/v1/observations", content=body, headers=admin)
        assert 400 <= response.status_code < 500, (body[:60], response.status_code)
    for body in (bodies[0], bodies[3], b'{"value": NaN}'):
        response = client.post("/api/v1/targets", content=body, headers=admin)
        assert 400 <= response.status_code < 500, (body[:60], response.status_code)
        assert set(response.json()) == {"error", "message", "errors"}
    huge = client.post("/api/v1/targets", content=b"x" * (6 * 1024 * 1024), headers=admin)
    assert huge.status_code == 413
    every = client.get(
        "/api/v1/observations", params={"period": "2023-Q3", "include_revisions": "true"}
    ).json()
    assert every["total"] == 0
    assert client.get("/healthz").json() == {"status": "ok"}


def test_unknown_routes_and_methods_use_the_error_shape(client: TestClient) -> None:
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    wrong = client.delete("/api/v1/targets")
    assert wrong.status_code == 405 and wrong.json()["error"] == "method_not_allowed"


def test_server_owned_fields_cannot_be_posted(client: TestClient, api_keys: dict[str, str]) -> None:
    analyst = {"Authorization": f"Bearer {api_keys['analyst']}"}
    for extra in ({"recorded_by": "someone-else"}, {"revision": 99}, {"id": 1}):
        response = client.post(
            "/api/v1/observations", json={**OBSERVATION, **extra}, headers=analyst
        )
        assert response.status_code == 422
        assert next(iter(extra)) in {e["field"] for e in response.json()["errors"]}
    admin = {"Authorization": f"Bearer {api_keys['admin']}"}
    for extra in ({"version": 7}, {"retired_at": "2023-01-01T00:00:00Z"}, {"id": 5}):
        assert (
            client.post("/api/v1/targets", json={**TARGET, **extra}, headers=admin).status_code
            == 422
        )


def test_only_a_hash_of_a_key_is_stored(session: Any, api_keys: dict[str, str]) -> None:
    import hashlib

    from sqlalchemy import select

    from app.models import ApiKey

    stored = session.scalars(select(ApiKey.key_hash)).all()
    assert api_keys["analyst"] not in stored
    assert hashlib.sha256(api_keys["analyst"].encode()).hexdigest() in stored
