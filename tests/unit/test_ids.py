"""A unique prefix of a message id stands for the id; an ambiguous one is refused with the
candidates; anything else is looked up as given."""

from __future__ import annotations

import pytest

from accord.errors import InvalidInput
from accord.node.ids import resolve

IDS = [
    "5597ad0c-1111-4111-8111-111111111111",
    "5597ad0c-2222-4222-8222-222222222222",
    "77aa0000-3333-4333-8333-333333333333",
]


def _candidates(prefix: str) -> list[str]:
    return [i for i in IDS if i.startswith(prefix)]


def test_a_unique_prefix_names_its_id() -> None:
    assert resolve("77aa", _candidates, "message") == IDS[2]
    assert resolve("5597ad0c-2", _candidates, "message") == IDS[1]


def test_a_whole_id_or_a_non_id_is_looked_up_as_given() -> None:
    assert resolve(IDS[0], _candidates, "message") == IDS[0]
    assert resolve("not-an-id!", _candidates, "message") == "not-an-id!"
    assert resolve("abc", _candidates, "message") == "abc"  # under four characters
    assert resolve("ffff", _candidates, "message") == "ffff"  # starts nothing: not found later


def test_an_ambiguous_prefix_is_refused_with_the_candidates() -> None:
    with pytest.raises(InvalidInput, match="'5597' is ambiguous: 5597ad0c-1111") as refused:
        resolve("5597", _candidates, "message")
    assert IDS[1] in str(refused.value)
    assert IDS[2] not in str(refused.value)
