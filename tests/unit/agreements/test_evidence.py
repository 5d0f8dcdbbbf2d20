"""Evidence grades and readings: what an official-only reading leaves in force, and that a
stricter reading never puts more in force (doubts always count)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.agreements.evidence import Grade, weakest
from accord.agreements.public_record import public_record
from accord.agreements.record import register_from_dict, register_to_dict
from accord.errors import InvalidInput

RECORD = public_record()


def _status(reading: Grade, agreement_id: str, day: str) -> str:
    return RECORD.under(reading).status(agreement_id, dt.date.fromisoformat(day)).status.value


def test_an_official_only_reading_leaves_only_the_india_gsomia() -> None:
    """Only the India-US GSOMIA rests on an official text (TIAS 02-117); the rest of the record
    is press reporting (DOMAIN.md section 1)."""
    official = RECORD.under(Grade.OFFICIAL)
    in_force = {
        r.agreement_id
        for pair in (("USA", "PAK"), ("USA", "IND"))
        for r in official.status_between(*pair, dt.date(2024, 1, 1))
        if r.in_force
    }
    assert in_force == {"ind-usa-gsomia"}
    assert _status(Grade.REPORTED, "pak-usa-cismoa", "2024-01-01") == "in-force"
    assert _status(Grade.OFFICIAL, "pak-usa-cismoa", "2024-01-01") == "not-yet-in-force"


def test_statuses_say_what_evidence_they_rest_on() -> None:
    report = RECORD.status("pak-usa-cismoa", dt.date(2024, 1, 1))
    assert report.evidence is Grade.REPORTED
    assert RECORD.status("ind-usa-gsomia", dt.date(2024, 1, 1)).evidence is Grade.OFFICIAL


def test_a_lapse_known_only_from_a_secondary_source_still_ends_the_term() -> None:
    """The ACSA's 2012 lapse is secondary; a reported reading does not ignore it (fail closed)."""
    assert _status(Grade.REPORTED, "pak-usa-acsa-2002", "2013-01-01") == "lapsed"
    assert _status(Grade.OFFICIAL, "pak-usa-acsa-2002", "2013-01-01") == "not-yet-in-force"


def test_grades_round_trip_and_an_unknown_grade_is_refused() -> None:
    assert register_from_dict(register_to_dict(RECORD)) == RECORD
    document = register_to_dict(RECORD)
    document["agreements"][0]["events"][0]["grade"] = "rumour"
    with pytest.raises(InvalidInput, match="unknown evidence grade 'rumour'") as raised:
        register_from_dict(document)
    assert raised.value.field == "agreements[0].events[0].grade"


def test_weakest() -> None:
    assert weakest([Grade.OFFICIAL, Grade.SECONDARY, Grade.REPORTED]) is Grade.SECONDARY
    assert weakest([]) is None


@settings(max_examples=300, deadline=None)
@given(
    agreement=st.sampled_from([a.id for a in RECORD.agreements]),
    day=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2040, 12, 31)),
    stricter=st.sampled_from(list(Grade)),
    looser=st.sampled_from(list(Grade)),
)
def test_a_stricter_reading_never_puts_more_in_force(
    agreement: str, day: dt.date, stricter: Grade, looser: Grade
) -> None:
    if stricter.rank > looser.rank:
        stricter, looser = looser, stricter
    if RECORD.under(stricter).status(agreement, day).in_force:
        assert RECORD.under(looser).status(agreement, day).in_force
