"""Fuzz the API from its own OpenAPI schema (schemathesis): no input may cause a 5xx."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

# a test extra (pip install -e '.[test]'): missing, collection fails loudly rather than skips
import schemathesis  # noqa: E402
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance  # noqa: E402

from central.openapi import openapi_schema
from tests.central.live import CentralKeys, LiveCentral, make_keys

schema = schemathesis.openapi.from_dict(openapi_schema())


@pytest.fixture(scope="module")
def fuzz_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveCentral, str]]:
    tmp = tmp_path_factory.mktemp("fuzz")
    keys: CentralKeys = make_keys(tmp / "keys")
    central = LiveCentral(f"sqlite:///{tmp / 'central.sqlite'}", keys).start()
    central.publish_fft()
    code = central.enrol()
    token = requests.post(f"{central.url}/api/v1/enrol", json={"code": code}, timeout=10).json()
    yield central, token["token"]
    central.stop()


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_makes_the_central_record_fail(case, fuzz_target) -> None:  # type: ignore[no-untyped-def]
    central, token = fuzz_target
    # Every schemathesis check except "a schema-valid body is accepted": the schema cannot say
    # that record ids are unique within a batch or that created_hour is a real hour.
    response = case.call_and_validate(base_url=central.url,
                                      headers={"Authorization": f"Bearer {token}"},
                                      excluded_checks=[positive_data_acceptance])
    assert response.status_code < 500, (case.method, case.path, response.status_code, response.text)
    if response.status_code >= 400:
        assert "code" in response.json()["error"]  # every refusal names its error code
    assert requests.get(f"{central.url}/api/v1/health", timeout=10).status_code == 200
