import datetime as dt

import pytest

from accord.agreements.catalog import AgreementType, Catalog
from accord.agreements.public_record import public_record
from accord.agreements.vocabulary import Activity, Status
from accord.errors import InvalidInput, NotFound


@pytest.mark.parametrize(
    ("alias", "code"),
    [
        ("COMCASA", "CISMOA"),
        ("cis-moa", "CISMOA"),
        ("CISMOU", "CISMOA"),
        ("LEMOA", "LSA"),
        ("acsa", "LSA"),
        ("GSOMIA", "GSOMIA"),
        ("beca", "BECA"),
    ],
)
def test_aliases_resolve(alias, code):
    assert Catalog.with_custom().resolve(alias).code == code


def test_custom_type_cannot_take_a_builtin_name():
    with pytest.raises(InvalidInput, match="already used by LSA"):
        Catalog.with_custom(
            [
                AgreementType(
                    code="MY-LSA", name="x", aliases=("LEMOA",), capabilities=frozenset({"x"})
                )
            ]
        )


def test_status_between_accepts_either_order_and_aliases():
    record = public_record()
    day = dt.date(2021, 6, 1)
    first = record.status_between("USA", "PAK", day, type_name="CISMOA")
    second = record.status_between("pak", "usa", day, type_name="CIS-MOA")
    assert first == second
    assert [(r.agreement_id, r.status) for r in first] == [("pak-usa-cismoa", Status.LAPSED)]
    india = record.status_between("USA", "IND", day, type_name="COMCASA")
    assert [r.agreement_id for r in india] == ["ind-usa-comcasa"]


def test_capabilities_open_follow_the_agreements_in_force():
    record = public_record()
    lapsed = record.open_capabilities("USA", "PAK", dt.date(2021, 6, 1))
    assert lapsed == ()
    today = record.open_capabilities("USA", "PAK", dt.date(2026, 11, 22), Activity.JOINT_EXERCISES)
    assert {o.capability for o in today} == {"secure-communications", "comsec-equipment"}
    assert all(str(o.until) == "2038-08" for o in today)


def test_capabilities_respect_scope():
    record = public_record()
    basing = record.open_capabilities("USA", "IND", dt.date(2026, 11, 22), Activity.BASING)
    # LEMOA's scope has no basing; the other India agreements name no scope (cover all).
    assert "logistics-support" not in {o.capability for o in basing}
    port_calls = record.open_capabilities("USA", "IND", dt.date(2026, 11, 22), Activity.PORT_CALLS)
    assert "logistics-support" in {o.capability for o in port_calls}


def test_india_had_no_geospatial_intelligence_before_beca():
    record = public_record()
    before = record.open_capabilities("USA", "IND", dt.date(2019, 6, 1))
    after = record.open_capabilities("USA", "IND", dt.date(2021, 6, 1))
    assert "geospatial-intelligence" not in {o.capability for o in before}
    assert "geospatial-intelligence" in {o.capability for o in after}


def test_expiring_within_horizon():
    record = public_record()
    day = dt.date(2026, 11, 22)
    soon = record.expiring(day, dt.date(2028, 12, 31))
    assert [(e.agreement.id, e.days_left) for e in soon] == [("ind-usa-comcasa", 654)]
    assert record.expiring(day, dt.date(2027, 1, 1)) == ()


def test_unknown_agreement_is_not_found():
    with pytest.raises(NotFound):
        public_record().get("nope")


def test_same_nation_twice_is_refused():
    with pytest.raises(InvalidInput, match="two different nations"):
        public_record().status_between("USA", "usa", dt.date(2020, 1, 1))
