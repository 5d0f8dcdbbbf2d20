"""Transfer cases and the coverage check, on the public record as an analyst would read it."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.agreements.dates import FuzzyDate
from accord.agreements.evidence import Grade
from accord.agreements.public_record import public_record
from accord.errors import InvalidInput
from accord.transfers.categories import Categories
from accord.transfers.coverage import CoverageStatus, check_case, coverage
from accord.transfers.document import transfers_from_dict, transfers_to_dict
from accord.transfers.model import CaseEvent, CaseEventKind, Item, TransferCase, TransferKind
from accord.transfers.public_cases import public_cases
from accord.transfers.whatif import Action, changed, parse_change

REGISTER = public_record()
CASES = public_cases()
CATEGORIES = CASES.categories


def _check(buyer: str, category: str, day: str) -> object:
    return coverage(
        REGISTER,
        CATEGORIES,
        buyer=buyer,
        seller="USA",
        category=category,
        day=dt.date.fromisoformat(day),
    )


def test_pakistan_comsec_was_not_covered_in_the_cismoa_lapse_and_is_after_the_renewal() -> None:
    """The 2022-09-07 F-16 sustainment notification fell inside the 2020-2023 CISMOA lapse
    (DOMAIN.md 4, reported: Defense Daily 2022-09-08); the 2025-12 Link-16 upgrade came after
    the 2023 renewal (reported: Dunya News, The Defense Watch)."""
    lapse = _check("PAK", "comsec-equipment", "2022-09-07")
    assert lapse.status is CoverageStatus.NOT_COVERED  # type: ignore[attr-defined]
    assert "pak-usa-cismoa on 2022-09-07: lapsed" in lapse.reasons[0].message  # type: ignore[attr-defined]
    upgrade = check_case(REGISTER, CATEGORIES, CASES.case("pak-f16-upgrade-2025"))
    assert upgrade.status is CoverageStatus.COVERED
    assert upgrade.agreements == ("pak-usa-cismoa",)
    assert upgrade.to_dict()["covered_at"] == ["notified"]


def test_the_2006_f16_sale_came_under_the_2005_cismoa() -> None:
    found = _check("PAK", "comsec-equipment", "2006-09-30")
    assert found.status is CoverageStatus.COVERED  # type: ignore[attr-defined]
    assert found.agreements == ("pak-usa-cismoa",)  # type: ignore[attr-defined]


def test_pakistan_classified_technology_is_unknown_not_absent() -> None:
    """The 2022 case included classified software; whether a US-Pakistan GSOMIA exists is
    unknown (DOMAIN.md section 1), which is not the same as absent: the answer is unknown."""
    result = check_case(REGISTER, CATEGORIES, CASES.case("pak-f16-sustainment-2022"))
    assert result.status is CoverageStatus.UNKNOWN
    classified = next(i for i in result.events[0].items if i.category == "classified-technology")
    assert classified.status is CoverageStatus.UNKNOWN
    assert "whether a GSOMIA between PAK and USA exists is unknown" in classified.reasons[0].message
    # Absent is another answer: no agreement at all provides geospatial products to Pakistan.
    absent = _check("PAK", "geospatial-products", "2022-09-07")
    assert absent.status is CoverageStatus.NOT_COVERED  # type: ignore[attr-defined]
    assert "no agreement between PAK and USA provides" in absent.reasons[0].message  # type: ignore[attr-defined]


def test_india_c130j_comsec_would_not_have_been_covered_before_comcasa() -> None:
    """India Today (2010-10-27): the C-130J's secure radios "may be added when CISMOA is signed";
    COMCASA was signed 2018-09-06 (reported: The Hindu)."""
    loa = _check("IND", "comsec-equipment", "2008-01-31")
    assert loa.status is CoverageStatus.NOT_COVERED  # type: ignore[attr-defined]
    assert "not-yet-in-force" in loa.reasons[0].message  # type: ignore[attr-defined]
    p8i = check_case(REGISTER, CATEGORIES, CASES.case("ind-p8i-2021"))
    assert p8i.status is CoverageStatus.COVERED
    assert p8i.agreements == ("ind-usa-comcasa",)


def test_a_window_that_spans_a_change_is_unknown() -> None:
    """The CISMOA expired "2020-10" (a month window): a case event dated 2020 spans it."""
    case = TransferCase(
        id="pak-test-2020",
        kind=TransferKind.FMS,
        buyer="PAK",
        seller="USA",
        title="A test case",
        items=(Item(name="radios", category="comsec-equipment"),),
        events=(
            CaseEvent(
                kind=CaseEventKind.NOTIFIED, date=FuzzyDate.parse("2020"), grade=Grade.INFERRED
            ),
        ),
    )
    result = check_case(REGISTER, CATEGORIES, case)
    assert result.status is CoverageStatus.UNKNOWN
    assert "spans a change" in result.events[0].items[0].reasons[0].message


DAYS = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2035, 12, 31))


@settings(max_examples=300, deadline=None)
@given(
    buyer=st.sampled_from(["PAK", "IND"]),
    category=st.sampled_from([c.name for c in CATEGORIES]),
    day=DAYS,
)
def test_covered_only_on_a_day_a_covering_agreement_is_in_force(
    buyer: str, category: str, day: dt.date
) -> None:
    found = coverage(REGISTER, CATEGORIES, buyer=buyer, seller="USA", category=category, day=day)
    needs = CATEGORIES.get(category).capability
    in_force = {
        r.agreement_id
        for r in REGISTER.status_between(buyer, "USA", day)
        if r.in_force and needs in REGISTER.capabilities_of(REGISTER.get(r.agreement_id))
    }
    if needs is None:
        assert found.covered
        return
    assert found.covered == bool(in_force)
    assert set(found.agreements) == (in_force if found.covered else set())


def _document(**case: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": "pak-test",
        "kind": "fms",
        "buyer": "PAK",
        "seller": "USA",
        "title": "A test case",
        "items": [{"name": "radios", "category": "comsec-equipment"}],
        "events": [{"kind": "notified", "date": "2022-01", "grade": "reported", "sources": []}],
    }
    base.update(case)
    return {"schema": "accord.transfers/1", "cases": [base]}


@pytest.mark.parametrize(
    ("case", "words"),
    [
        ({"items": [{"name": "radios", "category": "warp-drives"}]}, "unknown item category"),
        ({"items": [{"name": "radios"}]}, "category"),
        ({"items": []}, "at least one item"),
        ({"buyer": "ZZZ"}, "buyer"),
        ({"kind": "barter"}, "unknown transfer kind"),
        (
            {
                "events": [
                    {"kind": "loa-signed", "date": "2022-02", "grade": "reported", "sources": []},
                    {"kind": "notified", "date": "2022-03", "grade": "reported", "sources": []},
                ]
            },
            "'notified' cannot come after 'loa-signed'",
        ),
        (
            {
                "events": [
                    {"kind": "notified", "date": "2022-03", "grade": "reported", "sources": []},
                    {"kind": "loa-signed", "date": "2022-01", "grade": "reported", "sources": []},
                ]
            },
            "dated before",
        ),
        (
            {"events": [{"kind": "notified", "date": "2022", "grade": "rumour", "sources": []}]},
            "unknown evidence grade",
        ),
        (
            {
                "events": [
                    {"kind": "notified", "date": "2022", "grade": "reported", "sources": ["x"]}
                ]
            },
            "unknown source 'x'",
        ),
        (
            {"events": [{"kind": "suspended", "date": "2022", "grade": "reported", "sources": []}]},
            "cannot begin",
        ),
        ({"value": 1.5}, "whole number"),
    ],
)
def test_bad_cases_are_refused_naming_the_field(case: dict[str, object], words: str) -> None:
    with pytest.raises(InvalidInput, match=words) as raised:
        transfers_from_dict(_document(**case))
    assert raised.value.field is not None
    assert raised.value.field.startswith("cases[0]")


def test_the_public_cases_round_trip_and_cite_only_their_sources() -> None:
    again = transfers_from_dict(transfers_to_dict(CASES))
    assert again.cases == CASES.cases
    assert again.sources == CASES.sources


def test_an_operator_may_add_a_category() -> None:
    document = _document(items=[{"name": "night vision", "category": "night-vision"}])
    document["categories"] = [
        {"name": "night-vision", "capability": "classified-information", "basis": "operator rule"}
    ]
    record = transfers_from_dict(document)
    assert record.categories.get("night-vision").capability == "classified-information"
    with pytest.raises(InvalidInput, match="unknown item category"):
        Categories().get("night-vision")


def test_what_if_the_cismoa_had_been_renewed_on_time() -> None:
    """The analyst's question: had the CISMOA been renewed at its 2020 expiry instead of 2023,
    would the 2022 notification's COMSEC items have been covered? Yes."""
    changes = [
        parse_change("pak-usa-cismoa expired 2020-10", Action.REMOVE),
        parse_change("pak-usa-cismoa renewed 2023-08", Action.REMOVE),
        parse_change("pak-usa-cismoa renewed 2020-10 15y", Action.ADD),
    ]
    supposed = changed(REGISTER, changes)
    assert not _check("PAK", "comsec-equipment", "2022-09-07").covered  # type: ignore[attr-defined]
    after = coverage(
        supposed,
        CATEGORIES,
        buyer="PAK",
        seller="USA",
        category="comsec-equipment",
        day=dt.date(2022, 9, 7),
    )
    assert after.covered
    assert str(after.until) == "2035-10"
    assert REGISTER.get("pak-usa-cismoa").events == public_record().get("pak-usa-cismoa").events


@pytest.mark.parametrize(
    ("text", "action", "words"),
    [
        ("pak-usa-cismoa renewed", Action.ADD, "AGREEMENT EVENT DATE"),
        ("pak-usa-cismoa renewed 2020-10 15y", Action.REMOVE, "AGREEMENT EVENT DATE"),
        ("pak-usa-cismoa reborn 2020-10", Action.ADD, "unknown event"),
        ("pak-usa-cismoa renewed 2020-13", Action.ADD, "--add"),
    ],
)
def test_a_malformed_change_is_refused(text: str, action: Action, words: str) -> None:
    with pytest.raises(InvalidInput, match=words):
        parse_change(text, action)


def test_an_impossible_or_absent_change_is_refused_with_the_reason() -> None:
    early = parse_change("pak-usa-cismoa renewed 2019-10 15y", Action.ADD)
    with pytest.raises(InvalidInput, match="add pak-usa-cismoa renewed 2019-10 for 15y"):
        changed(REGISTER, [early])
    absent = parse_change("pak-usa-cismoa signed 2009", Action.REMOVE)
    with pytest.raises(InvalidInput, match="no 'signed 2009' event"):
        changed(REGISTER, [absent])


def _case(kind: TransferKind, buyer: str, date: str, category: str = "unclassified-equipment"):  # type: ignore[no-untyped-def]
    return TransferCase(
        id=f"{buyer.lower()}-{kind.value}-test",
        kind=kind,
        buyer=buyer,
        seller="USA",
        title="A test case",
        items=(Item(name="spares", category=category),),
        events=(
            CaseEvent(
                kind=CaseEventKind.NOTIFIED, date=FuzzyDate.parse(date), grade=Grade.INFERRED
            ),
        ),
    )


def test_the_2018_suspension_of_assistance_blocks_grants_not_sales() -> None:
    """US security assistance to Pakistan was suspended on 2018-01-04 (reported: The Atlantic):
    a grant is not covered while it lasts; a cash sale proceeds (the 2022 sustainment case)."""
    grant = check_case(REGISTER, CATEGORIES, _case(TransferKind.GRANT, "PAK", "2019-03-01"))
    assert grant.status is CoverageStatus.NOT_COVERED
    (rule,) = grant.events[0].conditions
    assert (rule.rule, rule.outcome.value) == ("assistance-suspended", "failed")
    assert "since 2018-01-04" in rule.message
    before = check_case(REGISTER, CATEGORIES, _case(TransferKind.GRANT, "PAK", "2017-03-01"))
    assert before.status is CoverageStatus.COVERED
    assert before.events[0].conditions == ()
    sale = check_case(REGISTER, CATEGORIES, CASES.case("pak-f16-sustainment-2022"))
    assert sale.events[0].conditions[0].outcome.value == "not-applicable"
    # A window that reaches into the suspension counts (fail closed).
    edge = check_case(REGISTER, CATEGORIES, _case(TransferKind.GRANT, "PAK", "2018-01"))
    assert edge.status is CoverageStatus.NOT_COVERED


def test_designations_are_noted_where_they_change_eligibility() -> None:
    eda = check_case(REGISTER, CATEGORIES, _case(TransferKind.EDA, "PAK", "2010-05-01"))
    assert [c.rule for c in eda.events[0].conditions] == ["eda-priority"]
    assert "major non-NATO ally since 2004-06-16" in eda.events[0].conditions[0].message
    dcs = check_case(REGISTER, CATEGORIES, _case(TransferKind.DCS, "IND", "2019-05-01"))
    assert [c.rule for c in dcs.events[0].conditions] == ["sta-1"]
    early = check_case(REGISTER, CATEGORIES, _case(TransferKind.DCS, "IND", "2018-07-01"))
    assert early.events[0].conditions == ()
