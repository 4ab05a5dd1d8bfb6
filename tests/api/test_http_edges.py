"""Headers and edges found from outside (#14): idempotency keys, If-Match, HEAD and Allow,
as_of as Postgres prints it, and a database lost in the middle of a COPY."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Observation
from app.queries import staging
from tests.conftest import KEY_PROJECTS_NOVEMBER_2023, bearer


def test_an_empty_idempotency_key_is_refused_and_names_the_header(
    client: TestClient, api_keys: dict[str, str], session: Session
) -> None:
    answer = client.post(
        "/api/v1/observations",
        json=KEY_PROJECTS_NOVEMBER_2023,
        headers={**bearer(api_keys["analyst"]), "Idempotency-Key": ""},
    )
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["field"] == "Idempotency-Key"
    # nothing was kept under the empty key: another body is accepted, not a 409
    other = {**KEY_PROJECTS_NOVEMBER_2023, "value": 4600}
    assert (
        client.post(
            "/api/v1/observations", json=other, headers=bearer(api_keys["analyst"])
        ).status_code
        == 201
    )
    stored = session.scalars(
        select(Observation.value).where(Observation.recorded_by == "test-analyst")
    ).all()
    assert stored == [4600]


def _target(client: TestClient) -> tuple[int, str]:
    target_id = client.get("/api/v1/targets", params={"limit": 1}).json()["items"][0]["id"]
    return target_id, client.get(f"/api/v1/targets/{target_id}").headers["ETag"]


def test_if_match_compares_strongly_and_star_matches_any_version(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    admin = bearer(api_keys["admin"])
    target_id, tag = _target(client)
    weak = client.patch(
        f"/api/v1/targets/{target_id}",
        json={"note": "weak"},
        headers={**admin, "If-Match": f"W/{tag}"},
    )
    assert weak.status_code == 412  # RFC 9110: a weak tag never matches for If-Match
    star = client.patch(
        f"/api/v1/targets/{target_id}", json={"note": "any"}, headers={**admin, "If-Match": "*"}
    )
    assert star.status_code == 200
    assert star.json()["note"] == "any"
    listed = client.patch(
        f"/api/v1/targets/{target_id}",
        json={"note": "listed"},
        headers={**admin, "If-Match": f'"0-0", {star.headers["ETag"]}'},
    )
    assert listed.status_code == 200


def test_head_answers_the_headers_of_get_and_405_lists_every_method(client: TestClient) -> None:
    got = client.get("/api/v1/targets", params={"limit": 2})
    head = client.head("/api/v1/targets", params={"limit": 2})
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == str(len(got.content))
    refused = client.delete("/api/v1/targets")
    assert refused.status_code == 405
    assert refused.headers["Allow"] == "GET, HEAD, POST"
    assert client.put("/api/v1/plans/1").headers["Allow"] == "GET, HEAD, PATCH"


@pytest.mark.parametrize(
    "as_of",
    [
        "2023-08-01 00:00:00+00",  # as Postgres prints a timestamptz
        "2023-08-01T00:00:00+0000",
        "2023-08-01T08:00:00+08:00",
        "2023-08-01T00:00:00Z",
    ],
)
def test_as_of_in_any_iso_8601_or_postgres_spelling(client: TestClient, as_of: str) -> None:
    answer = client.get("/api/v1/summary", params={"region": "500000", "as_of": as_of})
    assert answer.status_code == 200, answer.text
    assert answer.json()["as_of"].startswith("2023-08-01T00:00:00")


def test_a_plus_sent_unencoded_in_as_of_still_reads_as_the_offset(client: TestClient) -> None:
    # a '+' left raw in a query string arrives as a space
    answer = client.get("/api/v1/summary?region=500000&as_of=2023-08-01%2008:00:00+08")
    assert answer.status_code == 200, answer.text
    assert answer.json()["as_of"].startswith("2023-08-01T00:00:00")
    assert client.get("/api/v1/summary?as_of=1690848000").status_code == 422


def test_the_database_lost_during_a_copy_is_a_503_with_retry_after(
    client: TestClient,
    api_keys: dict[str, str],
    backend: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if backend != "postgresql":
        pytest.skip("batches go by COPY on Postgres only")

    def lost(*_args: Any, **_kwargs: Any) -> None:
        raise psycopg.OperationalError("consuming input failed: server closed the connection")

    monkeypatch.setattr(staging, "_copy", lost)
    answer = client.post(
        "/api/v1/observations",
        json=[KEY_PROJECTS_NOVEMBER_2023],
        headers=bearer(api_keys["analyst"]),
    )
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "1"
    assert answer.json()["error"] == "unavailable"
