"""JSON numbers are read from their text and written back with their exact digits (#14.1)."""

from __future__ import annotations

import json
from decimal import Decimal

from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy.orm import Session

from app.api.exact_json import ExactJSONRoute
from app.models import Indicator, Region, Target
from app.schemas.common import Number
from app.schemas.json_numbers import loads, number_text, splice_text
from app.services.progress import target_read
from app.services.render import item_json, read_fragment
from tests.conftest import bearer

RAW_OBSERVATION = (
    '{"indicator":"key_project_investment","region":"500000","period":"2023-Q3",'
    '"value":%s,"unit":"亿元"}'
)


def _post_raw(client: TestClient, key: str, path: str, body: str) -> dict:
    response = client.post(
        path, content=body.encode(), headers={**bearer(key), "Content-Type": "application/json"}
    )
    assert response.status_code in (200, 201, 422), response.text
    return {"status": response.status_code, "text": response.text, "json": response.json()}


def _exact(text: str) -> object:
    """The answer with its numbers as decimals, as a careful client reads it."""
    return json.loads(text, parse_float=Decimal)


def test_observation_values_keep_every_digit(client: TestClient, api_keys: dict[str, str]) -> None:
    for text in ("30145.123456789012", "12345678901234567.5"):
        answer = _post_raw(
            client, api_keys["analyst"], "/api/v1/observations", RAW_OBSERVATION % text
        )
        assert answer["status"] == 201, answer["text"]
        assert f'"value":{text},' in answer["text"]
        (item,) = _exact(answer["text"])["items"]  # type: ignore[index]
        assert item["value"] == Decimal(text)
        read = client.get(
            "/api/v1/observations",
            params={"indicator": "key_project_investment", "period": "2023-Q3"},
        )
        assert f'"value":{text},' in read.text
        assert _exact(read.text)["items"][0]["value"] == Decimal(text)  # type: ignore[index]


def test_a_number_too_small_for_a_float_is_refused_not_zero(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    answer = _post_raw(
        client, api_keys["analyst"], "/api/v1/observations", RAW_OBSERVATION % "1e-400"
    )
    assert answer["status"] == 422
    assert answer["json"]["errors"][0]["field"] == "value"
    stored = client.get("/api/v1/observations", params={"period": "2023-Q3"}).json()
    assert stored["total"] == 0


def test_targets_read_their_numbers_exactly(client: TestClient, api_keys: dict[str, str]) -> None:
    body = (
        '{"indicator":"gdp","region":"500115","basis":"value",'
        '"comparator":">=","value":12345678901234567.5,"unit":"亿元",'
        '"start_year":2023,"end_year":2027}'
    )
    answer = _post_raw(client, api_keys["admin"], "/api/v1/targets", body)
    assert answer["status"] == 201, answer["text"]
    assert '"value":12345678901234567.5,' in answer["text"]
    read = client.get(f"/api/v1/targets/{answer['json']['id']}")
    assert '"value":12345678901234567.5,' in read.text
    tiny = body.replace("12345678901234567.5", "1e-400")
    refused = _post_raw(client, api_keys["admin"], "/api/v1/targets", tiny)
    assert refused["status"] == 422
    assert refused["json"]["errors"][0]["field"] == "value"


def test_number_text_is_the_shortest_exact_form() -> None:
    assert number_text(Decimal("3.01457900")) == "3.014579"
    assert number_text(Decimal("4300")) == "4300"
    assert number_text(Decimal("4.3E+3")) == "4300"
    assert number_text(Decimal("-0.00")) == "0"
    assert number_text(Decimal("1E-12")) == "0.000000000001"
    assert loads(number_text(Decimal("1.5E+60"))) == Decimal("1.5E+60")
    assert loads('{"v": 1e-400}') == {"v": Decimal("1E-400")}
    assert loads('{"v": 12345678901234567890123}') == {"v": 12345678901234567890123}


def test_stored_fragments_are_what_the_model_serialises(session: Session) -> None:
    target, indicator, region = (
        session.query(Target, Indicator, Region)
        .join(Indicator, Target.indicator_code == Indicator.code)
        .join(Region, Target.region_code == Region.code)
        .filter(Target.indicator_code == "gdp", Target.end_year == 2027, Target.value == 4)
        .first()
    )
    read = target_read(target, indicator, region, [])
    spliced = item_json(
        read.id,
        (indicator.code, indicator.name, indicator.unit),
        (region.code, region.name),
        read_fragment(read),
    )
    assert spliced == splice_text(read.model_dump_json())
    assert json.loads(spliced)["value"] == 4


def test_the_openapi_keeps_numbers_numbers(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert schemas["TargetRead"]["properties"]["value"]["type"] == "number"
    actual = schemas["TargetProgressRead"]["properties"]["actual"]["anyOf"]
    assert {"type": "number"} in actual


def test_quantities_keep_their_digits_rates_four_decimals(
    client: TestClient, api_keys: dict[str, str]
) -> None:
    """#14.2: 30,145.79 亿元 against the 2027 GDP goal of 4 万亿元 reads back to the 亿元."""
    figure = {"indicator": "gdp", "region": "500000", "period": "2023", "unit": "亿元"}
    answer = _post_raw(
        client,
        api_keys["analyst"],
        "/api/v1/observations",
        json.dumps(figure)[:-1] + ',"value":30145.79}',
    )
    assert answer["status"] == 201, answer["text"]
    targets = _exact(client.get("/api/v1/targets", params={"indicator": "gdp"}).text)
    (goal,) = [
        t
        for t in targets["items"]  # type: ignore[index]
        if t["region"]["code"] == "500000" and t["end_year"] == 2027 and t["unit"] == "万亿元"
    ]
    progress = goal["progress"]
    assert progress["actual_period"] == "2023"
    assert progress["actual"] == Decimal("3.014579")
    assert progress["gap"] == Decimal("0.985421")
    # 3.014579 / 4 = 75.364475 %: a rate, 4 decimals (half up)
    assert progress["completion_rate"] == Decimal("75.3645")
    projected = progress["projected_end_value"]
    assert projected is not None and len(str(projected).replace(".", "").lstrip("0")) <= 8


class _Figure(BaseModel):
    value: Number


_echo_router = APIRouter(route_class=ExactJSONRoute)


@_echo_router.post("/echo")
def _echo(figure: _Figure) -> _Figure:
    return figure


def test_the_route_class_splices_fastapis_own_serialisation() -> None:
    """A router with ``route_class=ExactJSONRoute`` answers exact numbers on FastAPI's fast
    path too (no custom response class), and reads its body exactly."""
    app = FastAPI()
    app.include_router(_echo_router)
    with TestClient(app) as client:
        response = client.post(
            "/echo",
            content=b'{"value": 30145.123456789012}',
            headers={"Content-Type": "application/json"},
        )
    assert response.content == b'{"value":30145.123456789012}'
    assert response.headers["content-length"] == str(len(response.content))
