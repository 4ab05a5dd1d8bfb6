"""Schema fuzzing: every operation of the app's own OpenAPI, reads and admin writes alike.

Schemathesis (v4) loads ``/openapi.json`` from the ASGI app, generates valid and invalid
requests for each operation and checks every answer: never a 500, only declared status
codes and content types, bodies that match the declared schema, and invalid input
refused. A state machine then follows the links the schema implies (POST /targets →
GET/PATCH /targets/{id}, …).

Each operation runs against an app whose sessions join the test's rolled-back
connection (as ``client`` in tests/conftest.py), with an admin key made in that
transaction, so the fuzzer's writes never outlive the test; each case (each scenario of
the state machine) is also rolled back to a savepoint, so every one starts from the
seeds. Generation is derandomized with two fixed seeds and bounded: about 2,000 cases a seed and
60 scenarios, a few minutes per backend. Counts per operation are printed in the
terminal summary (tests/fuzz/conftest.py).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import hypothesis
import pytest
import schemathesis
from fastapi import FastAPI
from schemathesis.specs.openapi.checks import negative_data_rejection
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.main import create_app
from app.settings import Settings
from tests.conftest import bearer

if TYPE_CHECKING:
    from tests.fuzz.conftest import FuzzStats

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
)
# schemathesis's default statuses for "invalid data was rejected" (a 5xx is not_a_server_error's)
NEGATIVE_REJECTED = [
    *("400", "401", "403", "404", "405", "406", "409", "415", "422", "428", "429"),
    "5xx",
]
MAX_EXAMPLES = 20
STATEFUL_SCENARIOS = 60
STATEFUL_STEPS = 6

# Two seeds, two independent draws of every operation's cases (#14: at least two seeds).
SEEDS = (20230725, 20261206)


def _config(seed: int) -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "seed": seed,
            "generation": {
                "mode": "all",
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "database": "none",
                # The admin key is sent with every request; no random Authorization headers.
                "with-security-parameters": False,
            },
            "checks": {
                "enabled": False,
                **{name: {"enabled": True} for name in CHECKS},
                # 413 is how the API refuses a batch over 10,000 rows (declared on the operation).
                "negative_data_rejection": {
                    "enabled": True,
                    "expected-statuses": [*NEGATIVE_REJECTED, "413"],
                },
            },
            # Invalid requests are the per-operation run's job; scenarios chain valid ones.
            "phases": {
                "stateful": {"max-steps": STATEFUL_STEPS, "generation": {"mode": "positive"}}
            },
        }
    )


def _schema_app() -> FastAPI:
    """An app that only serves its OpenAPI document (no database behind it)."""
    app = create_app(Settings(database_url="sqlite://"))
    app.state.sessionmaker = None
    return app


schema = schemathesis.openapi.from_asgi("/openapi.json", _schema_app(), config=_config(SEEDS[0]))
second_schema = schemathesis.openapi.from_asgi(
    "/openapi.json", _schema_app(), config=_config(SEEDS[1])
)


@pytest.fixture
def fuzz_app(connection: Connection, database_url: str) -> FastAPI:
    app = create_app(Settings(database_url=database_url))
    app.state.sessionmaker = lambda: Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    return app


@pytest.fixture
def admin_headers(api_keys: dict[str, str]) -> dict[str, str]:
    return bearer(api_keys["admin"])


@pytest.fixture
def timed(request: pytest.FixtureRequest, fuzz_stats: FuzzStats) -> Iterator[None]:
    name = request.node.originalname
    started = time.perf_counter()
    yield
    fuzz_stats.seconds[name] = fuzz_stats.seconds.get(name, 0.0) + time.perf_counter() - started


CASE_SETTINGS = hypothesis.settings(
    # The fixtures are shared by every case on purpose: each case runs in a savepoint of
    # the test's transaction that is rolled back after it.
    suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture],
)


@pytest.mark.usefixtures("timed")
@schema.parametrize()
@CASE_SETTINGS
def test_every_operation(
    case: schemathesis.Case,
    connection: Connection,
    fuzz_app: FastAPI,
    admin_headers: dict[str, str],
    fuzz_stats: FuzzStats,
) -> None:
    _call_and_check(case, connection, fuzz_app, admin_headers, fuzz_stats)


@pytest.mark.usefixtures("timed")
@second_schema.parametrize()
@CASE_SETTINGS
def test_every_operation_with_a_second_seed(
    case: schemathesis.Case,
    connection: Connection,
    fuzz_app: FastAPI,
    admin_headers: dict[str, str],
    fuzz_stats: FuzzStats,
) -> None:
    _call_and_check(case, connection, fuzz_app, admin_headers, fuzz_stats)


def _call_and_check(
    case: schemathesis.Case,
    connection: Connection,
    fuzz_app: FastAPI,
    admin_headers: dict[str, str],
    fuzz_stats: FuzzStats,
) -> None:
    fuzz_stats.cases[case.operation.label] += 1
    # Every case starts from the seeded data: no idempotency key or row left by an earlier
    # case turns this one into a 409 or a 412 before its own data is even looked at.
    savepoint = connection.begin_nested()
    started = time.perf_counter()
    try:
        response = case.call(app=fuzz_app, headers=admin_headers)
    finally:
        savepoint.rollback()
        fuzz_stats.call_seconds[case.operation.label] += time.perf_counter() - started
    fuzz_stats.statuses.setdefault(case.operation.label, Counter())[response.status_code] += 1
    excluded = []
    if _refused_dry_run(case, response):
        # A dry run refuses a batch in its body (200, `valid: false` and the errors: DESIGN
        # "Files in and out"), not with a 4xx status.
        excluded.append(negative_data_rejection)
    case.validate_response(
        response,
        headers=admin_headers,
        transport_kwargs={"app": fuzz_app, "headers": admin_headers},
        excluded_checks=excluded,
    )


def _refused_dry_run(case: schemathesis.Case, response: Any) -> bool:
    if str((case.query or {}).get("dry_run")).lower() != "true" or response.status_code != 200:
        return False
    body = response.json()
    return body.get("dry_run") is True and body.get("valid") is False and bool(body["errors"])


@pytest.mark.usefixtures("timed")
def test_stateful_links(
    connection: Connection,
    fuzz_app: FastAPI,
    admin_headers: dict[str, str],
    fuzz_stats: FuzzStats,
) -> None:
    base = schema.as_state_machine()

    class Workflow(base):  # type: ignore[valid-type, misc]
        """Each scenario (a chain of calls along the links) is rolled back after it."""

        def setup(self) -> None:
            fuzz_stats.scenarios += 1
            self.savepoint = connection.begin_nested()

        def teardown(self) -> None:
            self.savepoint.rollback()
            super().teardown()

        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
            return {"app": fuzz_app, "headers": admin_headers}

        def after_call(self, response: schemathesis.Response, case: schemathesis.Case) -> None:
            fuzz_stats.stateful_steps[f"{case.operation.label} → {response.status_code}"] += 1

    Workflow.run(
        settings=hypothesis.settings(
            max_examples=STATEFUL_SCENARIOS,
            stateful_step_count=STATEFUL_STEPS,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(hypothesis.HealthCheck),
        )
    )
