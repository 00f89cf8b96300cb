"""Property test: the server does what its OpenAPI schema says, for generated requests.

Schemathesis reads /openapi.json from the live server (its own index, built for this
module) and Hypothesis sends a bounded number of generated requests per operation,
both valid ones and ones that break the schema, as JSON and as multipart uploads.
Every response goes through schemathesis' checks: no 5xx, and the conformance checks
(status code, content type, headers and body as the schema declares them), and a request
that breaks the schema is refused. (Schemathesis' own pytest loader does not run under
pytest 9, so the strategies are drawn here with Hypothesis directly.)
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode, checks

from tests.server.conftest import LiveServer

EXAMPLES = 40
OPERATIONS = [("GET", "/health"), ("POST", "/ask"), ("GET", "/sources"), ("GET", "/disputes"),
              ("POST", "/ingest"), ("GET", "/answers/{answer_id}/card"), ("GET", "/jobs/{job_id}")]
CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_headers_conformance, checks.response_schema_conformance, checks.negative_data_rejection]


@pytest.fixture(scope="module")
def api_schema(api: LiveServer):
    return schemathesis.openapi.from_url(f"{api.url}/openapi.json")


def test_every_operation_is_covered(api_schema):
    found = {(op.ok().method.upper(), op.ok().path) for op in api_schema.get_all_operations()}
    assert found == set(OPERATIONS)


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_no_request_makes_a_server_error(api: LiveServer, api_schema, method: str, path: str):
    operation = api_schema[path][method]
    cases = st.one_of(operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE))
    seen: dict[int, int] = {}

    @given(case=cases)
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case) -> None:
        response = case.call(base_url=api.url, timeout=120)
        seen[response.status_code] = seen.get(response.status_code, 0) + 1
        assert response.status_code < 500, f"{method} {path}: {response.status_code} {response.text[:500]}"
        case.validate_response(response, checks=CHECKS)
        assert "Traceback" not in response.text
        if response.status_code >= 400:
            assert response.json().get("detail"), response.text[:500]

    check()
    minimum = 1 if method == "GET" and "{" not in path else 5  # an operation without inputs has one request
    assert sum(seen.values()) >= minimum, seen  # the property really was exercised
