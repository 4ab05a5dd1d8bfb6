"""What the schema fuzzer (tests/fuzz) found, each pinned down as a plain request."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import bearer

NEW_TARGET = {
    "indicator": "hi_tech_enterprises",
    "region": "500115",
    "basis": "value",
    "comparator": ">=",
    "value": 300,
    "unit": "家",
    "start_year": 2023,
    "end_year": 2027,
}
CSV_HEADER = (
    "indicator,region,period,value,unit,yoy_growth,reported_completion_rate,"
    "source_document,source_quote,note"
)


def _first_target(client: TestClient) -> int:
    target_id = client.get("/api/v1/targets", params={"limit": 1}).json()["items"][0]["id"]
    assert isinstance(target_id, int)
    return target_id


def _assert_error(response_json: dict[str, object], field: str) -> None:
    assert set(response_json) == {"error", "message", "errors"}
    errors = response_json["errors"]
    assert isinstance(errors, list)
    assert field in {e["field"] for e in errors}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/targets",
        "/api/v1/targets/1",
        "/api/v1/plans",
        "/api/v1/plans/1",
        "/api/v1/observations",
        "/api/v1/summary",
    ],
)
@pytest.mark.parametrize("as_of", ["0.5", "0.0", "1690848000"])
def test_as_of_must_be_an_iso_timestamp_not_unix_seconds(
    client: TestClient, path: str, as_of: str
) -> None:
    # was 200: Pydantic read "0.5" as 0.5 s after 1970-01-01 and answered as of then
    response = client.get(path, params={"as_of": as_of})
    assert response.status_code == 422, response.text
    _assert_error(response.json(), "as_of")
    assert "ISO 8601" in response.json()["message"]


@pytest.mark.parametrize(
    "as_of", ["2023-08-01T00:00:00Z", "2023-08-01T08:00:00+08:00", "2023-08-01"]
)
def test_iso_timestamps_are_still_accepted(client: TestClient, as_of: str) -> None:
    response = client.get("/api/v1/summary", params={"region": "500000", "as_of": as_of})
    assert response.status_code == 200, response.text
    assert response.json()["as_of"].startswith("2023-08-01T00:00:00")


def test_an_as_of_before_year_one_in_utc_is_refused_not_a_500(client: TestClient) -> None:
    # 0001-01-01 00:00 at UTC+1 is in year 0 once converted to UTC: OverflowError, a 500
    response = client.get("/api/v1/summary", params={"as_of": "0001-01-01T00:00:00+01:00"})
    assert response.status_code == 422, response.text
    _assert_error(response.json(), "as_of")


@pytest.mark.parametrize("path", ["/api/v1/targets", "/api/v1/plans"])
def test_a_body_that_is_not_utf8_is_a_declared_400(
    client: TestClient, api_keys: dict[str, str], path: str
) -> None:
    # FastAPI answers 400 "There was an error parsing the body" before any handler runs;
    # the fuzzer flagged it as undocumented. Now it is declared, in the one error shape.
    response = client.post(
        path,
        content=b"@\x0b\xff\xfex`\x80\n;d",
        headers={**bearer(api_keys["admin"]), "Content-Type": "application/json"},
    )
    assert response.status_code == 400, response.text
    body = response.json()
    assert set(body) == {"error", "message", "errors"}
    assert body["error"] == "bad_request"
    responses = client.get("/openapi.json").json()["paths"][path]["post"]["responses"]
    assert "400" in responses


def test_every_write_declares_400(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path, method in [
        ("/api/v1/targets", "post"),
        ("/api/v1/plans", "post"),
        ("/api/v1/targets/{target_id}", "patch"),
        ("/api/v1/plans/{plan_id}", "patch"),
    ]:
        assert "400" in paths[path][method]["responses"], (path, method)


@pytest.mark.parametrize("value", [0, 1, "true", "yes"])
def test_retired_must_be_a_json_boolean(
    client: TestClient, api_keys: dict[str, str], value: object
) -> None:
    # was accepted: `"retired": 0` read as false (the fuzzer then got a 412 for its If-Match)
    admin = bearer(api_keys["admin"])
    path = f"/api/v1/targets/{_first_target(client)}"
    etag = client.get(path).headers["ETag"]
    response = client.patch(
        path,
        json={"retired": value, "retired_reason": "superseded"},
        headers={**admin, "If-Match": etag},
    )
    assert response.status_code == 422, response.text
    _assert_error(response.json(), "retired")
    assert client.get(path).json()["retired_at"] is None


def test_stretch_must_be_a_json_boolean(client: TestClient, api_keys: dict[str, str]) -> None:
    admin = bearer(api_keys["admin"])
    response = client.post("/api/v1/targets", json={**NEW_TARGET, "stretch": 1}, headers=admin)
    assert response.status_code == 422, response.text
    _assert_error(response.json(), "stretch")
    plan = {k: v for k, v in NEW_TARGET.items() if k not in ("start_year", "end_year")}
    response = client.post(
        "/api/v1/plans", json={**plan, "year": 2023, "stretch": "no"}, headers=admin
    )
    assert response.status_code == 422, response.text
    _assert_error(response.json(), "stretch")
    ok = client.post("/api/v1/targets", json={**NEW_TARGET, "stretch": True}, headers=admin)
    assert ok.status_code == 201, ok.text
    assert ok.json()["stretch"] is True


def _post_csv(client: TestClient, key: str, text: str) -> dict[str, object]:
    response = client.post(
        "/api/v1/observations/import",
        content=text.encode("utf-8"),
        headers={**bearer(key), "Content-Type": "text/csv"},
    )
    return {"status": response.status_code, "body": response.json()}


def test_a_csv_with_bare_carriage_returns_is_read_not_a_500(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    # was 500: csv.Error "new-line character seen in unquoted field"; a sheet saved with
    # classic Mac line endings (\r alone) is now read like any other
    text = f"{CSV_HEADER}\rkey_project_investment,500000,2023-Q3,3480,亿元,12.1,79.1,,,\r"
    result = _post_csv(client, api_keys["analyst"], text)
    assert result["status"] == 201, result
    body = result["body"]
    assert isinstance(body, dict)
    assert [i["value"] for i in body["items"]] == [3480]


def test_stray_carriage_return_in_a_header_is_a_422(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    result = _post_csv(client, api_keys["analyst"], "indi\rcator,region\n")
    assert result["status"] == 422, result
    body = result["body"]
    assert isinstance(body, dict)
    _assert_error(body, "header")


def test_an_unreadable_csv_is_a_422_naming_the_line(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    # any csv.Error (here a field over the csv module's 128 KiB limit) used to be a 500
    text = f"{CSV_HEADER}\nkey_project_investment,500000,2023-Q3,3480,亿元,,,,,{'x' * 140_000}\n"
    result = _post_csv(client, api_keys["analyst"], text)
    assert result["status"] == 422, result
    body = result["body"]
    assert isinstance(body, dict)
    _assert_error(body, "body")
    assert "line 2" in str(body["message"])


def test_row_answers_carry_etag_and_links_to_get_and_patch(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    # the OpenAPI links the stateful fuzzer follows: a read or write of one target feeds
    # GET and PATCH of it, the ETag going into If-Match
    spec = client.get("/openapi.json").json()
    ok = spec["paths"]["/api/v1/targets/{target_id}"]["get"]["responses"]["200"]
    assert "ETag" in ok["headers"]
    patch = ok["links"]["patch_target"]
    assert patch["parameters"] == {
        "target_id": "$response.body#/id",
        "header.if-match": "$response.header.ETag",
    }
    created = spec["paths"]["/api/v1/plans"]["post"]["responses"]["201"]
    assert set(created["links"]) == {"get_plan", "patch_plan"}
    # following the link as written works
    read = client.get(f"/api/v1/targets/{_first_target(client)}")
    response = client.patch(
        f"/api/v1/targets/{read.json()['id']}",
        json={"note": "followed the link"},
        headers={**bearer(api_keys["admin"]), "If-Match": read.headers["ETag"]},
    )
    assert response.status_code == 200, response.text


def _refs(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def test_every_ref_in_the_openapi_resolves(client: TestClient) -> None:
    # POST /observations pointed at #/components/schemas/ObservationCreate, which FastAPI
    # never emitted (the handler reads the body itself): the fuzzer, like any client
    # generator, silently dropped the JSON body and only ever sent CSV
    spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    dangling = {
        ref
        for ref in _refs(spec)
        if not (ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] in schemas)
    }
    assert dangling == set()
    body = spec["paths"]["/api/v1/observations"]["post"]["requestBody"]["content"]
    one, batch = body["application/json"]["schema"]["oneOf"]
    # by reference, listed in components: a generated client needs a named type (#16.6)
    assert one == {"$ref": "#/components/schemas/ObservationCreate"}
    model = schemas["ObservationCreate"]
    assert model["title"] == "ObservationCreate"
    assert set(model["required"]) == {"indicator", "region", "period"}
    assert batch["items"] == one
    assert (batch["minItems"], batch["maxItems"]) == (1, 10000)
