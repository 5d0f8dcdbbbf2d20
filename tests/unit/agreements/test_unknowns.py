"""Unknown agreements: the register can say that it does not know whether an agreement exists,
which answers ``unknown`` (never in force), distinct from "no such agreement"."""

from __future__ import annotations

import pytest

from accord.agreements.merge import merge
from accord.agreements.public_record import public_record
from accord.agreements.record import register_from_dict, register_to_dict
from accord.errors import InvalidInput

RECORD = public_record()


def test_the_public_record_does_not_know_whether_a_us_pakistan_gsomia_exists() -> None:
    (unknown,) = RECORD.unknowns_between("USA", "PAK", type_name="GSOMIA")
    assert unknown.parties == ("PAK", "USA")
    assert "1954-05-19" in unknown.reason
    assert RECORD.unknowns_between("USA", "IND") == ()
    assert RECORD.unknowns_between("PAK", "USA", type_name="BECA") == ()


def _with_gsomia(document: dict[str, object]) -> dict[str, object]:
    document["agreements"] = [
        *document["agreements"],  # type: ignore[list-item]
        {
            "id": "pak-usa-gsomia",
            "type": "GSOMIA",
            "parties": ["PAK", "USA"],
            "events": [{"kind": "signed", "date": "2025-01-01", "grade": "reported"}],
        },
    ]
    return document


def test_an_unknown_beside_a_known_agreement_is_refused() -> None:
    document = _with_gsomia(register_to_dict(RECORD))
    with pytest.raises(InvalidInput, match="the register knows pak-usa-gsomia") as raised:
        register_from_dict(document)
    assert raised.value.field == "unknowns[0]"


def test_importing_the_agreement_ends_the_doubt() -> None:
    incoming = register_from_dict(_with_gsomia({"schema": "accord.register/1", "agreements": []}))
    merged, summary = merge(RECORD, incoming)
    assert merged.unknowns_between("PAK", "USA") == ()
    assert "agreement pak-usa-gsomia" in summary.added


def test_unknowns_round_trip_and_are_refused_when_malformed() -> None:
    assert register_from_dict(register_to_dict(RECORD)).unknowns == RECORD.unknowns
    document = register_to_dict(RECORD)
    document["unknowns"][0]["parties"] = ["PAK", "PAK"]
    with pytest.raises(InvalidInput, match="two different nations"):
        register_from_dict(document)
    document = register_to_dict(RECORD)
    document["unknowns"][0]["sources"] = ["no-such-source"]
    with pytest.raises(InvalidInput, match="unknown source"):
        register_from_dict(document)


def test_measures_round_trip_and_are_checked() -> None:
    (measure,) = RECORD.measures
    assert (measure.nation, measure.by, measure.kind) == (
        "PAK",
        "USA",
        "security-assistance-suspended",
    )
    assert register_from_dict(register_to_dict(RECORD)).measures == RECORD.measures
    document = register_to_dict(RECORD)
    document["measures"][0]["end"] = "2017-01-01"
    with pytest.raises(InvalidInput, match="ends before it starts") as raised:
        register_from_dict(document)
    assert raised.value.field == "measures[0].end"
