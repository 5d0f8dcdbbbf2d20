"""Schemathesis against the node's OpenAPI document: generated requests to every route, as each
role, must never produce a 5xx or a response that breaks the documented schema."""

from __future__ import annotations

import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from accord.api.app import create_app
from accord.config import Settings
from tests.support.api import CLOCK, prepare

# The app exists when the module is imported (schemathesis builds its test cases then); its node
# is prepared in a fresh directory by the fixture, which also runs the app's lifespan.
HOME = Path(tempfile.gettempdir()) / f"accord-schemathesis-{secrets.token_hex(8)}" / "home"
APP = create_app(Settings(home=HOME, database_url=None), CLOCK)
schema = schemathesis.openapi.from_dict(APP.openapi())
schema.app = APP  # every request, schemathesis's own probes too, goes to the app in process
schema.config.update(base_url="http://localhost")


@pytest.fixture(scope="module")
def tokens() -> Iterator[dict[str, str]]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        issued = prepare(HOME, monkeypatch)
        with TestClient(APP):  # the app's lifespan: the node's services are open
            yield issued
    shutil.rmtree(HOME.parent, ignore_errors=True)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors_and_responses_match_the_schema(
    case: schemathesis.Case, tokens: dict[str, str]
) -> None:
    # As each role in turn (officer, auditor, operator): each reaches different routes.
    for token in tokens.values():
        case.call_and_validate(
            headers={"Authorization": f"Bearer {token}"},
            # A request the schema allows may still name an unknown nation or an impossible
            # date: refusing it (422) is right, so "schema-valid data is accepted" is not checked.
            excluded_checks=[positive_data_acceptance],
        )


def test_the_schema_documents_the_error_shape() -> None:
    document = APP.openapi()
    release = document["paths"]["/v1/messages"]["post"]["responses"]
    assert {"401", "403", "413", "422"} <= set(release)
    assert release["422"]["content"]["application/json"]["schema"]["required"] == [
        "error",
        "message",
    ]
