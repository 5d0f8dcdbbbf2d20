"""The node's HTTP API through the ASGI app (SQLite and PostgreSQL) and through real HTTP
against ``accord serve`` on loopback."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from accord.clock import SystemClock
from accord.config import load_settings
from accord.node.services import NodeServices
from tests.support.api import RELEASE, auth, prepare
from tests.support.servers import serve, stop


def test_release_then_prove_it_in_the_log(api: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = api
    response = client.post("/v1/messages", json=RELEASE, headers=auth(tokens["alice"]))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["permit"] is True
    assert set(body) >= {"id", "log_index", "reasons"}
    queued = client.get("/v1/outbox", headers=auth(tokens["audrey"])).json()
    assert [m["id"] for m in queued] == [body["id"]]
    proof = client.get(
        f"/v1/log/proofs/inclusion?index={body['log_index']}", headers=auth(tokens["audrey"])
    )
    assert proof.status_code == 200
    assert set(proof.json()) == {"index", "size", "leaf_hash", "root_hash", "proof"}
    note = client.get("/v1/log/checkpoint", headers=auth(tokens["audrey"]))
    assert note.text.startswith("usa.example/log\n")
    entry = client.get(
        f"/v1/log/entries/{body['log_index']}", headers=auth(tokens["audrey"])
    ).json()
    assert entry["entry"]["decision"] == "permit"


def test_a_denied_release_is_403_with_the_decision(api: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = api
    secret = {**RELEASE, "label": {"banner": "SECRET//REL TO USA, PAK"}}
    response = client.post("/v1/messages", json=secret, headers=auth(tokens["alice"]))
    assert response.status_code == 403
    body = response.json()
    assert body["error"] == "release-denied"
    assert body["permit"] is False
    assert any(r["outcome"] == "failed" for r in body["reasons"])
    assert client.get("/v1/outbox", headers=auth(tokens["alice"])).json() == []


def test_roles_and_tokens(api: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = api
    assert client.post("/v1/messages", json=RELEASE).status_code == 401
    assert client.post("/v1/messages", json=RELEASE, headers=auth("acc_forged")).status_code == 401
    forbidden = client.post("/v1/messages", json=RELEASE, headers=auth(tokens["audrey"]))
    assert forbidden.status_code == 403
    assert forbidden.json()["error"] == "forbidden"
    assert client.get("/v1/outbox", headers=auth(tokens["olga"])).status_code == 403
    assert client.get("/v1/agreements", headers=auth(tokens["olga"])).status_code == 200
    assert client.get("/healthz").json() == {"status": "ok"}


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"recipient": "XXX"}, 422, "invalid-input"),
        ({"capability": "telepathy"}, 422, "invalid-input"),
        ({"label": {"banner": "SECRT//REL TO USA"}}, 422, "invalid-label"),
        ({"label": {"banner": "UNCLASSIFIED", "json": {}}}, 422, "invalid-input"),
        ({"unknown": 1}, 422, "invalid-input"),
    ],
)
def test_bad_input_is_a_json_4xx_and_changes_nothing(
    api: tuple[TestClient, dict[str, str]], change: dict[str, object], status: int, code: str
) -> None:
    client, tokens = api
    response = client.post(
        "/v1/messages", json={**RELEASE, **change}, headers=auth(tokens["alice"])
    )
    assert response.status_code == status, response.text
    assert response.json()["error"] == code
    assert client.get("/v1/outbox", headers=auth(tokens["alice"])).json() == []


def test_oversized_and_malformed_bodies(api: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = api
    big = client.post(
        "/v1/messages",
        content=b"x" * (2 * 1024 * 1024),
        headers={**auth(tokens["alice"]), "content-type": "application/json"},
    )
    assert big.status_code == 413
    assert big.json()["error"] == "too-large"
    broken = client.post(
        "/v1/messages",
        content=b"{not json",
        headers={**auth(tokens["alice"]), "content-type": "application/json"},
    )
    assert broken.status_code == 422
    assert broken.json()["error"] == "invalid-input"

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit still holds
        for _ in range(40):
            yield b"x" * 65536

    chunked = client.post(
        "/v1/messages",
        content=chunks(),
        headers={**auth(tokens["alice"]), "content-type": "application/json"},
    )
    assert chunked.status_code == 413
    assert chunked.json()["error"] == "too-large"
    assert client.get("/v1/outbox", headers=auth(tokens["alice"])).json() == []


def test_unknown_routes_and_methods_are_json_errors(api: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = api
    missing = client.get("/v1/nothing-here", headers=auth(tokens["alice"]))
    assert (missing.status_code, missing.json()["error"]) == (404, "not-found")
    wrong = client.delete("/v1/outbox", headers=auth(tokens["alice"]))
    assert (wrong.status_code, wrong.json()["error"]) == (405, "method-not-allowed")
    assert set(wrong.json()) == {"error", "message"}
    assert wrong.headers["allow"] == "GET, HEAD"
    misspelt = client.get("/v1/agreements?onn=2021-06-01", headers=auth(tokens["alice"]))
    assert (misspelt.status_code, misspelt.json()["error"]) == (422, "invalid-input")
    assert "onn" in misspelt.json()["message"]
    both = client.put("/v1/agreements", headers=auth(tokens["olga"]))
    assert both.headers["allow"] == "GET, HEAD, POST"
    huge = client.get("/v1/log/entries/99999999999999999999999", headers=auth(tokens["audrey"]))
    assert huge.status_code == 422
    fraction = client.get("/v1/log/proofs/inclusion?index=0.0", headers=auth(tokens["audrey"]))
    assert fraction.status_code == 422


def test_what_if_decisions_channels_and_agreements(api: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = api
    what_if = client.post(
        "/v1/decisions",
        json={
            "recipient": "PAK",
            "label": {"banner": "UNCLASSIFIED"},
            "capability": "secure-communications",
            "activity": "joint-exercises",
            "on": "2021-06-01",
            "clearance": "SECRET",
        },
        headers=auth(tokens["audrey"]),
    )
    assert what_if.status_code == 200
    assert what_if.json()["permit"] is False
    channels = client.get(
        "/v1/channels?a=USA&b=IND&on=2019-06-01", headers=auth(tokens["olga"])
    ).json()
    assert "secure-communications" in {c["capability"] for c in channels["channels"]}
    listed = client.get("/v1/agreements?on=2021-06-01", headers=auth(tokens["olga"])).json()
    cismoa = next(a for a in listed if a["id"] == "pak-usa-cismoa")
    assert cismoa["status"] == "lapsed"
    # Metrics: operators and auditors; officers and anonymous callers are refused.
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers=auth(tokens["alice"])).status_code == 403
    metrics = client.get("/metrics", headers=auth(tokens["olga"])).text
    assert "accord_http_requests_total" in metrics


def test_every_route_is_in_the_openapi_document(api: tuple[TestClient, dict[str, str]]) -> None:
    client, _ = api
    paths = set(client.get("/openapi.json").json()["paths"])
    assert {
        "/v1/messages",
        "/v1/decisions",
        "/v1/agreements",
        "/v1/channels",
        "/v1/outbox",
        "/v1/log/checkpoint",
        "/v1/log/entries/{index}",
        "/v1/log/proofs/inclusion",
        "/v1/log/proofs/consistency",
        "/healthz",
        "/metrics",
    } <= paths


def test_a_query_parameter_given_twice_is_refused(api: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = api
    twice = client.get("/v1/transfers?buyer=PAK&buyer=", headers=auth(tokens["alice"]))
    assert twice.status_code == 422
    assert twice.json() == {
        "error": "invalid-input",
        "message": "query parameter 'buyer' is given more than once",
    }
    once = client.get("/v1/transfers?buyer=PAK", headers=auth(tokens["alice"]))
    assert once.status_code == 200


def test_the_reference_pages_load_nothing_from_outside_the_node(
    api: tuple[TestClient, dict[str, str]],
) -> None:
    """Air-gapped networks have no CDN: /docs and /redoc, and every script, style and icon they
    name, come from the node."""
    client, _ = api
    for page in ("/docs", "/redoc"):
        html = client.get(page)
        assert html.status_code == 200
        assert "text/html" in html.headers["content-type"]
        named = re.findall(r'(?:src|href)=["\']([^"\']+)["\']', html.text)
        assert named, page
        assert "http://" not in html.text, page
        assert "https://" not in html.text, page
        for asset in named:
            assert asset.startswith("/docs/assets/"), asset
            fetched = client.get(asset)
            assert fetched.status_code == 200, asset
            assert len(fetched.content) > 1000, asset
    assert client.get("/docs/assets/nothing-here.js").status_code == 404
    # The pages are not routes of the API itself.
    assert "/docs" not in client.get("/openapi.json").json()["paths"]


@pytest.mark.real_processes
def test_real_http_against_accordserve(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tokens = prepare(tmp_path / "served", monkeypatch, clock=SystemClock())
    environment = {**os.environ, "ACCORD_HOME": str(tmp_path / "served")}
    environment.pop("ACCORD_DATABASE_URL", None)
    server, base = serve(environment)
    try:
        response = httpx.post(
            f"{base}/v1/messages", json=RELEASE, headers=auth(tokens["alice"]), timeout=10
        )
        # The served node runs on the real clock: the CISMOA is in force today (renewed 2023).
        assert response.status_code == 201, response.text
        assert response.json()["permit"] is True
    finally:
        stop(server)


@pytest.mark.real_processes
def test_several_worker_processes_on_postgresql(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgresql_url: str
) -> None:
    home = tmp_path / "workers"
    tokens = prepare(home, monkeypatch, postgresql_url, clock=SystemClock())
    environment = {**os.environ, "ACCORD_HOME": str(home), "ACCORD_DATABASE_URL": postgresql_url}
    server, base = serve(environment, "--workers", "2")
    try:
        with httpx.Client(base_url=base, headers=auth(tokens["alice"]), timeout=30) as client:

            def release(_: int) -> int:
                response = client.post("/v1/messages", json=RELEASE)
                assert response.status_code == 201, response.text
                return int(response.json()["log_index"])

            with ThreadPoolExecutor(12) as pool:
                indices = list(pool.map(release, range(120)))
            # Two log entries per release (decision, envelope sent), none shared, none lost.
            assert len(set(indices)) == 120
            assert sorted(indices) == list(range(0, 240, 2))
            assert len(client.get("/v1/outbox").json()) == 120
    finally:
        stop(server)
    node = NodeServices.open(load_settings(), SystemClock())
    try:
        report = node.log.verify_integrity()
        assert report.intact
        assert report.size == 240
    finally:
        node.close()


def test_a_file_is_released_from_a_streamed_upload(api: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = api
    query = (
        "/v1/files?recipient=PAK&label=UNCLASSIFIED"
        "&capability=secure-communications&activity=joint-exercises"
    )

    def chunks(count: int) -> Iterator[bytes]:  # chunked: no Content-Length announced
        for _ in range(count):
            yield b"\x00\x01" * 32768

    released = client.post(query, content=chunks(48), headers=auth(tokens["alice"]))
    assert released.status_code == 201, released.text
    assert released.json()["permit"] is True
    listed = client.get("/v1/outbox", headers=auth(tokens["alice"])).json()
    assert [m["id"] for m in listed] == [released.json()["id"]]
    too_big = client.post(query, content=chunks(300), headers=auth(tokens["alice"]))
    assert (too_big.status_code, too_big.json()["error"]) == (413, "too-large")
    announced = client.post(
        query,
        content=b"x",
        headers={**auth(tokens["alice"]), "content-length": str(32 * 1024 * 1024)},
    )
    assert announced.status_code == 413
    assert len(client.get("/v1/outbox", headers=auth(tokens["alice"])).json()) == 1
    anonymous = client.post(query, content=b"x")
    assert anonymous.status_code == 401
