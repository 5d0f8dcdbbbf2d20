"""Reading a display marking back into a label: the inverse of ``marking.display_marking`` for
the policies' own markings ("SECRET - RELEASABLE TO PAK, USA" under Pakistan's policy).

A marking is read by candidates, then checked: for each classification whose marking begins
the text, the categories whose own phrase stands in the rest as a whole word are taken, and the
label they make is accepted only if ``display_marking`` writes exactly the text back. So a
marking is never read as a label that would be shown differently; a text that no label of the
policy is displayed as is refused.
"""

from __future__ import annotations

import re

from accord.errors import LabelError
from accord.labels.label import Label
from accord.labels.marking import display_marking
from accord.labels.security_policy import SecurityPolicy


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def label_from_marking(policy: SecurityPolicy, text: str) -> Label:
    """The label of ``policy`` whose display marking is ``text`` (spaces and case aside)."""
    wanted = _normal(text)
    for classification in sorted(policy.classifications, key=lambda c: -len(c.name)):
        bare = Label(policy_id=policy.id, classification=classification.lacv)
        try:
            base = display_marking(policy, bare)
        except LabelError:
            continue
        if not wanted.startswith(_normal(base)):
            continue
        rest = wanted[len(_normal(base)) :]
        if not rest:
            return bare
        found = set()
        for ref in policy.all_category_refs():
            name = policy.category(ref).name.casefold()
            if re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", rest):
                found.add(ref)
        candidate = Label(
            policy_id=policy.id, classification=classification.lacv, categories=frozenset(found)
        )
        try:
            if _normal(display_marking(policy, candidate)) == wanted:
                return candidate
        except LabelError:
            continue
    raise LabelError(f"no label of policy {policy.name} is marked {text!r}")
