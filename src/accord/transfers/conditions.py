"""Designations and measures that change what may be transferred, as rules of the check.

PURE. Rules encoded, and why (DOMAIN.md section 4):

- ``assistance-suspended``: while the seller's ``security-assistance-suspended`` measure towards
  the buyer is possibly in effect (a day inside its start or end window counts: fail closed), a
  ``grant`` case (Foreign Military Financing, grant excess articles) is **not covered**: the
  suspension withholds security assistance funds. Cash sales (``fms``, ``dcs``) and leases
  proceed, and the rule says so: the 2022 F-16 sustainment case was notified during the 2018
  suspension of assistance to Pakistan.
- ``eda-priority``: an ``eda`` case for a buyer the seller designated a major non-NATO ally has
  priority for excess defense articles (Foreign Assistance Act section 516, 22 U.S.C. 2321j):
  noted, it does not change coverage.
- ``sta-1``: a ``dcs`` case for a buyer in Strategic Trade Authorization tier 1 needs fewer
  export licences (15 CFR 740.20; India since 83 FR 38018, 2018-08-03): noted, it does not
  change coverage.

Only these three: the designations and measures in the public record, and what they are known
to change. Anything else a designation implies is left to the analyst.
"""

from __future__ import annotations

import datetime as dt

from accord.agreements.register import Register
from accord.policy.model import Outcome, RuleResult
from accord.transfers.model import TransferCase, TransferKind

SUSPENDED = "security-assistance-suspended"
MNNA = "major non-nato ally"
STA_1 = "strategic trade authorization tier 1"


def conditions(register: Register, case: TransferCase, day: dt.date) -> tuple[RuleResult, ...]:
    """The designation and measure rules that apply to ``case`` on ``day``."""
    found: list[RuleResult] = []
    suspensions = [
        m for m in register.measures_on(case.buyer, case.seller, day) if m.kind == SUSPENDED
    ]
    for measure in suspensions:
        since = f"{measure.title} since {measure.start} ({measure.grade.value})"
        if case.kind is TransferKind.GRANT:
            found.append(
                RuleResult(
                    "assistance-suspended",
                    Outcome.FAILED,
                    f"{since}: grants of security assistance are withheld",
                )
            )
        else:
            found.append(
                RuleResult(
                    "assistance-suspended",
                    Outcome.NOT_APPLICABLE,
                    f"{since}: a {case.kind.value} case is not security assistance and proceeds",
                )
            )
    titles = {d.title.casefold(): d for d in register.designations_of(case.buyer, case.seller, day)}
    if case.kind is TransferKind.EDA and MNNA in titles:
        designation = titles[MNNA]
        found.append(
            RuleResult(
                "eda-priority",
                Outcome.PASSED,
                f"{case.buyer} is a major non-NATO ally since {designation.date} "
                f"({designation.grade.value}): priority for excess defense articles "
                "(22 U.S.C. 2321j)",
            )
        )
    if case.kind is TransferKind.DCS and STA_1 in titles:
        designation = titles[STA_1]
        found.append(
            RuleResult(
                "sta-1",
                Outcome.PASSED,
                f"{case.buyer} is in Strategic Trade Authorization tier 1 since "
                f"{designation.date} ({designation.grade.value}): fewer export licences "
                "(15 CFR 740.20)",
            )
        )
    return tuple(found)
