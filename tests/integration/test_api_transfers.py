"""Transfer cases over HTTP (SQLite and PostgreSQL): every role reads, operators import, the
check answers as the CLI does, bad input is a 4xx with the field."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support.api import auth

Api = tuple[TestClient, dict[str, str]]

GRANT = {
    "schema": "accord.transfers/1",
    "sources": [{"id": "my-report", "title": "A report", "publisher": "Someone"}],
    "cases": [
        {
            "id": "pak-grant-2019",
            "kind": "grant",
            "buyer": "PAK",
            "seller": "USA",
            "title": "A hypothetical grant",
            "items": [{"name": "spares", "category": "unclassified-equipment"}],
            "events": [
                {
                    "kind": "notified",
                    "date": "2019-03",
                    "grade": "inferred",
                    "sources": ["my-report"],
                }
            ],
        }
    ],
}


def test_every_role_reads_the_public_cases_and_their_checks(api: Api) -> None:
    client, tokens = api
    for who in ("alice", "audrey", "olga"):
        listed = client.get("/v1/transfers?buyer=PAK", headers=auth(tokens[who]))
        assert listed.status_code == 200, listed.text
        assert "pak-f16-upgrade-2025" in {c["id"] for c in listed.json()}
    headers = auth(tokens["audrey"])
    shown = client.get("/v1/transfers/ind-p8i-2021", headers=headers).json()
    assert shown["items"][1]["category"] == "comsec-equipment"
    checked = client.get("/v1/transfers/pak-f16-upgrade-2025/check", headers=headers).json()
    assert (checked["status"], checked["agreements"]) == ("covered", ["pak-usa-cismoa"])
    official = client.get(
        "/v1/transfers/pak-f16-upgrade-2025/check?evidence=official", headers=headers
    ).json()
    assert official["status"] == "not-covered"
    lapse = client.get(
        "/v1/coverage?buyer=PAK&category=comsec-equipment&on=2022-09-07", headers=headers
    ).json()
    assert (lapse["covered"], lapse["status"]) == (False, "not-covered")
    assert client.get("/v1/transfers").status_code == 401


def test_operators_import_cases_all_or_nothing(api: Api) -> None:
    client, tokens = api
    refused = client.post("/v1/transfers", json=GRANT, headers=auth(tokens["alice"]))
    assert refused.status_code == 403
    imported = client.post("/v1/transfers", json=GRANT, headers=auth(tokens["olga"]))
    assert imported.status_code == 200, imported.text
    assert imported.json()["added"] == ["source my-report", "case pak-grant-2019"]
    checked = client.get("/v1/transfers/pak-grant-2019/check", headers=auth(tokens["olga"]))
    body = checked.json()
    assert body["status"] == "not-covered"
    assert body["events"][0]["conditions"][0]["rule"] == "assistance-suspended"
    changed = {**GRANT["cases"][0], "title": "Another title"}  # type: ignore[dict-item]
    conflict = client.post(
        "/v1/transfers", json={**GRANT, "cases": [changed]}, headers=auth(tokens["olga"])
    )
    assert (conflict.status_code, conflict.json()["error"]) == (409, "conflict")


def test_bad_input_is_a_4xx_naming_the_field(api: Api) -> None:
    client, tokens = api
    headers = auth(tokens["olga"])
    event = {"kind": "notified", "date": "2019-13", "grade": "inferred", "sources": []}
    bad_case = {**GRANT["cases"][0], "events": [event]}  # type: ignore[dict-item]
    bad_date = {**GRANT, "cases": [bad_case]}
    answer = client.post("/v1/transfers", json=bad_date, headers=headers)
    assert answer.status_code == 422
    assert "cases[0].events[0].date" in answer.json()["message"]
    assert client.get("/v1/transfers/no-such-case", headers=headers).status_code == 404
    answer = client.get(
        "/v1/coverage?buyer=PAK&category=warp&on=2022-09-07", headers=headers
    ).json()
    assert answer["error"] == "invalid-input"
    assert "unknown item category" in answer["message"]
    answer = client.get(
        "/v1/coverage?buyer=PAK&category=comsec-equipment&on=2022-13-01", headers=headers
    )
    assert answer.status_code == 422
    assert (
        client.get("/v1/transfers/ind-p8i-2021/check?evidence=rumour", headers=headers).status_code
        == 422
    )
