"""The lifecycle over the whole public record: every status before, inside, between and after
each term, and at the edges of the precision windows."""

import datetime as dt

import pytest

from accord.agreements.public_record import public_record
from accord.agreements.vocabulary import Status

IN, OUT, LAPSED, UNSURE = Status.IN_FORCE, Status.NOT_YET_IN_FORCE, Status.LAPSED, Status.UNCERTAIN

CASES = [
    # Pakistan-US CISMOA: signed 2005-10 for 15 years, expired 2020, renewed 2023-08 for 15 years.
    ("pak-usa-cismoa", "2005-09-30", OUT),
    ("pak-usa-cismoa", "2005-10-01", UNSURE),  # first day of the signing month
    ("pak-usa-cismoa", "2005-10-30", UNSURE),
    ("pak-usa-cismoa", "2005-10-31", IN),  # whatever day in October, in force by the 31st
    ("pak-usa-cismoa", "2012-01-01", IN),
    ("pak-usa-cismoa", "2020-09-30", IN),  # the expiry "2020" narrows to the term's end 2020-10
    ("pak-usa-cismoa", "2020-10-01", UNSURE),
    ("pak-usa-cismoa", "2020-10-30", UNSURE),
    ("pak-usa-cismoa", "2020-10-31", LAPSED),
    ("pak-usa-cismoa", "2021-06-01", LAPSED),
    ("pak-usa-cismoa", "2023-07-31", LAPSED),
    ("pak-usa-cismoa", "2023-08-01", UNSURE),
    ("pak-usa-cismoa", "2023-08-31", IN),
    ("pak-usa-cismoa", "2026-11-22", IN),
    ("pak-usa-cismoa", "2038-07-31", IN),
    ("pak-usa-cismoa", "2038-08-15", UNSURE),
    ("pak-usa-cismoa", "2038-08-31", LAPSED),
    # Pakistan-US ACSA: signed 2002-02-09, reported lapsed 2012-02.
    ("pak-usa-acsa-2002", "2002-02-08", OUT),
    ("pak-usa-acsa-2002", "2002-02-09", IN),
    ("pak-usa-acsa-2002", "2012-01-31", IN),
    ("pak-usa-acsa-2002", "2012-02-10", UNSURE),
    ("pak-usa-acsa-2002", "2012-02-29", LAPSED),
    # India-US GSOMIA: signed 2002-01-17 (official: TIAS 02-117), no term stated.
    ("ind-usa-gsomia", "2002-01-16", OUT),
    ("ind-usa-gsomia", "2002-01-17", IN),
    ("ind-usa-gsomia", "2002-12-31", IN),
    ("ind-usa-gsomia", "2019-06-01", IN),  # the 2019 amendment changes nothing
    # India-US LEMOA: signed 2016-08-29.
    ("ind-usa-lemoa", "2016-08-28", OUT),
    ("ind-usa-lemoa", "2016-08-29", IN),
    # India-US COMCASA: signed 2018-09-06, in force at once, 10 years.
    ("ind-usa-comcasa", "2018-09-05", OUT),
    ("ind-usa-comcasa", "2018-09-06", IN),
    ("ind-usa-comcasa", "2028-09-05", IN),
    ("ind-usa-comcasa", "2028-09-06", LAPSED),
    # India-US BECA: signed 2020-10-27 (the 26th was the US ministers' arrival).
    ("ind-usa-beca", "2019-06-01", OUT),
    ("ind-usa-beca", "2020-10-26", OUT),
    ("ind-usa-beca", "2020-10-27", IN),
]


@pytest.mark.parametrize(("agreement_id", "day", "expected"), CASES)
def test_status_on_day(agreement_id, day, expected):
    report = public_record().status(agreement_id, dt.date.fromisoformat(day))
    assert report.status is expected, report.explanation
    assert report.in_force is (expected is IN)


def test_every_agreement_is_covered_by_the_cases():
    assert {c[0] for c in CASES} == {a.id for a in public_record().agreements}


def test_lapsed_report_cites_expiry_and_renewal():
    report = public_record().status("pak-usa-cismoa", dt.date(2021, 6, 1))
    assert report.since is not None
    assert str(report.since) == "2020-10"
    assert report.until is not None
    assert str(report.until) == "2023-08"
    assert "expired 2020-10" in report.explanation
    assert "renewed 2023-08" in report.explanation
    assert [e.kind.value for e in report.events] == ["signed", "expired", "renewed"]
    assert report.term is not None
    assert report.term.index == 1


def test_in_force_report_gives_term_and_until():
    report = public_record().status("pak-usa-cismoa", dt.date(2026, 11, 22))
    assert report.term is not None
    assert (report.term.index, str(report.term.spec), str(report.term.start)) == (
        2,
        "15y",
        "2023-08",
    )
    assert str(report.until) == "2038-08"


def test_uncertain_report_names_candidates_and_window():
    report = public_record().status("pak-usa-cismoa", dt.date(2020, 10, 15))
    assert report.candidates == (Status.IN_FORCE, Status.LAPSED)
    assert str(report.window) == "2020-10"
    assert "2020-10" in report.explanation


def test_record_cites_a_source_for_every_event():
    record = public_record()
    for agreement in record.agreements:
        for event in agreement.events:
            assert event.sources, f"{agreement.id} {event.describe()} has no source"
    for designation in record.designations:
        assert designation.sources


def test_designations_are_in_the_record():
    record = public_record()
    titles = {(d.nation, d.title, str(d.date)) for d in record.designations}
    assert ("PAK", "Major non-NATO ally", "2004-06-16") in titles
    assert ("IND", "Major Defense Partner", "2016-06-07") in titles
    assert ("IND", "Strategic Trade Authorization tier 1", "2018-08-03") in titles
