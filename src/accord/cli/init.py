"""``accord init``: prepare the data directory, database and public record."""

from __future__ import annotations

from accord.cli import context
from accord.node.register import initialise


def init() -> None:
    """Create the data directory and database (migrations) and load the public record.

    Running it again on an initialised node changes nothing and says so.
    """
    result = initialise(context.settings(), context.clock)
    out = context.out
    if not result.changed:
        out.print(
            f"Accord is already initialised in {result.home} ({result.database}); nothing changed."
        )
        return
    out.print(f"Initialised Accord in {result.home}")
    out.print(f"  database: {result.database} (schema {result.migrated_to})")
    if result.summary.added:
        agreements = [a for a in result.summary.added if a.startswith("agreement ")]
        out.print(
            f"  public record: {len(agreements)} agreements added, "
            f"{len(result.summary.added) - len(agreements)} sources and other facts"
        )
