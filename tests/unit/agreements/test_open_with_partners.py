"""The channel matrix's one pass (``Register.open_with_partners``) says what ``open_capabilities``
says pair by pair, on every day the public record changes something."""

from __future__ import annotations

import datetime as dt

from accord.agreements.public_record import public_record


def test_the_matrix_agrees_with_each_pair() -> None:
    register = public_record()
    days = [dt.date(year, month, 15) for year in range(2002, 2027) for month in (1, 7)]
    for nation in ("USA", "PAK", "IND"):
        for day in days:
            matrix = register.open_with_partners(nation, day)
            for partner, opened in matrix.items():
                pairwise = {
                    o.capability: list(o.agreements)
                    for o in register.open_capabilities(nation, partner, day)
                }
                assert opened == pairwise, (nation, partner, day)
    # The CISMOA lapsed in 2020: on a day of 2021 PAK is a partner with nothing open.
    assert register.open_with_partners("USA", dt.date(2021, 6, 1))["PAK"] == {}
    assert "secure-communications" in register.open_with_partners("USA", dt.date(2024, 1, 1))["PAK"]
