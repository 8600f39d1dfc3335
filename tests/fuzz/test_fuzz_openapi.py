"""Schema-based fuzzing of every operation in the city hall's /openapi.json: never a 5xx.

Each operation runs twice: as sent by a stranger (no signature), and signed by an
enrolled village over whatever body and query the fuzzer made, so the fuzz reaches
past authentication into decoding and ingest.
"""
from __future__ import annotations

from urllib.parse import urlencode

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.fuzz.conftest import FUZZ_EXAMPLES, FuzzHub


@pytest.fixture(scope="module")
def hub_schema(fuzz_hub: FuzzHub):  # noqa: ANN201 - schemathesis' schema type
    return schemathesis.openapi.from_asgi("/openapi.json", fuzz_hub.app)


schema = schemathesis.pytest.from_fixture("hub_schema")
FUZZ_SETTINGS = settings(max_examples=FUZZ_EXAMPLES, deadline=None,
                         suppress_health_check=list(HealthCheck))


def _body_bytes(body: object) -> bytes:
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    return b""


def _path_and_query(case: schemathesis.Case) -> str:
    query = urlencode(case.query or {}, doseq=True)
    return case.formatted_path + (f"?{query}" if query else "")


@schema.parametrize()
@FUZZ_SETTINGS
def test_no_operation_answers_a_stranger_with_a_server_error(case: schemathesis.Case) -> None:
    response = case.call()
    assert response.status_code < 500, f"{case.method} {case.formatted_path} → {response.status_code}: {response.text[:300]}"


@schema.parametrize()
@FUZZ_SETTINGS
def test_no_operation_answers_an_enrolled_station_with_a_server_error(case: schemathesis.Case,
                                                                       fuzz_hub: FuzzHub) -> None:
    body = _body_bytes(case.body) if case.method.upper() == "POST" else b""
    headers = fuzz_hub.village.headers(case.method.upper(), _path_and_query(case), body)
    response = case.call(headers=headers)
    assert response.status_code < 500, f"{case.method} {case.formatted_path} → {response.status_code}: {response.text[:300]}"
