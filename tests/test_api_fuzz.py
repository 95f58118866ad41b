"""A schema-driven fuzz of the operators' API: schemathesis generates requests from the
OpenAPI document (valid and invalid ones) and checks every answer against it — no server
error, only documented status codes and bodies — with a valid credential, on a database
with people in it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from urpaq.bootstrap import open_unit_of_work
from urpaq.domain.operators import Purpose
from urpaq.entrypoints.http.app import create_app
from world import add_bank, build_world

CREDENTIAL = "fuzzing-bank-credential"


@pytest.fixture
def api_schema(tmp_path: Path) -> Iterator[schemathesis.Schema]:
    uow = open_unit_of_work(f"sqlite:///{tmp_path / 'fuzz.db'}")
    uow.schema.initialise()
    build_world(uow, tmp_path)
    add_bank(uow, name="Fuzz Bank", purposes=frozenset(Purpose), credential=CREDENTIAL,
             pays_heirs=True)  # fmt: skip
    uow.close()
    app = create_app(database_url=f"sqlite:///{tmp_path}/fuzz.db")
    yield schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)


OPERATIONS = [
    ("GET", "/api/v1/savings/{iin}"),
    ("POST", "/api/v1/payouts"),
    ("GET", "/api/v1/payouts"),
    ("GET", "/api/v1/payouts/{payout_id}"),
    ("POST", "/api/v1/payouts/{payout_id}/confirmation"),
    ("POST", "/api/v1/payouts/{payout_id}/return"),
    ("POST", "/api/v1/heir-payouts"),
    ("GET", "/api/v1/heir-payouts/{payout_id}"),
    ("POST", "/api/v1/heir-payouts/{payout_id}/return"),
]


def test_every_operation_is_fuzzed(api_schema: schemathesis.Schema) -> None:
    """The list below covers the whole OpenAPI document."""
    documented = {
        (result.ok().method.upper(), result.ok().path) for result in api_schema.get_all_operations()
    }
    assert documented == set(OPERATIONS)


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_the_api_answers_every_generated_request_as_documented(
    api_schema: schemathesis.Schema, method: str, path: str
) -> None:
    operation = api_schema[path][method]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=60,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def answers_as_documented(case: schemathesis.Case) -> None:
        # An IIN's check digit and which sub-purposes belong to which purpose cannot be
        # written in JSON Schema: a request valid by the schema may rightly get 422, so
        # the check that schema-valid data is accepted is left out.
        case.call_and_validate(
            headers={"Authorization": f"Bearer {CREDENTIAL}"},
            excluded_checks=[positive_data_acceptance],
        )

    answers_as_documented()
