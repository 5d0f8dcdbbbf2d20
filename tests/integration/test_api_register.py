"""The register over HTTP (SQLite and PostgreSQL): reading agreements, importing, recording
lifecycle events; operators only; every change logged and used by the next decision at once."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from tests.support.api import RELEASE, auth, gsomia

Api = tuple[TestClient, dict[str, str]]

NEW_AGREEMENT = gsomia("USA", "IND", "2002-01-17")


def _log_entry(client: TestClient, token: str, index: int) -> dict[str, object]:
    response = client.get(f"/v1/log/entries/{index}", headers=auth(token))
    assert response.status_code == 200, response.text
    entry: dict[str, object] = response.json()["entry"]
    return entry


def test_one_agreement_with_its_status(api: Api) -> None:
    client, tokens = api
    response = client.get(
        "/v1/agreements/pak-usa-cismoa?on=2021-06-01", headers=auth(tokens["audrey"])
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["id"] == "pak-usa-cismoa"
    assert body["status"]["status"] == "lapsed"
    missing = client.get("/v1/agreements/no-such-thing", headers=auth(tokens["audrey"]))
    assert (missing.status_code, missing.json()["error"]) == (404, "not-found")


def test_an_operator_records_a_lapse_and_the_next_release_is_denied(api: Api) -> None:
    client, tokens = api
    # Today (2024-06-01) the renewed CISMOA is in force: the release is permitted.
    permitted = client.post("/v1/messages", json=RELEASE, headers=auth(tokens["alice"]))
    assert permitted.status_code == 201, permitted.text
    # Officers and auditors may not change the register.
    event = {"event": "terminated", "date": "2024-05-30", "note": "withdrawn"}
    for who in ("alice", "audrey"):
        refused = client.post(
            "/v1/agreements/pak-usa-cismoa/events", json=event, headers=auth(tokens[who])
        )
        assert refused.status_code == 403
    recorded = client.post(
        "/v1/agreements/pak-usa-cismoa/events", json=event, headers=auth(tokens["olga"])
    )
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["status"] == "terminated"
    # The change is in the log, after the release's two entries, and it names the operator.
    entry = _log_entry(client, tokens["audrey"], 2)
    assert entry["type"] == "agreement-event"
    assert (entry["agreement"], entry["event"], entry["by"]) == (
        "pak-usa-cismoa",
        "terminated",
        "olga",
    )
    # The very next decision uses the changed register.
    denied = client.post("/v1/messages", json=RELEASE, headers=auth(tokens["alice"]))
    assert denied.status_code == 403
    assert denied.json()["permit"] is False


def test_bad_events_are_refused_and_change_nothing(api: Api) -> None:
    client, tokens = api
    before = client.get("/v1/agreements/pak-usa-cismoa", headers=auth(tokens["olga"])).json()
    for body, status, words in (
        ({"event": "exploded", "date": "2024-01-01"}, 422, "exploded"),
        ({"event": "renewed", "date": "2024-13-01"}, 422, "date"),
        ({"event": "signed", "date": "2024-01-01"}, 422, ""),  # signed twice
        ({"event": "renewed", "date": "2024-01-01", "extra": 1}, 422, "extra"),
        ({"event": "renewed", "date": "2024-01-01", "term": "forever-ish"}, 422, "term"),
    ):
        response = client.post(
            "/v1/agreements/pak-usa-cismoa/events", json=body, headers=auth(tokens["olga"])
        )
        assert response.status_code == status, (body, response.text)
        assert set(response.json()) == {"error", "message"}
        assert words in response.json()["message"]
    after = client.get("/v1/agreements/pak-usa-cismoa", headers=auth(tokens["olga"])).json()
    assert after == before
    checkpoint = client.get("/v1/log/checkpoint", headers=auth(tokens["audrey"])).text
    assert checkpoint.splitlines()[1] == "0"  # nothing was logged


def test_an_operator_imports_agreements(api: Api) -> None:
    client, tokens = api
    forbidden = client.post("/v1/agreements", json=NEW_AGREEMENT, headers=auth(tokens["alice"]))
    assert forbidden.status_code == 403
    imported = client.post("/v1/agreements", json=NEW_AGREEMENT, headers=auth(tokens["olga"]))
    assert imported.status_code == 200, imported.text
    assert imported.json()["added"] != []
    again = client.post("/v1/agreements", json=NEW_AGREEMENT, headers=auth(tokens["olga"]))
    assert again.json()["added"] == []
    assert again.json()["unchanged"] != []
    listed = client.get("/v1/agreements", headers=auth(tokens["olga"])).json()
    assert "ind-usa-gsomia-test" in {a["id"] for a in listed}
    entry = _log_entry(client, tokens["audrey"], 0)
    assert (entry["agreement"], entry["event"]) == ("ind-usa-gsomia-test", "imported")
    broken = json.loads(json.dumps(NEW_AGREEMENT))
    broken["agreements"][0]["parties"] = ["USA", "XXX"]
    refused = client.post("/v1/agreements", json=broken, headers=auth(tokens["olga"]))
    assert refused.status_code == 422
    assert "XXX" in refused.json()["message"]


def test_a_message_description_is_only_for_those_who_may_read_it(api: Api) -> None:
    client, tokens = api
    missing = client.get("/v1/messages/nothing-here", headers=auth(tokens["alice"]))
    assert (missing.status_code, missing.json()["error"]) == (404, "not-found")
    auditors = client.get("/v1/messages/nothing-here", headers=auth(tokens["audrey"]))
    assert auditors.status_code == 403
