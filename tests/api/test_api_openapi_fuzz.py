"""Property-based fuzzing of the OpenAPI document with schemathesis: no request yields a 5xx.

Every operation of ``/v1/openapi.json`` gets a few generated requests (bodies, query, path and
header parameters from the document; valid ones and ones that break the schema) sent with a
valid API key to the app in process (ASGI).
Errors must be problem documents. Bounded: :data:`MAX_EXAMPLES` per operation, no deadline,
derandomized (the same cases every run), so the whole run takes seconds.

The schemathesis pytest plugin (``@schema.parametrize()``) does not run under pytest 9 yet, so the
operations are driven with their Hypothesis strategies (``operation.as_strategy()``) directly.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

MAX_EXAMPLES = 4


def _operations(app: FastAPI) -> list[Any]:
    schema = schemathesis.openapi.from_asgi("/v1/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def _fuzz(operation: Any, api_key: str, failures: list[str], mode: GenerationMode) -> None:
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        try:
            response = case.call(headers={"X-API-Key": api_key})
        except Exception as exc:  # the in-process transport re-raises what the app did not handle
            failures.append(f"{case.method} {case.formatted_path} raised {exc!r}")
            return
        if response.status_code >= 500:
            failures.append(
                f"{case.method} {case.formatted_path} -> {response.status_code}: "
                f"{response.text[:300]}"
            )
        elif response.status_code >= 400:
            media = response.headers.get("content-type")
            media = media[0] if isinstance(media, list) else media
            if media != "application/problem+json":
                failures.append(
                    f"{case.method} {case.formatted_path} -> {response.status_code} as {media}"
                )

    try:
        run()
    except Unsatisfiable:
        # An operation without parameters or body has no way to be invalid.
        assert mode is GenerationMode.NEGATIVE, operation.label


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_operation_returns_a_server_error(
    app: FastAPI, api_key: str, mode: GenerationMode
) -> None:
    """Valid requests (positive) and requests that break the schema (negative)."""
    failures: list[str] = []
    operations = _operations(app)
    labels = {op.label for op in operations}
    assert {"POST /v1/plans", "POST /v1/routes", "GET /v1/layouts", "GET /v1/health"} <= labels
    for operation in operations:
        _fuzz(operation, api_key, failures, mode)
    assert not failures, "\n".join(failures)
