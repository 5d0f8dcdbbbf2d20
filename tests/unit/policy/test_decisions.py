"""Release decisions on the public record, as an expert would read them."""

from __future__ import annotations

import datetime as dt
import functools

import pytest

from accord.agreements.public_record import public_record
from accord.labels.banner import banner_to_label, parse_banner
from accord.labels.label import Label
from accord.labels.national import national_policy
from accord.policy.clearances import _build, national_clearance
from accord.policy.engine import PolicyEngine
from accord.policy.model import Decision, Outcome, ReleaseRequest


@functools.cache
def engine() -> PolicyEngine:
    return PolicyEngine(public_record())


def us_label(banner: str) -> Label:
    return banner_to_label(parse_banner(banner), national_policy("USA"))


def decide(
    recipient: str,
    banner: str,
    capability: str,
    activity: str,
    day: str,
    *,
    clearance: str | None = "SECRET",
    sender: str = "USA",
    label: Label | None = None,
) -> Decision:
    when = dt.date.fromisoformat(day)
    policy = national_policy(recipient)
    return engine().decide(
        ReleaseRequest(
            sender=sender,
            recipient=recipient,
            label=label or us_label(banner),
            capability=capability,
            activity=activity,
            day=when,
            clearance=national_clearance(policy, clearance, recipient, when) if clearance else None,
        )
    )


def outcome(decision: Decision, rule: str) -> tuple[Outcome, str]:
    found = next(r for r in decision.reasons if r.rule == rule)
    return found.outcome, found.message


def test_the_cismoa_lapse_closes_secure_communications_with_pakistan_in_2021() -> None:
    lapsed = decide("PAK", "UNCLASSIFIED", "secure-communications", "joint-exercises", "2021-06-01")
    assert not lapsed.permit
    state, message = outcome(lapsed, "agreement-in-force")
    assert state is Outcome.FAILED
    assert "pak-usa-cismoa lapsed since 2020-10" in message
    assert "renewed 2023-08" in message
    assert "on 2021-06-01 it was not in force" in message


@pytest.mark.parametrize(
    ("day", "permit"), [("2019-06-01", True), ("2024-06-01", True), ("2022-01-01", False)]
)
def test_the_cismoa_before_the_lapse_and_after_the_renewal(day: str, permit: bool) -> None:
    decision = decide("PAK", "UNCLASSIFIED", "secure-communications", "joint-exercises", day)
    assert decision.permit is permit
    if permit:
        assert decision.agreements == ("pak-usa-cismoa",)


def test_the_lapse_boundary_is_uncertain_and_uncertain_denies() -> None:
    decision = decide(
        "PAK", "UNCLASSIFIED", "secure-communications", "joint-exercises", "2020-10-15"
    )
    state, message = outcome(decision, "agreement-in-force")
    assert state is Outcome.FAILED
    assert "uncertain" in message


def test_secret_to_pakistan_needs_a_classification_equivalence_pakistan_lacks() -> None:
    decision = decide(
        "PAK", "SECRET//REL TO USA, PAK", "secure-communications", "joint-exercises", "2024-06-01"
    )
    assert not decision.permit
    state, message = outcome(decision, "classification-equivalence")
    assert state is Outcome.FAILED
    # Unknown, not absent: whether a US-Pakistan GSOMIA exists (DOMAIN.md section 1).
    assert "whether a GSOMIA between USA and PAK exists is unknown" in message
    assert "unknown is never in force" in message
    assert outcome(decision, "agreement-in-force")[0] is Outcome.PASSED


def test_no_geospatial_intelligence_for_india_before_beca() -> None:
    before = decide(
        "IND", "SECRET//REL TO USA, IND", "geospatial-intelligence", "operations", "2019-06-01"
    )
    assert not before.permit
    assert "ind-usa-beca not yet in force" in outcome(before, "agreement-in-force")[1]
    assert outcome(before, "classification-equivalence")[0] is Outcome.PASSED  # the GSOMIA of 2002
    eve = decide(
        "IND", "SECRET//REL TO USA, IND", "geospatial-intelligence", "operations", "2020-10-26"
    )
    assert "ind-usa-beca not yet in force" in outcome(eve, "agreement-in-force")[1]
    after = decide(
        "IND", "SECRET//REL TO USA, IND", "geospatial-intelligence", "operations", "2021-06-01"
    )
    assert after.permit
    assert after.agreements == ("ind-usa-beca", "ind-usa-gsomia")
    assert any("no-third-party-release" in o for o in after.obligations)
    assert after.recipient_marking == "SECRET / RELEASABLE TO IND, USA"
    assert after.obligations[0] == "mark and protect it as SECRET / RELEASABLE TO IND, USA"


def test_lemoa_scope_covers_port_calls_not_basing() -> None:
    port = decide("IND", "UNCLASSIFIED", "logistics-support", "port-calls", "2017-03-01")
    assert port.permit
    assert any(o.startswith("case-by-case") for o in port.obligations)
    basing = decide("IND", "UNCLASSIFIED", "logistics-support", "basing", "2017-03-01")
    assert not basing.permit
    assert "does not cover basing" in outcome(basing, "agreement-in-force")[1]


def test_comcasa_carries_its_consent_caveat() -> None:
    decision = decide(
        "IND", "CONFIDENTIAL//REL TO USA, IND", "secure-communications", "operations", "2020-01-01"
    )
    assert decision.permit
    assert any("no-onward-transfer-without-consent" in o for o in decision.obligations)


def test_noforn_and_missing_rel_to_deny() -> None:
    noforn = decide("IND", "SECRET//NOFORN", "geospatial-intelligence", "operations", "2022-01-01")
    assert not noforn.permit
    assert outcome(noforn, "releasability") == (
        Outcome.FAILED,
        "NOFORN forbids release to any foreign nation",
    )
    assert outcome(noforn, "label-translation")[0] is Outcome.FAILED
    other = decide(
        "IND", "SECRET//REL TO USA, GBR", "geospatial-intelligence", "operations", "2022-01-01"
    )
    assert outcome(other, "releasability") == (Outcome.FAILED, "IND is not in REL TO USA, GBR")
    bare = decide("IND", "SECRET", "geospatial-intelligence", "operations", "2022-01-01")
    assert "no REL TO list" in outcome(bare, "releasability")[1]


def test_the_recipients_clearance_decides_last() -> None:
    low = decide(
        "IND",
        "SECRET//REL TO USA, IND",
        "geospatial-intelligence",
        "operations",
        "2022-01-01",
        clearance="CONFIDENTIAL",
    )
    assert not low.permit
    assert "does not include SECRET" in outcome(low, "clearance")[1]
    unknown = decide(
        "IND",
        "SECRET//REL TO USA, IND",
        "geospatial-intelligence",
        "operations",
        "2022-01-01",
        clearance=None,
    )
    assert outcome(unknown, "clearance") == (
        Outcome.FAILED,
        "the recipient's clearance is not known",
    )


def test_another_nations_information_needs_its_consent() -> None:
    pakistani = Label(
        policy_id=national_policy("PAK").id,
        classification=national_policy("PAK").classification_named("UNCLASSIFIED").lacv,
    )
    decision = decide("IND", "", "logistics-support", "port-calls", "2022-01-01", label=pakistani)
    assert not decision.permit
    assert (
        "may not release PAK's information to a third party"
        in outcome(decision, "originator-consent")[1]
    )


def test_every_reason_is_given_and_the_register_version_recorded() -> None:
    decision = decide(
        "PAK",
        "SECRET//REL TO USA, GBR",
        "geospatial-intelligence",
        "basing",
        "2021-06-01",
        clearance=None,
    )
    failed = {r.rule for r in decision.reasons if r.outcome is Outcome.FAILED}
    assert failed >= {
        "agreement-in-force",
        "classification-equivalence",
        "releasability",
        "clearance",
    }
    assert decision.register_version.startswith("sha256:")
    document = decision.to_dict()
    assert set(document) >= {"permit", "reasons", "agreements", "obligations", "register_version"}
    assert all(set(r) == {"rule", "outcome", "message"} for r in document["reasons"])


def test_decisions_on_different_days_in_one_interval_share_the_evaluation_not_the_day() -> None:
    first = decide("PAK", "UNCLASSIFIED", "secure-communications", "joint-exercises", "2021-06-01")
    second = decide("PAK", "UNCLASSIFIED", "secure-communications", "joint-exercises", "2021-07-01")
    assert "on 2021-06-01" in outcome(first, "agreement-in-force")[1]
    assert "on 2021-07-01" in outcome(second, "agreement-in-force")[1]


def test_read_decisions_use_the_clearance_alone() -> None:
    usa = national_policy("USA")
    label = us_label("TOP SECRET//NOFORN")
    cleared = national_clearance(usa, "TOP SECRET", "USA", dt.date(2026, 1, 1))
    assert engine().read(label, cleared).permit
    secret = national_clearance(usa, "SECRET", "USA", dt.date(2026, 1, 1))
    assert not engine().read(label, secret).permit
    foreigner = national_clearance(usa, "TOP SECRET", "PAK", dt.date(2026, 1, 1))
    assert not engine().read(label, foreigner).permit  # NOFORN: a PAK national does not hold it


def test_clearances_are_built_once_per_policy_level_nation_day_and_categories() -> None:
    usa = national_policy("USA")
    day = dt.date(2026, 1, 1)
    first = national_clearance(usa, "SECRET", "USA", day, ["NOFORN", "FVEY"])
    assert national_clearance(usa, "SECRET", "USA", day, ["FVEY", "NOFORN"]) is first
    # Every answer is what building it afresh gives, whatever was asked before.
    for level, nation, when in (
        ("SECRET", "USA", day),
        ("TOP SECRET", "USA", day),
        ("SECRET", "PAK", day),
        ("SECRET", "IND", dt.date(2005, 1, 1)),
    ):
        remembered = national_clearance(usa, level, nation, when)
        assert remembered == _build(usa, level, nation, when, ())
    assert national_clearance(usa, "TOP SECRET", "USA", day) != first


def test_channels_between_two_nations() -> None:
    channels = {c.capability: c for c in engine().channels("USA", "IND", dt.date(2019, 6, 1))}
    assert set(channels) == {
        "classification-equivalence",
        "classified-information",
        "comsec-equipment",
        "logistics-support",
        "secure-communications",
    }
    assert channels["secure-communications"].agreements == ("ind-usa-comcasa",)
    assert str(channels["secure-communications"].until) == "2028-09-06"
    assert engine().channels("USA", "PAK", dt.date(2021, 6, 1)) == ()
