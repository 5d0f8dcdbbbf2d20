"""A policy's display marking reads back to the label it marks, and to nothing else."""

import itertools

import pytest

from accord.errors import LabelError
from accord.labels.label import Label
from accord.labels.marking import display_marking
from accord.labels.marking_reader import label_from_marking
from accord.labels.national import national_policy


@pytest.mark.parametrize("nation", ["USA", "PAK", "IND", "NATO"])
def test_every_marking_of_rel_to_sets_reads_back(nation: str) -> None:
    policy = national_policy(nation)
    refs = policy.all_category_refs()
    rel_to = [r for r in refs if policy.tag_of(policy.category(r)).name.lower().startswith("rel")]
    sets = [frozenset(s) for n in (0, 1, 2) for s in itertools.combinations(rel_to[:6], n)]
    checked = 0
    for classification in policy.classifications:
        for categories in sets:
            label = Label(
                policy_id=policy.id, classification=classification.lacv, categories=categories
            )
            try:
                marking = display_marking(policy, label)
            except LabelError:
                continue
            assert label_from_marking(policy, marking) == label, marking
            assert label_from_marking(policy, marking.lower()) == label
            checked += 1
    assert checked > 20


def test_a_text_no_label_is_marked_is_refused() -> None:
    pak = national_policy("PAK")
    for text in ("SECRET - RELEASABLE TO ATLANTIS", "SECRET PLUS", "", "RELEASABLE TO PAK"):
        with pytest.raises(LabelError, match="no label of policy PAK"):
            label_from_marking(pak, text)
