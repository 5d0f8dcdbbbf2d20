"""Need to know over the API: a low-cleared officer learns nothing about messages above their
clearance from the log routes, the metrics or the outbox (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from accord.api.app import create_app
from accord.config import load_settings
from accord.node.services import NodeServices
from tests.support.api import CLOCK, RELEASE, auth, gsomia, prepare

GSOMIA = gsomia("USA", "PAK", "2020-01-01")


@pytest.fixture
def node(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> Iterator[tuple[TestClient, dict[str, str]]]:
    tokens = prepare(tmp_path / "home", monkeypatch, database_url)
    services = NodeServices.open(load_settings(), CLOCK)
    try:
        services.users.add("uma", "officer", "UNCLASSIFIED", [])
        tokens["uma"] = services.users.create_token("uma").token
    finally:
        services.close()
    with TestClient(create_app(load_settings(), CLOCK)) as client:
        yield client, tokens


def test_a_low_cleared_officer_learns_nothing_of_a_secret_release(
    node: tuple[TestClient, dict[str, str]],
) -> None:
    client, tokens = node
    imported = client.post("/v1/agreements", json=GSOMIA, headers=auth(tokens["olga"]))
    assert imported.status_code in (200, 201), imported.text
    secret = {**RELEASE, "label": {"banner": "SECRET//REL TO USA, PAK"}, "text": "grid 42R"}
    released = client.post("/v1/messages", json=secret, headers=auth(tokens["alice"]))
    assert released.status_code == 201, released.text
    secret_id = released.json()["id"]
    plain = client.post("/v1/messages", json=RELEASE, headers=auth(tokens["alice"]))
    assert plain.status_code == 201, plain.text
    plain_id = plain.json()["id"]
    uma = auth(tokens["uma"])

    # The outbox: the SECRET message is absent, and asking for it is answered as for no message.
    assert [m["id"] for m in client.get("/v1/outbox", headers=uma).json()] == [plain_id]
    hidden = client.get(f"/v1/outbox/{secret_id}", headers=uma)
    missing = client.get("/v1/outbox/00000000-0000-4000-8000-000000000000", headers=uma)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["error"] == missing.json()["error"] == "not-found"
    assert client.get(f"/v1/outbox/{plain_id}", headers=uma).status_code == 200
    auditor = auth(tokens["audrey"])
    assert {m["id"] for m in client.get("/v1/outbox", headers=auditor).json()} == {
        secret_id,
        plain_id,
    }

    # The log: no entry to any officer (the release decision names the SECRET label), all to
    # auditors; checkpoints and proofs to everyone.
    size = int(client.get("/v1/log/checkpoint", headers=uma).text.splitlines()[1])
    assert size >= 5
    for index in range(size):
        for officer in ("uma", "alice"):
            refused = client.get(f"/v1/log/entries/{index}", headers=auth(tokens[officer]))
            assert refused.status_code == 403
            assert "SECRET" not in refused.text
        assert client.get(f"/v1/log/entries/{index}", headers=auditor).status_code == 200
    proof = client.get(f"/v1/log/proofs/inclusion?index={size - 1}", headers=uma)
    assert proof.status_code == 200

    # Metrics move with traffic: not for officers.
    assert client.get("/metrics", headers=uma).status_code == 403
    assert client.get("/metrics", headers=auditor).status_code == 200

    # An id prefix (the CLI's): only the messages the caller may see are candidates, so the
    # SECRET message's prefix names nothing for uma, and names it for an auditor.
    services = NodeServices.open(load_settings(), CLOCK)
    try:
        messaging = services.messaging()
        prefix = secret_id[:8]
        assert messaging.resolve(prefix, services.users.get("uma")) == prefix
        assert messaging.resolve(prefix, services.users.get("audrey")) == secret_id
        assert messaging.resolve(plain_id[:8], services.users.get("uma")) == plain_id
    finally:
        services.close()
