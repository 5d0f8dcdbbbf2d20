"""Groups of nations that REL TO lists may name by tetragraph (US banner rules): who is in them.

Membership is data, dated where it changed recently; the policy engine asks whether a nation was
a member on the day of a release.
"""

from __future__ import annotations

import datetime as dt
import functools

FVEY = frozenset({"USA", "GBR", "CAN", "AUS", "NZL"})

#: NATO members with the date they joined (the twelve founders in 1949).
NATO_ACCESSIONS: dict[str, dt.date] = {
    **{
        n: dt.date(1949, 8, 24)
        for n in (
            "BEL",
            "CAN",
            "DNK",
            "FRA",
            "ISL",
            "ITA",
            "LUX",
            "NLD",
            "NOR",
            "PRT",
            "GBR",
            "USA",
        )
    },
    "GRC": dt.date(1952, 2, 18),
    "TUR": dt.date(1952, 2, 18),
    "DEU": dt.date(1955, 5, 6),
    "ESP": dt.date(1982, 5, 30),
    "CZE": dt.date(1999, 3, 12),
    "HUN": dt.date(1999, 3, 12),
    "POL": dt.date(1999, 3, 12),
    "BGR": dt.date(2004, 3, 29),
    "EST": dt.date(2004, 3, 29),
    "LVA": dt.date(2004, 3, 29),
    "LTU": dt.date(2004, 3, 29),
    "ROU": dt.date(2004, 3, 29),
    "SVK": dt.date(2004, 3, 29),
    "SVN": dt.date(2004, 3, 29),
    "ALB": dt.date(2009, 4, 1),
    "HRV": dt.date(2009, 4, 1),
    "MNE": dt.date(2017, 6, 5),
    "MKD": dt.date(2020, 3, 27),
    "FIN": dt.date(2023, 4, 4),
    "SWE": dt.date(2024, 3, 7),
}


@functools.lru_cache(maxsize=65536)
def groups_of(nation: str, day: dt.date) -> frozenset[str]:
    """The tetragraphs that include ``nation`` on ``day``."""
    found = set()
    if nation in FVEY:
        found.add("FVEY")
    joined = NATO_ACCESSIONS.get(nation)
    if joined is not None and joined <= day:
        found.add("NATO")
    return frozenset(found)
