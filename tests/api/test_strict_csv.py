"""A CSV is read strictly: every cell where the header says, or a 422 naming row and column
(#14.3)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import bearer

HEADER = "indicator,region,period,unit,value"


def _post(client: TestClient, key: str, text: str) -> tuple[int, dict]:
    response = client.post(
        "/api/v1/observations/import",
        content=text.encode(),
        headers={**bearer(key), "Content-Type": "text/csv"},
    )
    return response.status_code, response.json()


def _nothing_stored(client: TestClient) -> None:
    stored = client.get("/api/v1/observations", params={"indicator": "gdp", "period": "2015"})
    assert stored.json()["total"] == 0


def test_a_row_with_more_cells_than_the_header_is_refused(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    status, body = _post(client, api_keys["analyst"], f"{HEADER}\ngdp,500000,2015,亿元,15,717\n")
    assert status == 422, body
    (error,) = body["errors"]
    assert error["row"] == 1 and error["field"] == "column 6"
    assert "'717'" in error["message"]
    _nothing_stored(client)


def test_an_unquoted_comma_in_a_note_is_refused(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    text = (
        f"{HEADER},note\ngdp,500000,2015,亿元,15717,ok\n"
        "gdp,500000,2016,亿元,17740,季度通报, 修订后\n"
    )
    status, body = _post(client, api_keys["analyst"], text)
    assert status == 422, body
    (error,) = body["errors"]
    assert error["row"] == 2 and error["field"] == "column 7"
    assert "' 修订后'" in error["message"]
    _nothing_stored(client)


def test_thousands_separators_in_quoted_cells_are_read(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    status, body = _post(
        client, api_keys["analyst"], f'{HEADER}\ngdp,500000,2015,亿元,"15,717.5"\n'
    )
    assert status == 201, body
    assert [i["value"] for i in body["items"]] == [15717.5]


def test_a_duplicate_column_is_refused(client: TestClient, api_keys: dict[str, str]) -> None:
    status, body = _post(
        client, api_keys["analyst"], f"{HEADER},value\ngdp,500000,2015,亿元,15717,1\n"
    )
    assert status == 422, body
    (error,) = body["errors"]
    assert error["field"] == "value" and "columns 5 and 6" in error["message"]
    _nothing_stored(client)


def test_a_quote_without_its_document_is_refused(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    status, body = _post(
        client,
        api_keys["analyst"],
        f"{HEADER},source_quote\ngdp,500000,2015,亿元,15717,全市生产总值15717亿元\n",
    )
    assert status == 422, body
    (error,) = body["errors"]
    assert (error["row"], error["field"]) == (1, "source_document")
    _nothing_stored(client)


def test_an_unterminated_quote_names_row_and_column(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    text = f'{HEADER},note\ngdp,500000,2015,亿元,15717,ok\ngdp,500000,2016,亿元,17740,"open\n'
    status, body = _post(client, api_keys["analyst"], text)
    assert status == 422, body
    (error,) = body["errors"]
    assert (error["row"], error["field"]) == (2, "note")
    _nothing_stored(client)
