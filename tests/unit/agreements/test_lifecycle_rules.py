import datetime as dt

import pytest

from accord.agreements.lifecycle import build_timeline
from accord.agreements.model import EntryIntoForce
from accord.agreements.vocabulary import Status
from accord.errors import LifecycleError

from .helpers import agreement, event


def status(timeline, day: str) -> Status:
    return timeline.status_on(dt.date.fromisoformat(day)).status


@pytest.mark.parametrize(
    ("events", "message"),
    [
        (
            [
                event("signed", "2010-01-01"),
                event("terminated", "2012-01-01"),
                event("renewed", "2013-01-01"),
            ],
            "terminated agreement takes no further events",
        ),
        ([event("renewed", "2009-01-01"), event("signed", "2010-01-01")], "before the signing"),
        ([event("expired", "2009-01-01"), event("signed", "2010-01-01")], "before the signing"),
        (
            [event("signed", "2010-01-01", "open-ended"), event("expired", "2012-01-01")],
            "cannot expire without notice",
        ),
        (
            [
                event("signed", "2010-01-01", "self-renewing 1y notice 90d"),
                event("expired", "2012-01-01"),
            ],
            "notice is given",
        ),
        (
            [event("signed", "2010-01-01", "15y"), event("expired", "2012-01-01")],
            "runs until 2025-01-01",
        ),
        ([event("signed", "2010-01-01"), event("signed", "2011-01-01")], "already signed"),
        ([event("signed", "2010-01-01"), event("resumed", "2011-01-01")], "not suspended"),
        (
            [
                event("signed", "2010-01-01"),
                event("suspended", "2011-01-01"),
                event("suspended", "2011-06-01"),
            ],
            "already suspended",
        ),
        ([event("signed", "2010-01-01", "5y"), event("suspended", "2016-01-01")], "not in force"),
        (
            [
                event("signed", "2010-01-01"),
                event("suspended", "2011-01-01"),
                event("renewed", "2012-01-01"),
            ],
            "record 'resumed' first",
        ),
        ([event("signed", "2010-01-01", "5y"), event("expired", "2017")], "not in force"),
        (
            [event("signed", "2010-01-01"), event("entered-into-force", "2010-02-01")],
            "entered into force on signature",
        ),
    ],
)
def test_impossible_transitions_are_refused(events, message):
    with pytest.raises(LifecycleError, match=message):
        build_timeline(agreement(*events))


def test_fixed_term_runs_out_without_an_expiry_event():
    timeline = build_timeline(agreement(event("signed", "2018-09-06", "10y")))
    assert status(timeline, "2028-09-05") is Status.IN_FORCE
    assert status(timeline, "2028-09-06") is Status.LAPSED
    assert timeline.terms[0].end is not None
    assert str(timeline.terms[0].end) == "2028-09-06"


def test_renewal_after_lapse_opens_a_new_term_with_the_same_length():
    timeline = build_timeline(
        agreement(event("signed", "2000-01-01", "5y"), event("renewed", "2007-01-01"))
    )
    assert status(timeline, "2006-01-01") is Status.LAPSED
    assert status(timeline, "2011-12-31") is Status.IN_FORCE
    assert status(timeline, "2012-01-01") is Status.LAPSED
    assert [str(t.spec) for t in timeline.terms] == ["5y", "5y"]


def test_early_renewal_leaves_no_gap():
    timeline = build_timeline(
        agreement(event("signed", "2000-01-01", "5y"), event("renewed", "2004-06-01", "10y"))
    )
    assert status(timeline, "2004-05-31") is Status.IN_FORCE
    assert status(timeline, "2004-06-01") is Status.IN_FORCE
    assert status(timeline, "2014-05-31") is Status.IN_FORCE
    assert str(timeline.terms[0].end) == "2004-06-01"


def test_suspension_and_resumption():
    timeline = build_timeline(
        agreement(
            event("signed", "2000-01-01"),
            event("suspended", "2005-01-01"),
            event("resumed", "2006-01-01"),
        )
    )
    assert status(timeline, "2004-12-31") is Status.IN_FORCE
    assert status(timeline, "2005-06-01") is Status.SUSPENDED
    assert status(timeline, "2006-01-01") is Status.IN_FORCE


def test_a_term_that_runs_out_while_suspended_lapses():
    timeline = build_timeline(
        agreement(event("signed", "2000-01-01", "5y"), event("suspended", "2004-01-01"))
    )
    assert status(timeline, "2004-06-01") is Status.SUSPENDED
    assert status(timeline, "2005-01-01") is Status.LAPSED


def test_termination_is_final():
    timeline = build_timeline(
        agreement(event("signed", "2000-01-01"), event("terminated", "2003-03-03"))
    )
    assert status(timeline, "2003-03-02") is Status.IN_FORCE
    assert status(timeline, "2003-03-03") is Status.TERMINATED
    assert status(timeline, "2090-01-01") is Status.TERMINATED


def test_self_renewing_term_renews_until_notice():
    # One-year terms renewed unless notice is given 90 days before the end (ROK-Japan GSOMIA).
    timeline = build_timeline(
        agreement(
            event("signed", "2016-11-23", "self-renewing 1y notice 90d"),
            event("notice-given", "2019-08-23"),
        )
    )
    assert status(timeline, "2019-11-22") is Status.IN_FORCE
    # 90 days before the period end 2019-11-23 is 2019-08-25: the notice came in time.
    assert status(timeline, "2019-11-23") is Status.LAPSED


def test_late_notice_stops_only_the_following_renewal():
    timeline = build_timeline(
        agreement(
            event("signed", "2016-11-23", "self-renewing 1y notice 90d"),
            event("notice-given", "2019-10-01"),
        )
    )
    assert status(timeline, "2020-11-22") is Status.IN_FORCE
    assert status(timeline, "2020-11-23") is Status.LAPSED


def test_self_renewing_term_without_notice_never_ends():
    timeline = build_timeline(
        agreement(event("signed", "2016-11-23", "self-renewing 1y notice 90d"))
    )
    assert status(timeline, "2099-01-01") is Status.IN_FORCE


def test_open_ended_term_expires_after_notice():
    timeline = build_timeline(
        agreement(
            event("signed", "2024-11-18", "open-ended"),
            event("notice-given", "2030-01-01"),
            event("expired", "2031-01-01"),
        )
    )
    assert status(timeline, "2030-12-31") is Status.IN_FORCE
    assert status(timeline, "2031-01-01") is Status.LAPSED


def test_entry_into_force_by_event():
    timeline = build_timeline(
        agreement(
            event("signed", "2010-01-01", "10y"),
            event("entered-into-force", "2011-01-01"),
            entry=EntryIntoForce.ON_EVENT,
        )
    )
    assert status(timeline, "2010-06-01") is Status.NOT_YET_IN_FORCE
    assert status(timeline, "2011-01-01") is Status.IN_FORCE
    assert status(timeline, "2021-01-01") is Status.LAPSED  # the signed term runs from entry


def test_signed_but_pending_is_not_in_force():
    timeline = build_timeline(
        agreement(event("signed", "2010-01-01"), entry=EntryIntoForce.ON_EVENT)
    )
    assert status(timeline, "2030-01-01") is Status.NOT_YET_IN_FORCE


def test_expiry_of_year_precision_narrows_to_the_computed_end():
    timeline = build_timeline(
        agreement(event("signed", "2005-10", "15y"), event("expired", "2020"))
    )
    assert str(timeline.terms[0].end) == "2020-10"


def test_expiry_after_the_term_ran_out_confirms_it():
    timeline = build_timeline(
        agreement(event("signed", "2005-10", "15y"), event("expired", "2020-10-15"))
    )
    assert str(timeline.terms[0].end) == "2020-10-15"
    assert status(timeline, "2020-10-14") is Status.IN_FORCE
    assert status(timeline, "2020-10-15") is Status.LAPSED
